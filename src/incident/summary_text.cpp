// The summary `eksir investigate` prints: severity and why, the key timeline, the scope, what to
// do next — what a responder reads in the first 30 seconds. Every text that can hold evidence goes
// through util::visible() (or fit()/pad(), which apply it).
#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "incident/internal.h"
#include "util/colour.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::incident {
namespace {

// A level in the palette every command uses (util/colour.h): critical red and bold, high red,
// medium yellow, low the terminal's own colour.
std::string_view level_color(Level l) {
  return util::severity_sgr(util::severity_title(l));
}

// The severity at the top, reversed: the level's colour as a badge.
std::string badge_color(Level l) {
  std::string_view c = level_color(l);
  return c.empty() ? "1;7" : std::string(c) + ";7";
}

std::string where(const Evidence& e) {
  if (e.file.empty()) return util::visible(e.source);
  std::string f = e.file;
  size_t slash = f.rfind('/');
  if (slash != std::string::npos) f = f.substr(slash + 1);
  if (e.line && e.record) return util::visible(fmt::format("{}:{}#{}", f, e.line, e.record));
  return util::visible(e.line ? fmt::format("{}:{}", f, e.line) : f);
}

}  // namespace

namespace {

// The summary's sections, each a method, over what every line of it shares: the stream, the
// colour, and the terminal's width.
class SummaryWriter {
 public:
  SummaryWriter(const Investigation& inv, std::ostream& out, bool color, size_t width)
      : inv(inv), inc(inv.incident), out(out), s{color}, width(width) {}

  void write() {
    header();
    why();
    timeline();
    affected();
    attack();
    metrics();
    likely_benign();
    scope();
    gaps();
    leads();
    next_steps();
  }

 private:
  // Every line through here: on a terminal (width > 0) it fits, cut with "…"; else it is whole.
  void line(std::string_view text) { out << util::fit_line(text, width) << '\n'; }
  // A field that gives way first on a terminal, to the columns the rest of its line leaves it
  // (at least `least`, the line is cut after that); whole when the output is not a terminal.
  std::string field(std::string_view text, size_t rest, size_t least = 12) const {
    if (width == 0) return util::visible(text);
    return util::fit(text, width > rest + least ? width - rest : least);
  }

  // The severity (or undetermined), the title, the id and what was read.
  void header() {
    if (undetermined)
      line(s("1;7", " UNDETERMINED ") + "  " + s(bold, util::visible(inc.title)));
    else
      line(s(badge_color(inc.severity), fmt::format(" {} ", util::severity_title(inc.severity))) +
           "  " + s(bold, util::visible(inc.title)));
    line(fmt::format("{}  {}  case {}", util::visible(inc.id), util::visible(inc.type),
                     inv.run.case_dir.empty() ? "(not saved)" : util::visible(inv.run.case_dir)));
    std::string by_source;
    for (const auto& [src, n] : inv.run.stats.events_by_source)
      by_source += fmt::format("{}{} {}", by_source.empty() ? "" : ", ", util::thousands(n),
                               source_name(src));
    line(fmt::format(
        "evidence: {} files, {} events{}, snapshot {} objects; {} findings, {} posture results",
        inv.run.stats.files, util::thousands(inv.run.stats.events),
        by_source.empty() ? "" : " (" + by_source + ")", inv.run.snapshot_objects,
        inv.findings.size(), inv.posture.size()));
    out << "\n";
  }

