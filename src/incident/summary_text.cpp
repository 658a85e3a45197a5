// The summary `eksir investigate` prints: severity and why, the key timeline, the scope, what to
// do next — what a responder reads in the first 30 seconds. Every text that can hold evidence goes
// through util::visible() (or fit()/pad(), which apply it).
#include <fmt/format.h>

#include <ostream>

#include "incident/internal.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::incident {
namespace {

struct Style {
  bool color;
  std::string operator()(std::string_view code, std::string_view s) const {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  }
};

std::string_view level_color(Level l) {
  switch (l) {
    case Level::Critical:
      return "1;37;41";
    case Level::High:
      return "1;31";
    case Level::Medium:
      return "1;33";
    case Level::Low:
      return "1;32";
  }
  return "0";
}

std::string where(const Evidence& e) {
  if (e.file.empty()) return util::visible(e.source);
  std::string f = e.file;
  size_t slash = f.rfind('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  return util::visible(e.line ? fmt::format("{}:{}", f, e.line) : f);
}

}  // namespace

void write_summary(const Investigation& inv, std::ostream& out, bool color) {
  Style s{color};
  const Incident& inc = inv.incident;
  bool undetermined = !inc.undetermined.empty();
  if (undetermined)
    out << s("1;7", " UNDETERMINED ") << "  " << s("1", util::visible(inc.title)) << "\n";
  else
    out << s(level_color(inc.severity), fmt::format(" {} ", level_name(inc.severity))) << "  "
        << s("1", util::visible(inc.title)) << "\n";
  out << fmt::format("{}  {}  case {}\n", util::visible(inc.id), util::visible(inc.type),
                     inv.run.case_dir.empty() ? "(not saved)" : util::visible(inv.run.case_dir));
  std::string by_source;
  for (const auto& [src, n] : inv.run.stats.events_by_source)
    by_source +=
        fmt::format("{}{} {}", by_source.empty() ? "" : ", ", util::thousands(n), source_name(src));
  out << fmt::format(
      "evidence: {} files, {} events{}, snapshot {} objects; {} findings, {} "
      "posture results\n\n",
      inv.run.stats.files, util::thousands(inv.run.stats.events),
      by_source.empty() ? "" : " (" + by_source + ")", inv.run.snapshot_objects,
      inv.findings.size(), inv.posture.size());

  if (undetermined)
    out << s("1", "Why undetermined") << "\n  " << inc.undetermined << "\n";
  else
    out << s("1", fmt::format("Why {}", level_name(inc.severity))) << "\n";
  for (const auto& c : inc.criteria) {
    if (c.likely_benign) continue;
    out << fmt::format("  {} {} — {}\n", c.level == inc.severity ? "■" : "□",
                       s(level_color(c.level), std::string(level_name(c.level))),
                       util::visible(c.criterion));
    size_t shown = 0;
    for (const auto& e : c.evidence) {
      if (shown == (c.level == inc.severity ? 3u : 1u)) {
        out << fmt::format("      … {} more\n", c.evidence.size() - shown);
        break;
      }
      std::string t = format_time(e.time);
      if (t.size() > 20) t = t.substr(0, 19) + "Z";
      out << fmt::format("      {}  {}  [{}]\n", e.time == kNoTime ? "" : t, util::fit(e.text, 110),
                         where(e));
      ++shown;
    }
  }
  for (const auto& c : inc.criteria)
    if (c.likely_benign)
      out << fmt::format("  – {} — {} (not counted: likely benign)\n", level_name(c.level),
                         util::visible(c.criterion));
  for (const auto& a : inc.assumptions) out << "  assumed: " << util::visible(a) << "\n";

  out << "\n" << s("1", "Timeline") << "\n";
  const size_t max_lines = 18;
  size_t n = 0;
  for (const auto& t : inc.timeline) {
    if (n++ == max_lines) {
      out << fmt::format("  … {} more lines (incident.json, report.md)\n",
                         inc.timeline.size() - max_lines);
      break;
    }
    out << "  " << util::fit(timeline_line(t), 160) << "\n";
  }
  if (inc.timeline.empty()) out << "  (no event behind a finding)\n";

  out << "\n" << s("1", fmt::format("Affected ({})", inc.affected.size())) << "\n";
  size_t shown = 0;
  for (const auto& a : inc.affected) {
    if (shown++ == 16) {
      out << fmt::format("  … {} more\n", inc.affected.size() - 16);
      break;
    }
    std::string name = a.ns.empty() ? a.name : a.ns + "/" + a.name;
    out << fmt::format("  {} {} {}\n", fmt::format("{:<16}", util::visible(a.kind)),
                       util::pad(name, 44), util::fit(a.why, 90));
  }

  const Metrics& m = inc.metrics;
  out << "\n" << s("1", "Metrics") << "\n";
  out << fmt::format(
      "  first malicious event {}  first detection {}  time to detection {}\n",
      m.first_malicious == kNoTime ? "not known" : format_time(m.first_malicious),
      m.first_detection == kNoTime ? "none in the evidence" : format_time(m.first_detection),
      m.first_malicious == kNoTime || m.first_detection == kNoTime
          ? "not known"
          : util::human_duration(*util::seconds_between(m.first_malicious, m.first_detection)));
  if (m.implausible_times)
    out << fmt::format("  {} timeline line{} with implausible times left out (see the gaps)\n",
                       m.implausible_times, m.implausible_times == 1 ? "" : "s");
  if (!inc.likely_benign.empty()) {
    out << "\n" << s("1", fmt::format("Likely benign ({})", inc.likely_benign.size())) << "\n";
    size_t k = 0;
    for (const auto& b : inc.likely_benign) {
      if (k++ == 6) {
        out << fmt::format("  … {} more\n", inc.likely_benign.size() - 6);
        break;
      }
      out << fmt::format("  {} — {}\n", util::fit(b.title, 60), util::visible(b.reason));
    }
  }
  // What the scope followed beyond the rules, and where it stopped.
  size_t pulled = 0, repeats = 0;
  for (const auto& t : inc.timeline)
    if (t.text.find(" — no rule fired; ") != std::string::npos) {
      ++pulled;
      repeats += t.repeats;
    }
  if (pulled || !inc.not_expanded.empty()) {
    out << "\n" << s("1", "Scope") << "\n";
    if (pulled)
      out << fmt::format(
          "  {} timeline line{} no rule fired on{}: the attacker's credentials, addresses and what "
          "they made, followed to a fixed point\n",
          pulled, pulled == 1 ? "" : "s",
          repeats ? fmt::format(" ({} more of the same counted on them)", repeats) : "");
    size_t k = 0;
    for (const auto& [entity, why] : inc.not_expanded) {
      if (k++ == 5) {
        out << fmt::format("  … {} more not followed (incident.json not_expanded)\n",
                           inc.not_expanded.size() - 5);
        break;
      }
      out << "  not followed: " << util::fit(entity + " — " + why, 200) << "\n";
    }
  }
  if (!inc.gaps.empty()) {
    out << "\n" << s("1", "Gaps in the evidence") << "\n";
    // One line each: a first_seen rule's example values stay in incident.json and the report.
    for (const auto& g : inc.gaps) {
      std::string_view line = g;
      size_t eg = line.rfind(" (e.g. ");
      if (line.starts_with("withheld: ") && eg != std::string_view::npos) line = line.substr(0, eg);
      out << "  " << util::fit(line, 220) << "\n";
    }
  }
  if (!inv.leads.empty()) {
    out << "\n"
        << s("1", fmt::format("Other leads ({}, not part of this incident)", inv.leads.size()))
        << "\n";
    size_t k = 0;
    for (const auto& l : inv.leads) {
      if (k++ == 6) {
        out << fmt::format("  … {} more (incident.json)\n", inv.leads.size() - 6);
        break;
      }
      out << fmt::format("  {:<7} {:<8} {} ({} finding{})\n", util::visible(l.id),
                         level_name(l.severity), util::fit(l.title, 100), l.findings.size(),
                         l.findings.size() == 1 ? "" : "s");
    }
  }
  out << "\n" << s("1", "Next steps") << "\n";
  size_t i = 1;
  for (const auto& step : inc.next_steps)
    out << fmt::format("  {}. {}\n", i++, util::visible(step));
}

}  // namespace eksir::incident
