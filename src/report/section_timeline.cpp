// The report's timeline and its times: first and last malicious activity, detection and
// containment.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/sections.h"
#include "respond/respond.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report::sections {

namespace {

std::string layer_of(std::string_view source, std::string_view tag) {
  if (tag == "RESPONSE") return "Response";
  std::string s = util::ascii_lower(source);
  if (s.find("cloudtrail") != std::string::npos) return "CloudTrail";
  if (s.find("guardduty") != std::string::npos) return "GuardDuty";
  if (s.find("falco") != std::string::npos) return "Falco";
  if (s.find("edr") != std::string::npos || s.find("ocsf") != std::string::npos ||
      s.find("xdr") != std::string::npos)
    return "EDR";
  if (s.find("audit") != std::string::npos || s.find("kubernetes") != std::string::npos ||
      s.find("k8s") != std::string::npos)
    return "Kubernetes audit";
  return "Other";
}

// A pin's source (hunt's source names) as the timeline names sources.
std::string source_label(std::string_view source) {
  static const std::map<std::string, std::string, std::less<>> labels = {
      {"cloudtrail", "CloudTrail"}, {"k8s_audit", "Kubernetes audit"},
      {"guardduty", "GuardDuty"},   {"falco", "Falco"},
      {"ocsf", "EDR (OCSF)"},       {"vulnerability", "vulnerability scan"}};
  auto it = labels.find(source);
  return it != labels.end() ? it->second : valid_utf8(source);
}

}  // namespace

void timeline(const CaseData& ctx, Report& rep, Found& found) {
  for (const auto& e : ctx.inc.timeline) {
    TimelineLine l;
    l.time = e.time;
    l.tag = std::string(incident::tag_name(e.tag));
    l.text = t(e.text);
    l.source = t(e.source);
    l.confidence = t(e.confidence);
    l.evidence = evidence_ref(e.evidence);
    if (l.evidence.source.empty()) l.evidence.source = l.source;
    if (l.evidence.time == kNoTime) l.evidence.time = l.time;
    l.layer = layer_of(l.source, l.tag);
    l.implausible = e.implausible_time;
    rep.timeline.push_back(std::move(l));
  }
  // What the analyst pinned from hunts: on the chart's row of its source, never a metric.
  for (const auto& p : ctx.in.pins) {
    TimelineLine l;
    l.time = p.time;
    l.tag = "ANALYST";
    l.text = fmt::format("{} — pinned by {} at {}, query `{}`", valid_utf8(p.text),
                         valid_utf8(p.author), time_seconds(p.pinned), valid_utf8(p.query));
    if (!p.note.empty()) l.text += ": " + valid_utf8(p.note);
    l.source = source_label(p.source);
    l.layer = layer_of(p.source, l.tag);
    l.evidence.source = l.source;
    l.evidence.file = valid_utf8(p.file);
    l.evidence.line = p.line;
    l.evidence.event_id = valid_utf8(p.event_id);
    l.evidence.time = p.time;
    rep.timeline.push_back(std::move(l));
  }
  // Whatever the incident says (an older run, a hand-edited document), no time outside what
  // evidence can carry sets the metrics or the chart's axis.
  std::vector<TimeNs> times;
  for (const auto& l : rep.timeline) times.push_back(l.time);
  auto verdicts = util::implausible_times(times, now(ctx, rep));
  for (size_t i = 0; i < rep.timeline.size(); ++i)
    if (verdicts[i] != util::Implausible::No) rep.timeline[i].implausible = true;
  for (const auto& t : respond::response_timeline(ctx.in.journal)) {
    TimelineLine l;
    l.time = t.time;
    l.tag = "RESPONSE";
    l.text = valid_utf8(t.text);
    l.source = valid_utf8(t.source);
    l.confidence = valid_utf8(t.confidence);
    l.layer = "Response";
    l.evidence.source = "response journal";
    if (!t.step_id.empty()) l.evidence.event_id = "journal step " + valid_utf8(t.step_id);
    l.evidence.time = l.time;
    rep.timeline.push_back(std::move(l));
  }
  std::stable_sort(rep.timeline.begin(), rep.timeline.end(),
                   [](const TimelineLine& a, const TimelineLine& b) {
                     // Lines without a time go last, in their given order.
                     if ((a.time == kNoTime) != (b.time == kNoTime)) return b.time == kNoTime;
                     return a.time < b.time;
                   });
  for (const auto& l : rep.timeline) {
    if (l.time == kNoTime || l.implausible) continue;
    if (l.tag == "INCIDENT") {
      if (found.first_incident == nullptr) found.first_incident = &l;
      found.last_incident = &l;
    } else if (l.tag == "DETECTION" && found.first_detection == nullptr) {
      found.first_detection = &l;
    }
  }
}

void times(const CaseData& ctx, Report& rep, Found& found) {
  const incident::Metrics& m = ctx.inc.metrics;
  found.first_malicious = m.first_malicious;
  if (found.first_malicious == kNoTime && found.first_incident)
    found.first_malicious = found.first_incident->time;
  found.last_malicious = m.last_malicious;
  if (found.last_malicious == kNoTime && found.last_incident)
    found.last_malicious = found.last_incident->time;
  rep.discovered = m.first_detection;
  if (rep.discovered == kNoTime && found.first_detection)
    rep.discovered = found.first_detection->time;
  respond::ResponseMetrics done = respond::response_metrics(ctx.in.journal);
  rep.contained = m.contained;
  if (rep.contained != kNoTime) {
    rep.contained_basis = "the incident's metrics";
  } else if ((rep.contained = done.contained) != kNoTime) {
    rep.contained_basis = "the last successful containment step in the journal";
  }
  if (ctx.in.info.status == "closed" && ctx.in.info.closed != kNoTime) {
    rep.resolved = ctx.in.info.closed;
    rep.resolved_basis = "the case was closed";
  } else if ((rep.resolved = m.recovered) != kNoTime) {
    rep.resolved_basis = "the incident's metrics";
  } else if ((rep.resolved = done.recovered) != kNoTime) {
    rep.resolved_basis = "the last successful recovery step in the journal";
  }
}

}  // namespace eksir::report::sections
