// JSON and NDJSON finding writers (the output contract).
#include <fmt/format.h>

#include <ostream>

#include "detect/detect.h"
#include "util/text.h"

namespace eksir::detect {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "ndjson" || name == "jsonl") return Format::Ndjson;
  if (name == "sarif") return Format::Sarif;
  return std::nullopt;
}

std::string finding_json(const Finding& f) {
  std::string o;
  auto str = [&](std::string_view key, std::string_view v) {
    o += ',';
    util::append_json_string(o, key);
    o += ':';
    util::append_json_string(o, v);
  };
  o += "{\"id\":";
  util::append_json_string(o, f.id);
  o += ",\"rule\":{\"id\":";
  util::append_json_string(o, f.rule_id);
  str("title", f.rule_title);
  str("origin", f.origin);
  if (!f.author.empty()) str("author", f.author);
  o += '}';
  str("severity", rules::severity_name(f.severity));
  str("title", f.title);
  str("description", f.description);
  auto time = [&](std::string_view key, TimeNs t) {
    if (t == kNoTime)
      o += fmt::format(",\"{}\":null", key);
    else
      str(key, format_time(t));
  };
  time("first_seen", f.first_seen);
  time("last_seen", f.last_seen);
  o += fmt::format(",\"count\":{},\"attack\":[", f.count);
  for (size_t i = 0; i < f.attack.size(); ++i) {
    if (i) o += ',';
    util::append_json_string(o, f.attack[i]);
  }
  o += "],\"criterion\":";
  if (f.criterion.empty())
    o += "null";
  else
    util::append_json_string(o, f.criterion);
  o += ",\"subject\":{";
  for (size_t i = 0; i < f.subject.size(); ++i) {
    if (i) o += ',';
    util::append_json_string(o, f.subject[i].first);
    o += ':';
    util::append_json_string(o, f.subject[i].second);
  }
  o += '}';
  if (f.sample) o += ",\"sample\":true";
  if (!f.note.empty()) str("note", f.note);
  o += ",\"evidence\":[";
  for (size_t i = 0; i < f.evidence.size(); ++i) {
    const auto& e = f.evidence[i];
    if (i) o += ',';
    o += "{\"source\":";
    util::append_json_string(o, source_name(e.source));
    str("file", e.file);
    o += fmt::format(",\"line\":{}", e.line);
    time("time", e.time);
    o += ",\"event_id\":";
    if (e.event_id.empty())
      o += "null";
    else
      util::append_json_string(o, e.event_id);
    o += '}';
  }
  o += "]}";
  return o;
}

void write_json(const std::vector<Finding>& findings, const std::string& summary,
                std::ostream& out) {
  out << "{\"findings\":[";
  for (size_t i = 0; i < findings.size(); ++i)
    out << (i ? ",\n" : "\n") << finding_json(findings[i]);
  out << (findings.empty() ? "" : "\n") << "],\"summary\":" << summary << "}\n";
}

void write_ndjson(const std::vector<Finding>& findings, std::ostream& out) {
  for (const auto& f : findings) out << finding_json(f) << '\n';
}

}  // namespace eksir::detect