  // Why this severity: the criteria met with their first evidence, those likely benign, the
  // assumptions.
  void why() {
    if (undetermined) {
      line(s(bold, "Why undetermined"));
      line("  " + inc.undetermined);
    } else {
      line(s(bold, fmt::format("Why {}", util::severity_title(inc.severity))));
    }
    for (const auto& c : inc.criteria) {
      if (c.likely_benign) continue;
      line(fmt::format("  {} {} — {}", c.level == inc.severity ? "■" : "□",
                       s(level_color(c.level), std::string(util::severity_title(c.level))),
                       util::visible(c.criterion)));
      size_t shown = 0;
      for (const auto& e : c.evidence) {
        if (shown == (c.level == inc.severity ? 3u : 1u)) {
          line(fmt::format("      … {} more", c.evidence.size() - shown));
          break;
        }
        std::string t = format_time(e.time);
        if (t.size() > 20) t = t.substr(0, 19) + "Z";
        if (e.time == kNoTime) t.clear();
        std::string at = width ? util::fit(where(e), 32) : where(e);  // the text goes first
        line(fmt::format("      {}  {}  [{}]", t,
                         field(e.text, 6 + t.size() + 2 + 2 + util::display_width(at) + 2), at));
        ++shown;
      }
    }
    for (const auto& c : inc.criteria)
      if (c.likely_benign)
        line(fmt::format("  – {} — {} (not counted: likely benign)", util::severity_title(c.level),
                         util::visible(c.criterion)));
    for (const auto& a : inc.assumptions) line("  assumed: " + util::visible(a));
  }

  // The first lines of the timeline.
  void timeline() {
    out << "\n";
    line(s(bold, "Timeline"));
    const size_t max_lines = 18;
    size_t n = 0;
    for (const auto& t : inc.timeline) {
      if (n++ == max_lines) {
        line(fmt::format("  … {} more lines (incident.json, report.md)",
                         inc.timeline.size() - max_lines));
        break;
      }
      line("  " + util::visible(timeline_line(t)));
    }
    if (inc.timeline.empty()) line("  (no event behind a finding)");
  }

  // What the incident affects, by kind and name, with why.
  void affected() {
    out << "\n";
    line(s(bold, fmt::format("Affected ({})", inc.affected.size())));
    // The name column: 44 wide, narrower on a narrow terminal.
    size_t name_width = width ? std::clamp<size_t>(width > 22 ? (width - 22) / 2 : 12, 12, 44) : 44;
    size_t shown = 0;
    for (const auto& a : inc.affected) {
      if (shown++ == 16) {
        line(fmt::format("  … {} more", inc.affected.size() - 16));
        break;
      }
      std::string name = a.ns.empty() ? a.name : a.ns + "/" + a.name;
      // On a terminal cut to the column; else whole, padded to it.
      std::string cell = util::pad(name, width ? name_width : util::display_width(name));
      if (!width) cell.append(name_width - std::min(name_width, util::display_width(name)), ' ');
      line(fmt::format("  {} {} {}", fmt::format("{:<16}", util::visible(a.kind)), cell,
                       field(a.why, 2 + 16 + 1 + name_width + 1)));
    }
  }

  // ATT&CK: each tactic with the techniques under it that the incident's findings cite.
  void attack() {
    if (const AttackView attack = attack_view(inv); !attack.tactics.empty()) {
      out << "\n";
      line(s(bold, fmt::format("ATT&CK ({} tactic{}, {} technique{})", attack.tactics.size(),
                               attack.tactics.size() == 1 ? "" : "s", attack.techniques.size(),
                               attack.techniques.size() == 1 ? "" : "s")));
      for (const auto& tactic : attack.tactics) {
        std::vector<std::string> ids;
        for (const auto& t : attack.techniques)
          if (std::find(t.tactics.begin(), t.tactics.end(), tactic) != t.tactics.end())
            ids.push_back(t.id);
        std::sort(ids.begin(), ids.end());
        std::string techniques =
            ids.empty() ? "(named by an alert, no technique)" : rules::join_ids(ids);
        line(fmt::format("  {:<21} {}", tactic, field(techniques, 2 + 21 + 1)));
      }
    }
  }

  // When it began and when a detector first saw it.
  void metrics() {
    const Metrics& m = inc.metrics;
    out << "\n";
    line(s(bold, "Metrics"));
    line(fmt::format(
        "  first malicious event {}  first detection {}  time to detection {}",
        m.first_malicious == kNoTime ? "not known" : format_time(m.first_malicious),
        m.first_detection == kNoTime ? "none in the evidence" : format_time(m.first_detection),
        m.first_malicious == kNoTime || m.first_detection == kNoTime
            ? "not known"
            : util::human_duration(*util::seconds_between(m.first_malicious, m.first_detection))));
    if (m.implausible_times)
      line(fmt::format("  {} timeline line{} with implausible times left out (see the gaps)",
                       m.implausible_times, m.implausible_times == 1 ? "" : "s"));
  }

