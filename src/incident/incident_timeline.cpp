// The timeline of an incident: one line per event behind its findings (records that read the same
// line folded into one, counted), the records the scope pulled in that no finding cites, and
// where the affected pods were scheduled.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "incident/incident_parts.h"
#include "util/time.h"

namespace eksir::incident {
namespace {

// The same activity done again: how many times, when (the earliest and the latest), and the
// ids of those kept.
struct Repeats {
  uint64_t count = 0;
  TimeNs from = kNoTime, until = kNoTime;
  std::vector<std::string> also;
  static Repeats of(const EventFacts& ef) {
    return {ef.repeats, ef.repeats_from, ef.repeats_until, ef.also};
  }
  void widen(TimeNs t) {
    if (t == kNoTime) return;
    if (from == kNoTime || t < from) from = t;
    if (until == kNoTime || t > until) until = t;
  }
};

// Counts the repeats on the line that stands for them.
void add_repeats(TimelineEntry& t, Repeats r) {
  if (!r.count) return;
  t.repeats = r.count;
  // The first time is this record's own when the others all came after it.
  t.from = r.from == kNoTime ? kNoTime : std::min(r.from, t.time);
  t.until = r.until;
  t.also = std::move(r.also);
  if (t.from != kNoTime && t.from < t.time)
    t.text += fmt::format(" — and {} more time{} between {} and {}", r.count,
                          r.count == 1 ? "" : "s", format_time(t.from), format_time(t.until));
  else
    t.text += fmt::format(" — and {} more time{} until {}", r.count, r.count == 1 ? "" : "s",
                          format_time(t.until));
}

// The findings behind one event: the most severe, their titles (each once), and whether all are
// likely benign.
struct Cited {
  const FindingFacts* top = nullptr;
  std::vector<std::string> titles;
  bool all_benign = true;
};

Cited cited_by(const std::vector<const FindingFacts*>& ffs) {
  Cited c;
  c.top = ffs.front();
  for (const auto* ff : ffs) {
    if (std::find(c.titles.begin(), c.titles.end(), ff->finding->title) == c.titles.end())
      c.titles.push_back(ff->finding->title);
    if (!ff->benign) c.all_benign = false;
    if (ff->finding->severity > c.top->finding->severity) c.top = ff;
  }
  return c;
}

// The line of an event behind findings, but for its tag, time and text.
TimelineEntry finding_line(const EventFacts& ef, const Cited& c) {
  TimelineEntry t;
  t.source = std::string(source_label(ef.event->source));
  t.evidence.finding = c.top->finding->id;
  t.evidence.rule = c.top->finding->rule_id;
  t.evidence.file = ef.event->file;
  t.evidence.line = ef.event->line;
  t.evidence.record = ef.event->record;
  t.evidence.event_id = ef.event_id;
  t.evidence.source = t.source;
  t.confidence = confidence_of(*c.top->finding, c.all_benign);
  t.informational = c.top->finding->severity == detect::Severity::Info;
  return t;
}

// A detector's alert: its line at the detection, and lines at the activity's first and last
// sight when the detector reports them.
void add_alert_lines(std::vector<TimelineEntry>& timeline, TimelineEntry t, const EventFacts& ef,
                     const FindingFacts& top, const std::string& suffix) {
  t.tag = Tag::Detection;
  t.time = ef.detected != kNoTime ? ef.detected : ef.event->time;
  t.text = fmt::format("{}: {}{}{}", t.source, top.finding->title,
                       ef.summary.target.empty() ? "" : " — " + ef.summary.target, suffix);
  t.evidence.time = t.time;
  timeline.push_back(t);
  if (ef.first_seen != kNoTime && ef.first_seen < t.time) {
    TimelineEntry a = t;
    a.tag = Tag::Incident;
    a.time = ef.first_seen;
    a.text = fmt::format("activity {} later reported ({}){}", t.source, top.finding->title, suffix);
    a.evidence.time = a.time;
    timeline.push_back(std::move(a));
  }
  if (ef.last_seen != kNoTime && ef.first_seen != kNoTime && ef.last_seen > ef.first_seen) {
    // The activity went on until GuardDuty last saw it.
    TimelineEntry a = t;
    a.tag = Tag::Incident;
    a.time = ef.last_seen;
    a.text = fmt::format("activity {} reported still going on ({}){}", t.source, top.finding->title,
                         suffix);
    a.evidence.time = a.time;
    timeline.push_back(std::move(a));
  }
}

using ByEvent = std::map<const EventFacts*, std::vector<const FindingFacts*>>;

// Records that read the same line, shown as one.
struct Fold {
  TimelineEntry line;
  std::vector<const EventFacts*> members;
};

// The lines of the events behind the findings: an alert's added, the others' folded.
std::vector<Fold> finding_lines(Incident& inc, const ByEvent& by_event) {
  std::vector<Fold> folds;
  std::unordered_map<std::string, size_t> same_line;
  for (const auto& [ef, ffs] : by_event) {
    Cited c = cited_by(ffs);
    TimelineEntry t = finding_line(*ef, c);
    std::string suffix = c.all_benign ? " — likely benign: " + c.top->benign->reason : "";
    if (c.top->alert) {
      add_alert_lines(inc.timeline, std::move(t), *ef, *c.top, suffix);
      continue;
    }
    t.tag = Tag::Incident;
    if (c.titles.size() > 4) {
      size_t more = c.titles.size() - 4;
      c.titles.resize(4);
      c.titles.push_back(fmt::format("{} more", more));
    }
    t.text = fmt::format("{} — {}{}", ef->sentence, fmt::join(c.titles, "; "), suffix);
    // Records that would read the same line (the same call again, cited by the same finding) are
    // one line, counted.
    std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{:d}", t.text, t.evidence.finding,
                                  t.confidence, t.informational);
    auto [it, fresh] = same_line.try_emplace(std::move(key), folds.size());
    if (fresh) folds.push_back({std::move(t), {}});
    folds[it->second].members.push_back(ef);
  }
  return folds;
}

void add_folds(Incident& inc, std::vector<Fold>& folds, const ScopeFacts* sc) {
  for (auto& fold : folds) {
    // Shown at its earliest record; the others, and the same call again past the records the
    // findings cite (the main incident's scope counts those), are its repeats.
    const EventFacts* rep = *std::min_element(
        fold.members.begin(), fold.members.end(), [](const EventFacts* a, const EventFacts* b) {
          return std::tie(a->event->time, a->event->file, a->event->line, a->event->record) <
                 std::tie(b->event->time, b->event->file, b->event->line, b->event->record);
        });
    TimelineEntry& t = fold.line;
    t.time = rep->event->time;
    t.evidence.time = t.time;
    t.evidence.file = rep->event->file;
    t.evidence.line = rep->event->line;
    t.evidence.record = rep->event->record;
    t.evidence.event_id = rep->event_id;
    Repeats r;
    std::set<std::string> also;
    for (const EventFacts* m : fold.members) {
      if (m != rep) {
        r.count += 1;
        r.widen(m->event->time);
        if (!m->event_id.empty()) also.insert(m->event_id);
      }
      if (!sc || !m->repeats) continue;
      r.count += m->repeats;
      r.widen(m->repeats_from);
      r.widen(m->repeats_until);
      also.insert(m->also.begin(), m->also.end());
    }
    also.erase(rep->event_id);
    r.also.assign(also.begin(), std::next(also.begin(), std::min(also.size(), kMaxAlsoIds)));
    add_repeats(t, r);
    inc.timeline.push_back(std::move(t));
  }
}

// The line of a record the scope pulled in that no finding of the incident cites.
TimelineEntry pulled_line(const EventFacts& ef, const Pulled& pulled) {
  TimelineEntry t;
  t.tag = Tag::Incident;
  t.time = ef.event->time;
  t.source = std::string(source_label(ef.event->source));
  t.confidence = "Medium";
  // A kept event is one a rule matched, past the records its finding cites.
  if (!ef.matched)
    t.text = fmt::format("{} — no rule fired; {}", ef.sentence, pulled.why);
  else if (ef.matched->empty())
    t.text = fmt::format("{} — a rule matched it (not among the records its finding cites); {}",
                         ef.sentence, pulled.why);
  else
    t.text = fmt::format("{} — {} (not among the records its finding cites); {}", ef.sentence,
                         *ef.matched, pulled.why);
  add_repeats(t, Repeats::of(ef));
  t.evidence.file = ef.event->file;
  t.evidence.line = ef.event->line;
  t.evidence.record = ef.event->record;
  t.evidence.event_id = ef.event_id;
  t.evidence.source = t.source;
  t.evidence.time = t.time;
  t.evidence.text = pulled.why;
  return t;
}

// The records the scope pulled in that no finding of the incident cites.
void add_pulled_lines(Incident& inc, const ByEvent& by_event, const ScopeFacts& sc) {
  std::set<const EventFacts*> seen;
  for (const auto& [ef, ffs] : by_event) seen.insert(ef);
  for (const auto& [ef, pulled] : sc.pulled) {
    if (!seen.insert(ef).second || ef->pod_binding || !ef->event) continue;
    Source src = ef->event->source;
    if (src != Source::CloudTrail && src != Source::K8sAudit) continue;
    inc.timeline.push_back(pulled_line(*ef, pulled));
  }
}

// Where the affected pods were scheduled.
void add_scheduling_lines(Incident& inc,
                          const std::map<std::string, const EventFacts*>& binding_by_pod,
                          const ScopeFacts* sc) {
  for (const auto& a : inc.affected) {
    if (a.kind != "pod") continue;
    auto it = binding_by_pod.find(a.ns + "/" + a.name);
    if (it == binding_by_pod.end()) continue;
    const EventFacts* ef = it->second;
    TimelineEntry t;
    t.tag = Tag::Incident;
    t.time = ef->event->time;
    t.source = std::string(source_label(ef->event->source));
    t.confidence = "High";
    t.text = fmt::format("pod {}/{} scheduled on node {}", a.ns, a.name,
                         a.attributes.count("node") ? a.attributes.at("node") : "?");
    // A pod the attacker did not make (a replica they exec into) was placed by its owner: where
    // it ran, not a step of the attack, and no bound of the attack's window.
    if (sc) {
      auto seed = sc->result.seeds.find("pod:" + a.ns + "/" + a.name);
      if (seed == sc->result.seeds.end() || seed->second.role != "created") {
        t.informational = true;
        t.text += " (where it ran: not made by the attacker)";
      }
    }
    t.evidence.file = ef->event->file;
    t.evidence.line = ef->event->line;
    t.evidence.record = ef->event->record;
    t.evidence.event_id = ef->event_id;
    t.evidence.source = t.source;
    t.evidence.time = t.time;
    inc.timeline.push_back(std::move(t));
  }
}

}  // namespace

void build_timeline(Incident& inc, const std::vector<const FindingFacts*>& group,
                    const std::map<std::string, const EventFacts*>& binding_by_pod,
                    const ScopeFacts* sc) {
  ByEvent by_event;
  for (const FindingFacts* ff : group)
    for (const auto* e : ff->events) by_event[e].push_back(ff);
  std::vector<Fold> folds = finding_lines(inc, by_event);
  add_folds(inc, folds, sc);
  if (sc) add_pulled_lines(inc, by_event, *sc);
  add_scheduling_lines(inc, binding_by_pod, sc);
  // Ties broken by the text, so that the order does not depend on where the records came from
  // (files or a store).
  std::stable_sort(inc.timeline.begin(), inc.timeline.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) {
                     if (a.time != b.time) return a.time < b.time;
                     if (a.tag != b.tag) return a.tag < b.tag;
                     return a.text < b.text;
                   });
}

}  // namespace eksir::incident
