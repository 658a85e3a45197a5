// From the case to the report's sections: everything the writers print is
// decided here.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <set>

#include "command/command.h"
#include "incident/incident.h"
#include "report/model.h"
#include "respond/respond.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report {
namespace {

// Text of the incident as the report shows it: bytes that are not UTF-8 replaced.
std::string t(std::string_view s) {
  return valid_utf8(s);
}

EvidenceRef evidence_ref(const incident::Evidence& e) {
  EvidenceRef r;
  r.source = t(e.source);
  r.file = t(e.file);
  r.line = e.line;
  r.record = e.record;
  r.event_id = t(e.event_id);
  r.finding = t(e.finding);
  r.rule = t(e.rule);
  r.time = e.time;
  return r;
}

// Whole seconds from one time to another as the incident document writes them: null (-1) when
// either is not known.
int64_t seconds_between(TimeNs from, TimeNs to) {
  if (from == kNoTime || to == kNoTime) return -1;
  return (to - from) / 1000000000LL;
}

const incident::Investigation& no_investigation() {
  static const incident::Investigation none;
  return none;
}

// An alert later than this after the attack began is called late.
constexpr int64_t kLateSeconds = 300;

bool contains(std::string_view hay, std::string_view needle) {
  return !needle.empty() &&
         util::ascii_lower(hay).find(util::ascii_lower(needle)) != std::string::npos;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

// Up to max names, then "and N more".
std::string list_some(const std::vector<std::string>& items, size_t max = 5) {
  if (items.size() <= max) return join(items, ", ");
  std::vector<std::string> head(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(max));
  return fmt::format("{} and {} more", join(head, ", "), items.size() - max);
}

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

std::string kind_label(std::string_view kind, size_t n) {
  static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> names = {
      {"cluster", {"cluster", "clusters"}},
      {"node", {"node", "nodes"}},
      {"instance", {"EC2 instance", "EC2 instances"}},
      {"pod", {"pod", "pods"}},
      {"workload", {"workload", "workloads"}},
      {"service_account", {"service account", "service accounts"}},
      {"binding", {"role binding", "role bindings"}},
      {"role", {"role", "roles"}},
      {"namespace", {"namespace", "namespaces"}},
      {"secret", {"secret", "secrets"}},
      {"iam_user", {"IAM user", "IAM users"}},
      {"iam_role", {"IAM role", "IAM roles"}},
      {"access_key", {"access key", "access keys"}},
      {"access_entry", {"access entry", "access entries"}},
      {"security_group", {"security group", "security groups"}},
      {"image", {"image", "images"}},
      {"ip", {"IP address", "IP addresses"}},
  };
  auto it = names.find(kind);
  if (it == names.end()) return std::string(kind);
  return n == 1 ? it->second.first : it->second.second;
}

std::string qualified(const Affected& a) {
  return a.ns.empty() ? a.name : a.ns + "/" + a.name;
}

// "impact: text" files a note under Impact; unprefixed notes belong to the
// investigation.
std::pair<std::string, std::string> note_section(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> prefixes = {
      {"summary", "summary"},
      {"timeline", "timeline"},
      {"investigation", "investigation"},
      {"impact", "impact"},
      {"containment", "actions"},
      {"remediation", "actions"},
      {"eradication", "actions"},
      {"recovery", "actions"},
      {"response", "actions"},
      {"actions", "actions"},
      {"root cause", "root_cause"},
      {"root-cause", "root_cause"},
      {"rootcause", "root_cause"},
      {"lessons learned", "lessons"},
      {"lessons", "lessons"},
      {"lesson", "lessons"},
      {"detection", "lessons"},
      {"metrics", "metrics"},
      {"metric", "metrics"},
  };
  size_t colon = text.find(':');
  if (colon != std::string::npos && colon <= 20) {
    std::string head = util::ascii_lower(text.substr(0, colon));
    while (!head.empty() && head.front() == ' ') head.erase(0, 1);
    while (!head.empty() && head.back() == ' ') head.pop_back();
    for (const auto& [p, section] : prefixes) {
      if (head == p) {
        std::string rest = text.substr(colon + 1);
        while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
        return {section, rest};
      }
    }
  }
  return {"investigation", text};
}

std::string first_line(std::string_view s, size_t max = 160) {
  while (!s.empty() && (s.front() == '\n' || s.front() == ' ')) s.remove_prefix(1);
  s = s.substr(0, s.find('\n'));
  std::string out = valid_utf8(s);
  if (out.size() > max) {
    size_t cut = max;  // at a character boundary
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "…";
  }
  return out;
}

int graph_layer(std::string_view kind) {
  if (kind == "ip") return 0;
  if (kind == "access_key" || kind == "iam_user" || kind == "iam_role" || kind == "access_entry" ||
      kind == "user" || kind == "k8s_user" || kind == "group")
    return 1;
  if (kind == "pod") return 3;
  if (kind == "node") return 4;
  if (kind == "instance") return 5;
  return 2;
}

class Builder {
 public:
  explicit Builder(const ReportInput& in)
      : in_(in),
        inv_(in.incident ? *in.incident : no_investigation()),
        inc_(inv_.incident),
        has_incident_(in.incident.has_value()) {}

  Report build() {
    r_.generated = in_.generated;
    if (r_.generated == kNoTime) r_.generated = util::now_ns();
    r_.case_dir = valid_utf8(in_.info.dir);
    r_.case_status = valid_utf8(in_.info.status);
    r_.close_reason = valid_utf8(in_.info.close_reason);
    r_.has_incident = has_incident_;
    summary_facts();
    notes();
    timeline();
    investigation();
    actions();
    times();
    impact();
    root_cause();
    lessons();
    metrics();
    executive_summary();
    graph();
    return std::move(r_);
  }

 private:
  void summary_facts() {
    r_.id = t(inc_.id);
    if (r_.id.empty()) r_.id = t(inv_.run.case_id);
    if (r_.id.empty()) r_.id = valid_utf8(in_.info.id);
    r_.title = t(inc_.title);
    if (r_.title.empty()) r_.title = valid_utf8(in_.info.title);
    r_.type = t(inc_.type);
    if (has_incident_ && !inc_.undetermined.empty()) {
      r_.undetermined = t(inc_.undetermined);
    } else {
      if (has_incident_) r_.severity = std::string(util::severity_title(inc_.severity));
      if (r_.severity.empty()) r_.severity = valid_utf8(in_.info.severity);
    }
    r_.cluster = t(inc_.cluster.name);
    r_.region = t(inc_.cluster.region);
    r_.account = t(inc_.cluster.account);
    r_.cluster_arn = t(inc_.cluster.arn);
    if (has_incident_) {
      r_.production_known = true;
      r_.production = inc_.production;
    }
    for (const auto& c : inc_.criteria) {
      Criterion cr;
      cr.level = std::string(util::severity_title(c.level));
      cr.id = t(c.id);
      cr.text = t(c.criterion);
      cr.likely_benign = c.likely_benign;
      for (const auto& e : c.evidence) cr.evidence.push_back({t(e.text), evidence_ref(e)});
      r_.criteria.push_back(std::move(cr));
    }
    for (const auto& a : inc_.affected) {
      Affected af;
      af.kind = t(a.kind);
      af.name = t(a.name);
      af.ns = t(a.ns);
      af.id = t(a.id);
      af.why = t(a.why);
      af.findings = a.findings.size();
      for (const auto& [k, v] : a.attributes)
        if (!v.empty()) af.attributes.emplace_back(t(k), t(v));
      if (af.name.empty() && af.id.empty()) continue;
      r_.affected.push_back(std::move(af));
    }
    r_.images = vulnerable_images(r_.affected);
    for (const auto& a : r_.affected) by_kind_[a.kind].push_back(qualified(a));
    if (!r_.cluster.empty()) {
      std::string line = "EKS cluster " + r_.cluster;
      std::vector<std::string> where;
      if (!r_.region.empty()) where.push_back(r_.region);
      if (!r_.account.empty()) where.push_back("account " + r_.account);
      if (r_.production_known) where.push_back(r_.production ? "production" : "not production");
      if (!where.empty()) line += " (" + join(where, ", ") + ")";
      r_.affected_systems.push_back(line);
    }
    for (const auto& [kind, names] : by_kind_) {
      if (kind == "cluster" && names.size() == 1 && names[0] == r_.cluster) continue;
      r_.affected_systems.push_back(
          fmt::format("{} {}: {}", names.size(), kind_label(kind, names.size()), list_some(names)));
    }
    r_.investigation_summary = t(inc_.summary);
  }

  void notes() {
    for (const auto& n : in_.notes) {
      auto [section, text] = note_section(valid_utf8(n.text));
      r_.notes[section].push_back({n.time, valid_utf8(n.author), text});
    }
  }

  void timeline() {
    for (const auto& e : inc_.timeline) {
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
      r_.timeline.push_back(std::move(l));
    }
    // What the analyst pinned from hunts: on the chart's row of its source, never a metric.
    for (const auto& p : in_.pins) {
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
      r_.timeline.push_back(std::move(l));
    }
    // Whatever the incident says (an older run, a hand-edited document), no time outside what
    // evidence can carry sets the metrics or the chart's axis.
    std::vector<TimeNs> times;
    for (const auto& l : r_.timeline) times.push_back(l.time);
    auto verdicts = util::implausible_times(times, now());
    for (size_t i = 0; i < r_.timeline.size(); ++i)
      if (verdicts[i] != util::Implausible::No) r_.timeline[i].implausible = true;
    for (const auto& t : respond::response_timeline(in_.journal)) {
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
      r_.timeline.push_back(std::move(l));
    }
    std::stable_sort(r_.timeline.begin(), r_.timeline.end(),
                     [](const TimelineLine& a, const TimelineLine& b) {
                       // Lines without a time go last, in their given order.
                       if ((a.time == kNoTime) != (b.time == kNoTime)) return b.time == kNoTime;
                       return a.time < b.time;
                     });
    for (const auto& l : r_.timeline) {
      if (l.time == kNoTime || l.implausible) continue;
      if (l.tag == "INCIDENT") {
        if (first_incident_ == nullptr) first_incident_ = &l;
        last_incident_ = &l;
      } else if (l.tag == "DETECTION" && first_detection_ == nullptr) {
        first_detection_ = &l;
      }
    }
  }

  void investigation() {
    const incident::RunInfo& run = inv_.run;
    for (const auto& rr : in_.runs) {
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
      r_.runs.push_back(std::move(ri));
    }
    if (r_.runs.empty() && has_incident_) {
      RunInfo ri;
      ri.id = run.id;
      ri.started = run.started;
      ri.finished = run.finished;
      ri.operator_name = t(run.operator_name);
      ri.tool_version = t(run.tool_version);
      ri.severity = r_.severity;
      ri.inputs = run.inputs.size();
      ri.findings = inv_.findings.size();
      for (const auto& p : run.rule_paths) ri.rule_sources.push_back(t(p));
      r_.runs.push_back(std::move(ri));
    }
    static const std::vector<std::pair<Source, const char*>> sources = {
        {Source::CloudTrail, "CloudTrail"}, {Source::K8sAudit, "Kubernetes audit"},
        {Source::GuardDuty, "GuardDuty"},   {Source::Falco, "Falco"},
        {Source::Ocsf, "EDR (OCSF)"},       {Source::Vulnerability, "vulnerability scan"}};
    for (const auto& [source, label] : sources) {
      auto n = run.stats.events_by_source.find(source);
      if (n == run.stats.events_by_source.end()) continue;
      r_.events_by_source.emplace_back(
          label, static_cast<int64_t>(std::min<uint64_t>(n->second, INT64_MAX)));
      if (n->second == 0)
        r_.missing_sources.push_back(fmt::format("no {} events among the inputs", label));
    }
    if (has_incident_ && run.snapshot_files == 0)
      r_.missing_sources.push_back("no cluster snapshot (kubectl get … -o json) among the inputs");
    std::vector<std::string> paths;
    for (const auto& i : run.inputs) {
      r_.inputs.push_back(fmt::format("{} ({} bytes{})", t(i.path), i.size,
                                      i.sha256.empty() ? "" : ", sha256 " + t(i.sha256)));
      r_.input_files.push_back({t(i.path), t(i.sha256), i.size});
      paths.push_back(r_.input_files.back().path);
    }
    r_.evidence_root = common_folder(paths);
    r_.skipped = static_cast<int64_t>(std::min<uint64_t>(run.stats.skipped, INT64_MAX));

    // Findings of the incident, grouped by rule.
    std::set<std::string> incident_ids;
    for (const auto& f : inc_.findings) incident_ids.insert(t(f));
    std::map<std::string, RuleResult> by_rule;
    std::vector<std::string> order;
    const util::PlausibleRange plausible = util::plausible_range(now());
    for (const auto& f : inv_.findings) {
      std::string fid = t(f.id);
      if (!incident_ids.empty() && !incident_ids.count(fid)) continue;
      ++r_.findings_total;
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
    for (const auto& rid : order) r_.rules.push_back(std::move(by_rule[rid]));
    static const std::map<std::string, int> rank = {
        {"critical", 0}, {"high", 1}, {"medium", 2}, {"low", 3}, {"info", 4}};
    std::stable_sort(r_.rules.begin(), r_.rules.end(),
                     [](const RuleResult& a, const RuleResult& b) {
                       auto ra = rank.count(a.severity) ? rank.at(a.severity) : 5;
                       auto rb = rank.count(b.severity) ? rank.at(b.severity) : 5;
                       if (ra != rb) return ra < rb;
                       return a.first < b.first;
                     });

    // MITRE ATT&CK: the techniques the incident's findings cite (the Navigator layer's content).
    const incident::AttackView attack = incident::attack_view(inv_);
    for (const auto& tac : attack.tactics) r_.attack_tactics.push_back(t(tac));
    for (const auto& tech : attack.techniques) {
      AttackRow row;
      row.technique = t(tech.id);
      row.name = rules::technique_name(tech.id);
      for (const auto& tac : tech.tactics) row.tactics.push_back(t(tac));
      for (const auto& title : tech.titles) row.titles.push_back(t(title));
      for (const auto& c : tech.criteria) row.criteria.push_back(t(c));
      row.findings = tech.findings.size();
      row.severity = std::string(rules::severity_name(tech.severity));
      r_.attack.push_back(std::move(row));
    }

    // Key evidence: what the severity rests on, then what the attack chain
    // rests on.
    std::set<std::string> seen;
    auto add = [&](const std::string& text, const EvidenceRef& ref) {
      if (ref.empty()) return;
      std::string key = ref.file + ":" + std::to_string(ref.line) + "|" + ref.event_id;
      if (!seen.insert(key).second) return;
      r_.key_evidence.push_back({text, ref});
    };
    for (const auto& c : r_.criteria)
      for (const auto& e : c.evidence) add(e.text, e.ref);
    for (const auto& l : r_.timeline)
      if (l.tag != "RESPONSE") add(l.text, l.evidence);
    std::stable_sort(r_.key_evidence.begin(), r_.key_evidence.end(),
                     [](const EvidenceItem& a, const EvidenceItem& b) {
                       if ((a.ref.time == kNoTime) != (b.ref.time == kNoTime))
                         return b.ref.time == kNoTime;
                       return a.ref.time < b.ref.time;
                     });

    for (const auto& b : inc_.likely_benign) {
      std::string title = t(b.title);
      if (title.empty()) title = t(b.rule);
      r_.likely_benign.push_back(fmt::format("{}: {}", title, t(b.reason)));
    }
    for (const auto& a : inc_.assumptions) r_.assumptions.push_back(t(a));
    for (const auto& [entity, why] : inc_.not_expanded)
      r_.not_followed.push_back(fmt::format("{}: {}", t(entity), t(why)));
    for (const auto& g : inc_.gaps) {
      r_.gaps.push_back(t(g));
      r_.missing_sources.insert(
          r_.missing_sources.begin() + static_cast<std::ptrdiff_t>(r_.gaps.size() - 1), t(g));
    }
    for (const auto& l : inv_.leads)
      r_.leads.push_back(
          fmt::format("{} [{}] {}", t(l.id), util::severity_title(l.severity), t(l.title)));
    for (const auto& p : inv_.posture) {
      if (p.severity != cluster::Severity::Critical && p.severity != cluster::Severity::High)
        continue;
      r_.posture.push_back(fmt::format("[{}] {} {}{}: {}", cluster::severity_name(p.severity),
                                       t(p.kind), p.ns.empty() ? "" : t(p.ns) + "/", t(p.name),
                                       t(p.message)));
    }
    for (const auto& s : inc_.next_steps) r_.next_steps.push_back(t(s));
  }

  void actions() {
    for (const auto& j : in_.journal) {
      if (j.dry_run) {
        ++r_.dry_runs;
        continue;
      }
      Action a;
      a.phase = valid_utf8(j.phase);
      a.step_id = valid_utf8(j.step_id);
      a.action = valid_utf8(j.action);
      a.target = valid_utf8(j.target);
      a.command = valid_utf8(command::shell_join(j.argv));  // exact bash words
      a.operator_name = valid_utf8(j.operator_name);
      a.started = j.started;
      a.finished = j.finished;
      a.exit_status = j.exit_status;
      a.result = j.kind == "skipped"    ? "skipped by the operator (nothing ran)"
                 : j.kind == "override" ? "check overridden by the operator"
                 : j.exit_status == 0   ? "succeeded (exit 0)"
                                        : fmt::format("failed (exit {})", j.exit_status);
      if (j.kind != "step" && !j.reason.empty()) a.result += ": " + valid_utf8(j.reason);
      std::string out = first_line(j.exit_status == 0 ? j.stdout_text : j.stderr_text);
      if (out.empty()) out = first_line(j.exit_status == 0 ? j.stderr_text : j.stdout_text);
      a.verification = out.empty() ? a.result : a.result + ": " + out;
      std::vector<std::string> ev;
      ev.push_back(fmt::format("journal entry #{}", j.id));
      if (!j.manifest.empty()) ev.push_back("manifest applied is journaled");
      if (!j.captured_state.empty()) ev.push_back("previous settings captured for recovery");
      if (!j.undo_json.empty()) ev.push_back("undo step recorded");
      a.evidence = join(ev, "; ");
      r_.actions.push_back(std::move(a));
    }
  }

  void times() {
    const incident::Metrics& m = inc_.metrics;
    first_malicious_ = m.first_malicious;
    if (first_malicious_ == kNoTime && first_incident_) first_malicious_ = first_incident_->time;
    last_malicious_ = m.last_malicious;
    if (last_malicious_ == kNoTime && last_incident_) last_malicious_ = last_incident_->time;
    r_.discovered = m.first_detection;
    if (r_.discovered == kNoTime && first_detection_) r_.discovered = first_detection_->time;
    respond::ResponseMetrics done = respond::response_metrics(in_.journal);
    r_.contained = m.contained;
    if (r_.contained != kNoTime) {
      r_.contained_basis = "the incident's metrics";
    } else if ((r_.contained = done.contained) != kNoTime) {
      r_.contained_basis = "the last successful containment step in the journal";
    }
    if (in_.info.status == "closed" && in_.info.closed != kNoTime) {
      r_.resolved = in_.info.closed;
      r_.resolved_basis = "the case was closed";
    } else if ((r_.resolved = m.recovered) != kNoTime) {
      r_.resolved_basis = "the incident's metrics";
    } else if ((r_.resolved = done.recovered) != kNoTime) {
      r_.resolved_basis = "the last successful recovery step in the journal";
    }
  }

  void impact() {
    auto& out = r_.impact;
    for (const auto& c : r_.criteria) {
      if (c.likely_benign) continue;
      Statement s{"fact", fmt::format("{}: {}", c.level, c.text), "High", {}};
      if (!c.evidence.empty()) {
        s.text += " — " + c.evidence.front().text;
        s.evidence = c.evidence.front().ref;
        if (c.evidence.size() > 1)
          s.text += fmt::format(" (and {} more records)", c.evidence.size() - 1);
      } else {
        s.kind = "hypothesis";
        s.confidence = "Medium";
      }
      out.push_back(std::move(s));
    }
    if (r_.production_known)
      out.push_back({"fact",
                     fmt::format("{} is {}a production cluster",
                                 r_.cluster.empty() ? "The cluster" : r_.cluster,
                                 r_.production ? "" : "not "),
                     "High",
                     {}});
    else if (r_.has_incident)
      out.push_back({"unknown", "Whether the cluster is production is not known", "", {}});
    static const std::vector<std::pair<std::string, std::vector<std::string>>> groups = {
        {"Credentials involved", {"access_key", "iam_user", "iam_role", "service_account"}},
        {"Access and permissions changed", {"access_entry", "binding", "role"}},
        {"Workloads", {"pod", "workload", "image"}},
        {"Nodes and instances", {"node", "instance"}},
        {"Secrets exposed", {"secret"}},
        {"Network exposure", {"security_group", "ip"}},
    };
    for (const auto& [label, kinds] : groups) {
      std::vector<std::string> items;
      for (const auto& k : kinds) {
        auto it = by_kind_.find(k);
        if (it == by_kind_.end()) continue;
        items.push_back(
            fmt::format("{} {}", kind_label(k, it->second.size()), list_some(it->second, 8)));
      }
      if (!items.empty()) out.push_back({"fact", label + ": " + join(items, "; "), "High", {}});
    }
    bool exfil = std::any_of(r_.criteria.begin(), r_.criteria.end(), [](const Criterion& c) {
      return contains(c.id, "exfil") || contains(c.text, "exfiltration");
    });
    if (!exfil && r_.has_incident)
      out.push_back({"hypothesis",
                     by_kind_.count("secret")
                         ? "Data exfiltration is not shown by the evidence, "
                           "but secrets were read, so "
                           "their values must be treated as disclosed"
                         : "Data exfiltration is not shown by the evidence (no "
                           "egress records among the "
                           "inputs), so it cannot be ruled out",
                     "Low",
                     {}});
    if (r_.has_incident)
      out.push_back({"unknown",
                     "Service impact: not known — the evidence shows no "
                     "service disruption and no "
                     "analyst note records one",
                     "",
                     {}});
  }

  void root_cause() {
    auto& out = r_.root_cause;
    EvidenceRef first_ref = first_incident_ ? first_incident_->evidence : EvidenceRef{};
    std::string conf = first_incident_ && !first_incident_->confidence.empty()
                           ? first_incident_->confidence
                           : "Medium";
    auto names = [&](const char* kind) {
      auto it = by_kind_.find(kind);
      return it == by_kind_.end() ? std::vector<std::string>{} : it->second;
    };
    auto keys = names("access_key"), users = names("iam_user"), roles = names("iam_role"),
         ips = names("ip"), sas = names("service_account");
    std::string from = ips.empty() ? "" : " from " + list_some(ips);
    // A workload exploited through a vulnerable image is where the attack came in; credentials
    // then come after it.
    auto exploited = image_entry_points(r_.images);
    out.insert(out.end(), exploited.begin(), exploited.end());
    const std::string entry = exploited.empty() ? "Entry point: " : "After the exploitation: ";
    bool credential = false;
    if (!keys.empty() || !users.empty()) {
      credential = true;
      std::string who =
          !keys.empty() ? "IAM access key " + keys.front() : "IAM user " + users.front();
      if (!keys.empty() && !users.empty()) who += " of IAM user " + users.front();
      out.push_back(
          {conf == "High" ? "fact" : "hypothesis",
           fmt::format("{}{} used{}{}", entry, who, from,
                       first_incident_ ? ", first at " + time_seconds(first_incident_->time) +
                                             " (" + first_incident_->text + ")"
                                       : ""),
           conf, first_ref});
    } else if (!exploited.empty() && roles.empty() && !sas.empty()) {
      // The exploited workload's own token: how the attacker got it is the exploitation.
      out.push_back({"hypothesis",
                     fmt::format("{}the token of service account {} (mounted in the exploited "
                                 "workload's pods) used{}",
                                 entry, sas.front(), from),
                     "Medium", first_ref});
    } else if (!roles.empty() || !sas.empty()) {
      credential = true;
      std::string who =
          !roles.empty() ? "IAM role " + roles.front() : "service account " + sas.front();
      out.push_back({"hypothesis", fmt::format("{}credentials of {}{}", entry, who, from), "Medium",
                     first_ref});
    } else if (!exploited.empty()) {
      // The attack chain below starts from the exploitation.
    } else if (first_incident_) {
      out.push_back(
          {"hypothesis",
           "Entry point: the earliest malicious event the evidence shows: " + first_incident_->text,
           conf, first_ref});
    } else {
      out.push_back({"unknown", "The entry point is not shown by the evidence", "", {}});
    }
    if (credential)
      out.push_back({"unknown",
                     "How the attacker obtained the credential is not shown by "
                     "the evidence (no record "
                     "of its disclosure is among the inputs)",
                     "",
                     {}});
    size_t steps = 0;
    for (const auto& l : r_.timeline) {
      if (l.tag != "INCIDENT") continue;
      if (++steps > 40) break;
      out.push_back({l.confidence == "High" ? "fact" : "hypothesis",
                     fmt::format("{} — {}", time_seconds(l.time), l.text),
                     l.confidence.empty() ? "Medium" : l.confidence, l.evidence});
    }
    if (steps > 40)
      out.push_back({"fact", "Later steps of the attack chain are in the Timeline", "", {}});
    auto conditions = image_conditions(r_.images);
    out.insert(out.end(), conditions.begin(), conditions.end());
    // Standing permissions of the compromised principals, from the posture
    // checks.
    std::vector<std::string> principals;
    for (const char* k : {"iam_user", "iam_role"})
      for (const auto& a : r_.affected)
        if (a.kind == k && a.name.size() >= 4) principals.push_back(a.name);
    std::set<std::string> affected_names;
    for (const auto& a : r_.affected) affected_names.insert(a.name);
    for (const auto& p : inv_.posture) {
      std::string name = t(p.name);
      if (affected_names.count(name)) continue;
      std::string text = name + " " + t(p.message) + " " + t(p.why);
      for (const auto& pr : principals) {
        if (!contains(text, pr)) continue;
        out.push_back(
            {"hypothesis",
             fmt::format("Contributing condition: {} {} — {}", t(p.kind), name, t(p.message)),
             "Medium",
             {}});
        break;
      }
    }
    for (const auto& b : r_.likely_benign)
      out.push_back({"fact", "Ruled out as likely benign: " + b, "High", {}});
  }

  void lessons() {
    // How long the alerts that reached a responder took, counted from the attack's start.
    for (const auto& l : r_.timeline) {
      if (l.tag != "DETECTION" || l.time == kNoTime || l.implausible) continue;
      std::string when = "at " + time_seconds(l.time);
      bool late = false;
      if (first_malicious_ != kNoTime) {
        int64_t lag = *util::seconds_between(first_malicious_, l.time);
        late = lag > kLateSeconds;
        when += fmt::format(", {} after the first malicious event",
                            human_duration(std::max<int64_t>(lag, 0)));
      }
      r_.detection_timing.push_back({"fact",
                                     fmt::format("{}{} alert {}: {}", late ? "Late: " : "",
                                                 l.source.empty() ? "An" : l.source, when, l.text),
                                     "High", l.evidence});
    }
    // Rules that matched the evidence before the first alert: run live, they would have
    // detected the attack earlier.
    size_t earlier = 0;
    for (const auto& rr : r_.rules) {
      if (rr.first == kNoTime || r_.discovered == kNoTime || rr.first >= r_.discovered) continue;
      if (++earlier > 10) break;
      r_.detection_timing.push_back(
          {"fact",
           fmt::format("{} ({}) matched at {}, {} before the first detection", rr.rule, rr.title,
                       time_seconds(rr.first),
                       human_duration(*util::seconds_between(rr.first, r_.discovered))),
           "High", rr.evidence.empty() ? EvidenceRef{} : rr.evidence.front()});
    }
    for (const auto& l : r_.timeline) {
      if (l.tag != "INCIDENT") continue;
      if (!l.evidence.rule.empty() || !l.evidence.finding.empty()) continue;
      r_.undetected.push_back(fmt::format("{} {} ({})", time_seconds(l.time), l.text, l.source));
    }
    auto count = [&](std::string_view label) -> int64_t {
      for (const auto& [l, n] : r_.events_by_source)
        if (l == label) return n;
      return -1;
    };
    bool runtime = count("Falco") > 0 || count("EDR (OCSF)") > 0;
    bool runtime_known = count("Falco") >= 0 || count("EDR (OCSF)") >= 0;
    int64_t gd = count("GuardDuty");
    bool gd_runtime = false;
    for (const auto& rr : r_.rules)
      if (contains(rr.rule, "Runtime/") || contains(rr.title, "Runtime/")) gd_runtime = true;
    bool logging_gap = std::any_of(r_.gaps.begin(), r_.gaps.end(), [](const std::string& g) {
      return contains(g, "logging") || contains(g, "UpdateClusterConfig") || contains(g, "audit");
    });
    std::vector<std::string> reasons;
    if (!r_.undetected.empty())
      reasons.push_back(
          fmt::format("{} attack steps had no rule fire on them", r_.undetected.size()));
    size_t late = std::count_if(r_.detection_timing.begin(), r_.detection_timing.end(),
                                [](const Statement& s) { return s.text.starts_with("Late: "); });
    if (late)
      reasons.push_back(fmt::format("{} alerts came more than {} after the first malicious event",
                                    late, human_duration(kLateSeconds)));
    if (earlier)
      reasons.push_back(fmt::format("{} rules matched the evidence before the first alert",
                                    std::min<size_t>(earlier, 10)));
    r_.playbook.push_back({"Review and update EKS-specific detection rules", true,
                           reasons.empty() ? "always part of the review; every "
                                             "attack step had a rule fire on it"
                                           : join(reasons, "; ")});
    if (gd < 0)
      r_.playbook.push_back(
          {"Implement additional GuardDuty EKS Protection features if not "
           "already enabled",
           true, "GuardDuty coverage is not known from the inputs"});
    else if (gd == 0)
      r_.playbook.push_back(
          {"Implement additional GuardDuty EKS Protection "
           "features if not already enabled",
           true, "no GuardDuty findings are among the inputs"});
    else
      r_.playbook.push_back(
          {"Implement additional GuardDuty EKS Protection features if not "
           "already enabled",
           !gd_runtime || logging_gap,
           gd_runtime ? (logging_gap ? "GuardDuty reported this incident; keep "
                                       "EKS Audit Log Monitoring on: it "
                                       "reads the audit log even when "
                                       "control-plane logging is turned off"
                                     : "GuardDuty EKS audit-log and runtime "
                                       "findings were both present")
                      : "GuardDuty findings were present but none from Runtime "
                        "Monitoring: enable EKS Runtime "
                        "Monitoring"});
    r_.playbook.push_back(
        {"Consider implementing Kubernetes runtime monitoring if not already "
         "in place",
         !runtime,
         runtime         ? "runtime alerts (Falco or EDR) were present and reported "
                           "the attack"
         : runtime_known ? "no Falco or EDR alerts are among the inputs"
                         : "runtime monitoring coverage is not known from the inputs"});
    bool image = by_kind_.count("image") > 0;
    for (const auto& a : r_.affected)
      for (const auto& [k, v] : a.attributes)
        if (k == "images" && !v.empty()) image = true;
    r_.playbook.push_back(
        {"Evaluate the need for container image scanning in CI/CD pipelines", image,
         image ? "the incident involves container images: " +
                     list_some(by_kind_.count("image") ? by_kind_["image"]
                                                       : std::vector<std::string>{"see Impact"})
               : "no container image is part of the incident"});

    auto& out = r_.lessons;
    if (by_kind_.count("access_key"))
      out.push_back({"recommendation",
                     "A long-lived IAM access key gave access to the cluster: "
                     "replace IAM users with "
                     "short-lived role credentials (OIDC for CI/CD, SSO for "
                     "people) and alert on use of "
                     "a key from a new source address",
                     "",
                     {}});
    if (logging_gap)
      out.push_back({"recommendation",
                     "Control-plane logging could be turned off by the "
                     "compromised identity: deny "
                     "eks:UpdateClusterConfig to automation identities and "
                     "alert on logging changes",
                     "",
                     {}});
    bool privileged = std::any_of(r_.criteria.begin(), r_.criteria.end(), [](const Criterion& c) {
      return contains(c.text, "privileged") || contains(c.id, "privileged");
    });
    if (privileged || by_kind_.count("pod"))
      out.push_back({"recommendation",
                     "Enforce Pod Security Standards (baseline or restricted) "
                     "so that privileged, "
                     "host-namespace and hostPath pods are refused outside the "
                     "namespaces that need them",
                     "",
                     {}});
    if (by_kind_.count("binding") || by_kind_.count("access_entry"))
      out.push_back({"recommendation",
                     "Review who holds cluster-admin (bindings and access "
                     "entries) and alert on new "
                     "cluster-admin grants",
                     "",
                     {}});
    if (by_kind_.count("security_group"))
      out.push_back({"recommendation",
                     "Alert on and restrict changes to the cluster security group",
                     "",
                     {}});
    if (!r_.gaps.empty())
      out.push_back({"recommendation",
                     fmt::format("Close the {} evidence gaps listed under missing log sources",
                                 r_.gaps.size()),
                     "",
                     {}});
  }

  void metrics() {
    auto duration = [](TimeNs a, TimeNs b) -> int64_t {
      if (a == kNoTime || b == kNoTime || b < a) return -1;
      return *util::seconds_between(a, b);
    };
    auto add = [&](std::string name, int64_t secs, std::string basis) {
      Metric m{std::move(name), "not known", std::move(basis), secs >= 0, secs};
      if (secs >= 0) m.value = human_duration(secs);
      r_.metrics.push_back(std::move(m));
    };
    const incident::Metrics& m = inc_.metrics;
    int64_t ttd = seconds_between(m.first_malicious, m.first_detection);
    if (ttd < 0) ttd = duration(first_malicious_, r_.discovered);
    add("Time to detection", ttd,
        ttd >= 0 ? fmt::format("first malicious event {} to first detection {}",
                               time_seconds(first_malicious_), time_seconds(r_.discovered))
                 : "no detection time in the evidence");
    int64_t ttc = seconds_between(m.first_malicious, m.contained);
    std::string ttc_basis;
    if (ttc >= 0) {
      ttc_basis = "the incident's metrics";
    } else {
      ttc = duration(r_.discovered, r_.contained);
      ttc_basis = ttc >= 0 ? fmt::format("first detection {} to containment {} ({})",
                                         time_seconds(r_.discovered), time_seconds(r_.contained),
                                         r_.contained_basis)
                           : "no successful containment step is journaled";
    }
    add("Time to containment", ttc, ttc_basis);
    int64_t n = has_incident_ ? static_cast<int64_t>(m.affected_resources)
                              : static_cast<int64_t>(r_.affected.size());
    std::vector<std::string> kinds;
    for (const auto& [kind, names] : by_kind_)
      kinds.push_back(fmt::format("{} {}", names.size(), kind_label(kind, names.size())));
    r_.metrics.push_back({"Number of affected resources", std::to_string(n),
                          kinds.empty() ? "no affected resource listed" : join(kinds, ", "), true,
                          -1});
    add("Duration of service impact", -1,
        "the evidence shows no service disruption and no analyst note records "
        "one");
    TimeNs rc_note = kNoTime;
    auto it = r_.notes.find("root_cause");
    if (it != r_.notes.end())
      for (const auto& note : it->second)
        if (note.time != kNoTime && (rc_note == kNoTime || note.time < rc_note))
          rc_note = note.time;
    int64_t ttrc = duration(r_.discovered, rc_note);
    add("Time to root cause", ttrc,
        ttrc >= 0 ? fmt::format("first detection {} to the first root-cause note {}",
                                time_seconds(r_.discovered), time_seconds(rc_note))
                  : "no analyst note confirms the root cause (add one: `root cause: "
                    "…`)");
    add("Duration of malicious activity", duration(first_malicious_, last_malicious_),
        fmt::format("first malicious event {} to last {}", time_seconds(first_malicious_),
                    time_seconds(last_malicious_)));
    int64_t ttr = seconds_between(m.first_malicious, m.recovered);
    if (ttr < 0) ttr = duration(r_.discovered, r_.resolved);
    add("Time to recovery", ttr,
        ttr >= 0 ? fmt::format("first detection to {} ({})", time_seconds(r_.resolved),
                               r_.resolved_basis)
                 : "no recovery is recorded");
  }

  void executive_summary() {
    if (!r_.has_incident) {
      r_.executive_summary =
          "The case holds no investigation yet: run `eksir "
          "investigate` on the evidence.";
      return;
    }
    std::vector<std::string> parts;
    std::string head = r_.title.empty() ? "An incident" : r_.title;
    if (!r_.cluster.empty() && !contains(head, r_.cluster)) head += " (cluster " + r_.cluster + ")";
    parts.push_back(head + ".");
    // The criteria that set the severity, by name; those of lower levels, by count.
    std::vector<std::string> met;
    size_t lower = 0;
    for (const auto& c : r_.criteria) {
      if (c.likely_benign) continue;
      if (c.level == r_.severity)
        met.push_back(c.text);
      else
        ++lower;
    }
    std::string also =
        lower ? fmt::format(" ({} criteria of lower levels are met too)", lower) : "";
    if (!r_.undetermined.empty())
      parts.push_back(fmt::format(
          "The severity is undetermined, not Low: {}. Nothing in this report can rule a "
          "compromise in or out until the evidence is read.",
          r_.undetermined));
    else if (!r_.severity.empty())
      parts.push_back(met.empty()
                          ? fmt::format("Severity {}{}.", r_.severity, also)
                          : fmt::format("Severity {}: {}{}.", r_.severity, join(met, "; "), also));
    if (first_malicious_ != kNoTime)
      parts.push_back(fmt::format("Malicious activity is seen from {} to {}.",
                                  time_seconds(first_malicious_), time_seconds(last_malicious_)));
    if (r_.discovered != kNoTime) {
      std::string by = first_detection_ && !first_detection_->source.empty()
                           ? " by " + first_detection_->source
                           : "";
      int64_t lag = util::seconds_between(first_malicious_, r_.discovered).value_or(-1);
      parts.push_back(fmt::format("It was first detected at {}{}{}.", time_seconds(r_.discovered),
                                  by,
                                  lag >= 0 ? ", " + human_duration(lag) + " after it began" : ""));
    } else {
      parts.push_back("No detection time is known.");
    }
    if (!r_.affected.empty()) {
      std::vector<std::string> kinds;
      for (const auto& [kind, names] : by_kind_)
        kinds.push_back(fmt::format("{} {}", names.size(), kind_label(kind, names.size())));
      parts.push_back(
          fmt::format("{} resources are affected ({}).", r_.affected.size(), join(kinds, ", ")));
    }
    if (r_.contained != kNoTime)
      parts.push_back(fmt::format("Containment was complete at {}.", time_seconds(r_.contained)));
    else if (!r_.actions.empty())
      parts.push_back(fmt::format("{} response actions are journaled; containment is not complete.",
                                  r_.actions.size()));
    else
      parts.push_back("No containment action is journaled yet.");
    if (r_.case_status == "closed")
      parts.push_back("The case is closed" +
                      (r_.close_reason.empty() ? std::string(".") : ": " + r_.close_reason + "."));
    if (!r_.gaps.empty())
      parts.push_back(fmt::format("The evidence has {} gap{} (see Lessons learned).",
                                  r_.gaps.size(), r_.gaps.size() == 1 ? "" : "s"));
    r_.executive_summary = join(parts, " ");
  }

  void graph() {
    std::set<std::string> affected_keys;
    for (const auto& a : r_.affected) affected_keys.insert(a.kind + "|" + a.ns + "|" + a.name);
    std::map<std::string, size_t> index;
    auto add_node = [&](GraphNode n) {
      if (n.key.empty() || index.count(n.key)) return;
      n.layer = graph_layer(n.kind);
      n.affected = affected_keys.count(n.kind + "|" + n.ns + "|" + n.name) > 0;
      index[n.key] = r_.graph_nodes.size();
      r_.graph_nodes.push_back(std::move(n));
    };
    for (const auto& e : inc_.entities)
      add_node({t(e.key), t(e.kind), t(e.name), t(e.ns), 0, false});
    if (r_.graph_nodes.empty())
      for (const auto& a : r_.affected)
        add_node({a.kind + ":" + qualified(a), a.kind, a.name, a.ns, 0, false});
    for (const auto& l : inc_.links) {
      GraphEdge e{t(l.from), t(l.to), t(l.relation)};
      if (e.from.empty() || e.to.empty() || e.from == e.to) continue;
      for (const auto* k : {&e.from, &e.to}) {
        if (index.count(*k)) continue;
        size_t colon = k->find(':');
        std::string kind = colon == std::string::npos ? "other" : k->substr(0, colon);
        add_node({*k, kind, colon == std::string::npos ? *k : k->substr(colon + 1), "", 0, false});
      }
      r_.graph_edges.push_back(std::move(e));
    }
  }

  // The latest of the report's and the investigation's time: evidence is not dated more than a
  // day after both.
  TimeNs now() const {
    TimeNs run = inv_.run.finished;
    return run == kNoTime ? r_.generated : std::max(r_.generated, run);
  }

  const ReportInput& in_;
  const incident::Investigation& inv_;
  const incident::Incident& inc_;
  bool has_incident_ = false;
  Report r_;
  std::map<std::string, std::vector<std::string>> by_kind_;
  const TimelineLine* first_incident_ = nullptr;
  const TimelineLine* last_incident_ = nullptr;
  const TimelineLine* first_detection_ = nullptr;
  TimeNs first_malicious_ = kNoTime, last_malicious_ = kNoTime;
};

}  // namespace

AttackCells attack_cells(const AttackRow& row) {
  AttackCells c;
  std::vector<std::string> tactics;
  for (const auto& t : row.tactics) tactics.push_back(rules::tactic_display_name(t));
  c.tactics = join(tactics, ", ");
  c.titles = join(row.titles, "; ");
  c.criteria = join(row.criteria, ", ");
  return c;
}

Report build_report(const ReportInput& input) {
  return Builder(input).build();
}

bool parse_incident(std::string_view text, std::optional<incident::Investigation>& incident,
                    std::string& error) {
  incident.reset();
  incident::ReadResult read = incident::read_json(text);
  if (!read.ok()) {
    error = read.error;
    return false;
  }
  if (read.has_incident) incident = std::move(read.investigation);
  return true;
}

void write(const ReportInput& input, Format format, std::ostream& out) {
  render(build_report(input), format, out);
}

void render(const Report& r, Format format, std::ostream& out) {
  switch (format) {
    case Format::Markdown:
      write_markdown(r, out);
      break;
    case Format::Html:
      write_html(r, out);
      break;
    case Format::Json:
      write_json(r, out);
      break;
  }
}

}  // namespace eksir::report
