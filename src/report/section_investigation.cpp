// The report's investigation: what was examined, what it showed, and how confident it is.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "report/sections.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report::sections {

namespace {

// The runs the case records; without them, the investigation's own run.
void runs(const CaseData& ctx, Report& rep) {
  const incident::RunInfo& run = ctx.inv.run;
  for (const auto& rr : ctx.in.runs) {
    RunInfo ri;
    ri.id = rr.id;
    ri.started = rr.started;
    ri.finished = rr.finished;
    ri.operator_name = valid_utf8(rr.operator_name);
    ri.tool_version = valid_utf8(rr.tool_version);
    ri.severity = valid_utf8(rr.severity);
    ri.inputs = rr.inputs.size();
    ri.findings = static_cast<size_t>(rr.finding_count);
    for (const auto& s : rr.rule_sources) ri.rule_sources.push_back(valid_utf8(s));
    rep.runs.push_back(std::move(ri));
  }
  if (rep.runs.empty() && ctx.has_incident) {
    RunInfo ri;
    ri.id = run.id;
    ri.started = run.started;
    ri.finished = run.finished;
    ri.operator_name = t(run.operator_name);
    ri.tool_version = t(run.tool_version);
    ri.severity = rep.severity;
    ri.inputs = run.inputs.size();
    ri.findings = ctx.inv.findings.size();
    for (const auto& p : run.rule_paths) ri.rule_sources.push_back(t(p));
    rep.runs.push_back(std::move(ri));
  }
}

// The events of each source, the sources missing, and the input files.
void inputs(const CaseData& ctx, Report& rep) {
  const incident::RunInfo& run = ctx.inv.run;
  static const std::vector<std::pair<Source, const char*>> sources = {
      {Source::CloudTrail, "CloudTrail"}, {Source::K8sAudit, "Kubernetes audit"},
      {Source::GuardDuty, "GuardDuty"},   {Source::Falco, "Falco"},
      {Source::Ocsf, "EDR (OCSF)"},       {Source::Vulnerability, "vulnerability scan"}};
  for (const auto& [source, label] : sources) {
    auto n = run.stats.events_by_source.find(source);
    if (n == run.stats.events_by_source.end()) continue;
    rep.events_by_source.emplace_back(
        label, static_cast<int64_t>(std::min<uint64_t>(n->second, INT64_MAX)));
    if (n->second == 0)
      rep.missing_sources.push_back(fmt::format("no {} events among the inputs", label));
  }
  if (ctx.has_incident && run.snapshot_files == 0)
    rep.missing_sources.push_back("no cluster snapshot (kubectl get … -o json) among the inputs");
  std::vector<std::string> paths;
  for (const auto& i : run.inputs) {
    rep.inputs.push_back(fmt::format("{} ({} bytes{})", t(i.path), i.size,
                                     i.sha256.empty() ? "" : ", sha256 " + t(i.sha256)));
    rep.input_files.push_back({t(i.path), t(i.sha256), i.size});
    paths.push_back(rep.input_files.back().path);
  }
  rep.evidence_root = common_folder(paths);
  rep.skipped = static_cast<int64_t>(std::min<uint64_t>(run.stats.skipped, INT64_MAX));
}

// One finding added to its rule's result: hits, first and last match, the first evidence.
void add_finding(const detect::Finding& f, const std::string& fid, const std::string& rid,
                 const util::PlausibleRange& plausible, RuleResult& rr) {
  ++rr.findings;
  rr.hits += f.count > 0 ? f.count : 1;
  // A rule's first and last match as the evidence dates them, implausible dates left out.
  TimeNs first = plausible.contains(f.first_seen) ? f.first_seen : kNoTime;
  TimeNs last = plausible.contains(f.last_seen) ? f.last_seen : kNoTime;
  if (first != kNoTime && (rr.first == kNoTime || first < rr.first)) rr.first = first;
  if (last != kNoTime && (rr.last == kNoTime || last > rr.last)) rr.last = last;
  for (const auto& e : f.evidence) {
    if (rr.evidence.size() >= 5) break;
    EvidenceRef ref;
    ref.source = std::string(source_name(e.source));
    ref.file = t(e.file);
    ref.line = e.line;
    ref.record = e.record;
    ref.time = e.time;
    ref.event_id = t(e.event_id);
    ref.finding = fid;
    ref.rule = rid;
    rr.evidence.push_back(std::move(ref));
  }
}

// Findings of the incident, grouped by rule, the most severe rules first.
void rule_results(const CaseData& ctx, Report& rep) {
  std::set<std::string> incident_ids;
  for (const auto& f : ctx.inc.findings) incident_ids.insert(t(f));
  std::map<std::string, RuleResult> by_rule;
  std::vector<std::string> order;
  const util::PlausibleRange plausible = util::plausible_range(now(ctx, rep));
  for (const auto& f : ctx.inv.findings) {
    std::string fid = t(f.id);
    if (!incident_ids.empty() && !incident_ids.count(fid)) continue;
    ++rep.findings_total;
    std::string rid = t(f.rule_id);
    if (rid.empty()) rid = "(unnamed rule)";
    auto [it, fresh] = by_rule.try_emplace(rid);
    RuleResult& rr = it->second;
    if (fresh) {
      order.push_back(rid);
      rr.rule = rid;
      rr.title = t(f.rule_title);
      if (rr.title.empty()) rr.title = t(f.title);
      rr.origin = t(f.origin);
      rr.severity = std::string(rules::severity_name(f.severity));
    }
    add_finding(f, fid, rid, plausible, rr);
  }
  for (const auto& rid : order) rep.rules.push_back(std::move(by_rule[rid]));
  static const std::map<std::string, int> rank = {
      {"critical", 0}, {"high", 1}, {"medium", 2}, {"low", 3}, {"info", 4}};
  std::stable_sort(rep.rules.begin(), rep.rules.end(),
                   [](const RuleResult& a, const RuleResult& b) {
                     auto ra = rank.count(a.severity) ? rank.at(a.severity) : 5;
                     auto rb = rank.count(b.severity) ? rank.at(b.severity) : 5;
                     if (ra != rb) return ra < rb;
                     return a.first < b.first;
                   });
}

// MITRE ATT&CK: the techniques the incident's findings cite (the Navigator layer's content).
void attack(const CaseData& ctx, Report& rep) {
  const incident::AttackView attack = incident::attack_view(ctx.inv);
  for (const auto& tac : attack.tactics) rep.attack_tactics.push_back(t(tac));
  for (const auto& tech : attack.techniques) {
    AttackRow row;
    row.technique = t(tech.id);
    row.name = rules::technique_name(tech.id);
    for (const auto& tac : tech.tactics) row.tactics.push_back(t(tac));
    for (const auto& title : tech.titles) row.titles.push_back(t(title));
    for (const auto& c : tech.criteria) row.criteria.push_back(t(c));
    row.findings = tech.findings.size();
    row.severity = std::string(rules::severity_name(tech.severity));
    rep.attack.push_back(std::move(row));
  }
}

// Key evidence: what the severity rests on, then what the attack chain rests on; by time, the
// undated last.
void key_evidence(Report& rep) {
  std::set<std::string> seen;
  auto add = [&](const std::string& text, const EvidenceRef& ref) {
    if (ref.empty()) return;
    std::string key = ref.file + ":" + std::to_string(ref.line) + "|" + ref.event_id;
    if (!seen.insert(key).second) return;
    rep.key_evidence.push_back({text, ref});
  };
  for (const auto& c : rep.criteria)
    for (const auto& e : c.evidence) add(e.text, e.ref);
  for (const auto& l : rep.timeline)
    if (l.tag != "RESPONSE") add(l.text, l.evidence);
  std::stable_sort(rep.key_evidence.begin(), rep.key_evidence.end(),
                   [](const EvidenceItem& a, const EvidenceItem& b) {
                     if ((a.ref.time == kNoTime) != (b.ref.time == kNoTime))
                       return b.ref.time == kNoTime;
                     return a.ref.time < b.ref.time;
                   });
}

// What the conclusions are less sure of: findings likely benign, assumptions, entities not
// followed, gaps (also the first of the missing sources).
void confidence(const CaseData& ctx, Report& rep) {
  for (const auto& b : ctx.inc.likely_benign) {
    std::string title = t(b.title);
    if (title.empty()) title = t(b.rule);
    rep.likely_benign.push_back(fmt::format("{}: {}", title, t(b.reason)));
  }
  for (const auto& a : ctx.inc.assumptions) rep.assumptions.push_back(t(a));
  for (const auto& [entity, why] : ctx.inc.not_expanded)
    rep.not_followed.push_back(fmt::format("{}: {}", t(entity), t(why)));
  for (const auto& g : ctx.inc.gaps) {
    rep.gaps.push_back(t(g));
    rep.missing_sources.insert(
        rep.missing_sources.begin() + static_cast<std::ptrdiff_t>(rep.gaps.size() - 1), t(g));
  }
}

// What to look at next: the leads, the critical and high posture results, the next steps.
void next(const CaseData& ctx, Report& rep) {
  for (const auto& l : ctx.inv.leads)
    rep.leads.push_back(
        fmt::format("{} [{}] {}", t(l.id), util::severity_title(l.severity), t(l.title)));
  for (const auto& p : ctx.inv.posture) {
    if (p.severity != cluster::Severity::Critical && p.severity != cluster::Severity::High)
      continue;
    rep.posture.push_back(fmt::format("[{}] {} {}{}: {}", cluster::severity_name(p.severity),
                                      t(p.kind), p.ns.empty() ? "" : t(p.ns) + "/", t(p.name),
                                      t(p.message)));
  }
  for (const auto& s : ctx.inc.next_steps) rep.next_steps.push_back(t(s));
}

}  // namespace

void investigation(const CaseData& ctx, Report& rep, Found&) {
  runs(ctx, rep);
  inputs(ctx, rep);
  rule_results(ctx, rep);
  attack(ctx, rep);
  key_evidence(rep);
  confidence(ctx, rep);
  next(ctx, rep);
}

}  // namespace eksir::report::sections
