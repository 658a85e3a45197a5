// Text helpers shared by the report writers.
#include <fmt/format.h>

#include "report/model.h"
#include "util/visible.h"

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

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
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
  if (!e.file.empty())
    out = e.line && e.record ? fmt::format("{}:{}#{}", e.file, e.line, e.record)
          : e.line           ? fmt::format("{}:{}", e.file, e.line)
                             : e.file;
  if (!e.event_id.empty()) out += (out.empty() ? "event id " : ", event id ") + e.event_id;
  if (out.empty() && !e.finding.empty()) out = "finding " + e.finding;
  return out;
}

std::string common_folder(const std::vector<std::string>& paths) {
  if (paths.empty()) return "";
  // The folder of the first path, cut back until every path lies under it.
  std::string root = paths.front();
  size_t slash = root.rfind('/');
  root = slash == std::string::npos ? "" : root.substr(0, slash);
  for (const auto& p : paths) {
    while (!root.empty() && !(p.size() > root.size() && p.compare(0, root.size(), root) == 0 &&
                              p[root.size()] == '/')) {
      slash = root.rfind('/');
      root = slash == std::string::npos ? "" : root.substr(0, slash);
    }
  }
  return root;
}

std::string relative_to(const std::string& path, const std::string& root) {
  if (root.empty() || path.size() <= root.size() + 1 || path.compare(0, root.size(), root) != 0 ||
      path[root.size()] != '/')
    return path;
  return path.substr(root.size() + 1);
}

// Evidence can hold any byte; the report's model keeps every valid character (controls too: each
// writer shows them through util::visible) and replaces only what is not UTF-8.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t run = i;
    while (run < s.size() && static_cast<unsigned char>(s[run]) < 0x80) ++run;
    out.append(s.substr(i, run - i));
    if (run == s.size()) break;
    i = run;
    util::CodePoint cp = util::decode_utf8(s, i);
    if (cp.length) {
      out.append(s.substr(i, cp.length));
      i += cp.length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace eksir::report
