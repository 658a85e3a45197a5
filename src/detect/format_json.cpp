// JSON and NDJSON finding writers (the output contract).
#include <fmt/format.h>

#include <ostream>

#include "detect/detect.h"
#include "util/json_writer.h"

namespace eksir::detect {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "ndjson" || name == "jsonl") return Format::Ndjson;
  if (name == "sarif") return Format::Sarif;
  if (name == "ecs") return Format::Ecs;
  if (name == "ocsf") return Format::Ocsf;
  return std::nullopt;
}

std::string finding_json(const Finding& f) {
  util::JsonWriter j;
  j.open('{');
  j.kv("id", f.id);
  j.key("rule");
  j.open('{');
  j.kv("id", f.rule_id);
  j.kv("title", f.rule_title);
  j.kv("origin", f.origin);
  if (!f.author.empty()) j.kv("author", f.author);
  j.close('}');
  j.kv("severity", rules::severity_name(f.severity));
  j.kv("title", f.title);
  j.kv("description", f.description);
  j.kv_time("first_seen", f.first_seen);
  j.kv_time("last_seen", f.last_seen);
  j.kv_num("count", static_cast<int64_t>(f.count));
  j.kv_list("attack", f.attack);
  j.kv_list("tactics", f.tactics);
  j.kv_or_null("criterion", f.criterion);
  j.key("subject");
  j.open('{');
  for (const auto& [k, v] : f.subject) j.kv(k, v);
  j.close('}');
  if (f.sample) j.kv_bool("sample", true);
  if (!f.note.empty()) j.kv("note", f.note);
  j.key("evidence");
  j.open('[');
  for (const auto& e : f.evidence) {
    j.item();
    j.open('{');
    j.kv("source", source_name(e.source));
    j.kv("file", e.file);
    j.kv_num("line", static_cast<int64_t>(e.line));
    if (e.record) j.kv_num("record", static_cast<int64_t>(e.record));
    j.kv_time("time", e.time);
    j.kv_or_null("event_id", e.event_id);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  return std::move(j.o);
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