  // The findings recognised as likely benign, with why.
  void likely_benign() {
    if (!inc.likely_benign.empty()) {
      out << "\n";
      line(s(bold, fmt::format("Likely benign ({})", inc.likely_benign.size())));
      size_t k = 0;
      for (const auto& b : inc.likely_benign) {
        if (k++ == 6) {
          line(fmt::format("  … {} more", inc.likely_benign.size() - 6));
          break;
        }
        line(fmt::format("  {} — {}", width ? util::fit(b.title, 60) : util::visible(b.title),
                         util::visible(b.reason)));
      }
    }
  }

  // What the scope followed beyond the rules, and where it stopped.
  void scope() {
    size_t pulled = 0, repeats = 0;
    for (const auto& t : inc.timeline)
      if (t.text.find(" — no rule fired; ") != std::string::npos) {
        ++pulled;
        repeats += t.repeats;
      }
    if (pulled || !inc.not_expanded.empty()) {
      out << "\n";
      line(s(bold, "Scope"));
      if (pulled)
        line(fmt::format(
            "  {} timeline line{} no rule fired on{}: the attacker's credentials, addresses and "
            "what "
            "they made, followed to a fixed point",
            pulled, pulled == 1 ? "" : "s",
            repeats ? fmt::format(" ({} more of the same counted on them)", repeats) : ""));
      size_t k = 0;
      for (const auto& [entity, why] : inc.not_expanded) {
        if (k++ == 5) {
          line(fmt::format("  … {} more not followed (incident.json not_expanded)",
                           inc.not_expanded.size() - 5));
          break;
        }
        line("  not followed: " + util::visible(entity + " — " + why));
      }
    }
  }

  // What the evidence does not show.
  void gaps() {
    if (!inc.gaps.empty()) {
      out << "\n";
      line(s(bold, "Gaps in the evidence"));
      // One line each: a first_seen rule's example values stay in incident.json and the report.
      for (const auto& g : inc.gaps) {
        std::string_view text = g;
        size_t eg = text.rfind(" (e.g. ");
        if (text.starts_with("withheld: ") && eg != std::string_view::npos)
          text = text.substr(0, eg);
        line("  " + util::visible(text));
      }
    }
  }

  // The leads that are not part of the incident.
  void leads() {
    if (!inv.leads.empty()) {
      out << "\n";
      line(s(bold, fmt::format("Other leads ({}, not part of this incident)", inv.leads.size())));
      size_t k = 0;
      for (const auto& l : inv.leads) {
        if (k++ == 6) {
          line(fmt::format("  … {} more (incident.json)", inv.leads.size() - 6));
          break;
        }
        std::string count =
            fmt::format(" ({} finding{})", l.findings.size(), l.findings.size() == 1 ? "" : "s");
        line(fmt::format(
            "  {:<7} {} {}{}", util::visible(l.id),
            s(level_color(l.severity), fmt::format("{:<8}", util::severity_title(l.severity))),
            field(l.title, 2 + 8 + 9 + count.size()), count));
      }
    }
  }

  // What to do next.
  void next_steps() {
    out << "\n";
    line(s(bold, "Next steps"));
    size_t i = 1;
    for (const auto& step : inc.next_steps) line(fmt::format("  {}. {}", i++, util::visible(step)));
  }

  static constexpr std::string_view bold = util::sgr::kBold;
  const Investigation& inv;
  const Incident& inc;
  std::ostream& out;
  const util::Paint s;
  const size_t width;
  const bool undetermined = !inc.undetermined.empty();
};

}  // namespace

void write_summary(const Investigation& inv, std::ostream& out, bool color, size_t width) {
  SummaryWriter(inv, out, color, width).write();
}

}  // namespace eksir::incident
