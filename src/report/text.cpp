// Text helpers shared by the report writers.
#include <fmt/format.h>

#include "report/model.h"

namespace eksir::report {

const char* const kSectionTitles[8][2] = {
    {"summary", "Incident summary"},
    {"timeline", "Timeline"},
    {"investigation", "Technical investigation"},
    {"impact", "Impact"},
    {"actions", "Containment and remediation actions"},
    {"root_cause", "Root cause"},
    {"lessons", "Lessons learned and detection improvements"},
    {"metrics", "Key metrics"},
};

std::optional<Format> parse_format(std::string_view name) {
  if (name == "md" || name == "markdown") return Format::Markdown;
  if (name == "html") return Format::Html;
  if (name == "json") return Format::Json;
  return std::nullopt;
}

std::string_view format_extension(Format f) {
  switch (f) {
    case Format::Markdown:
      return "md";
    case Format::Html:
      return "html";
    case Format::Json:
      return "json";
  }
  return "md";
}

std::string time_seconds(TimeNs t) {
  if (t == kNoTime) return "not known";
  std::string s = format_time(t);  // 2026-03-14T09:12:31.250Z
  if (s.size() >= 19) return s.substr(0, 19) + "Z";
  return s;
}

std::string human_duration(int64_t secs) {
  if (secs < 0) return fmt::format("-{}", human_duration(-secs));
  int64_t d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60, s = secs % 60;
  if (d > 0) return h ? fmt::format("{} d {} h", d, h) : fmt::format("{} d", d);
  if (h > 0)
    return s ? fmt::format("{} h {} min {} s", h, m, s)
             : (m ? fmt::format("{} h {} min", h, m) : fmt::format("{} h", h));
  if (m > 0) return s ? fmt::format("{} min {} s", m, s) : fmt::format("{} min", m);
  return fmt::format("{} s", s);
}

std::string timeline_line(const TimelineLine& l) {
  std::string out = fmt::format("{} [{}] {}", time_seconds(l.time), l.tag, l.text);
  std::string conf = l.confidence.empty() ? "" : l.confidence + " confidence";
  if (!conf.empty() && !l.source.empty())
    out += fmt::format(" ({}, {})", conf, l.source);
  else if (!conf.empty() || !l.source.empty())
    out += fmt::format(" ({})", conf.empty() ? l.source : conf);
  if (l.implausible) out += " [implausible time]";
  return out;
}

std::string evidence_location(const EvidenceRef& e) {
  std::string out;
  if (!e.file.empty()) out = e.line ? fmt::format("{}:{}", e.file, e.line) : e.file;
  if (!e.event_id.empty()) out += (out.empty() ? "event id " : ", event id ") + e.event_id;
  if (out.empty() && !e.finding.empty()) out = "finding " + e.finding;
  return out;
}

namespace {
// Printable ASCII, tab and newline: kept as they are.
bool plain(unsigned char c) {
  return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n';
}
}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
    if (run > i) {
      out.append(s.substr(i, run - i));
      i = run;
      if (i == s.size()) break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      // Control characters other than tab and newline could hide text or break
      // a line format.
      if (c < 0x20 && c != '\t' && c != '\n')
        out += ' ';
      else if (c == 0x7f)
        out += ' ';
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace eksir::report
