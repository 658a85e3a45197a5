// One incident (or lead) from a group of findings: its cluster, criteria and severity, scope,
// images, timeline and metrics (build_incident), then what it is — type, title, id, the gaps in
// the evidence, the summary and the next steps (describe).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "incident/incident_parts.h"
#include "util/hash.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::incident {
namespace {

std::string hex6(std::string_view s) {
  return fmt::format("{:06x}", util::fnv1a(s) & 0xffffff);
}

std::string date_of(TimeNs t) {
  std::string s = format_time(t);
  if (s.size() < 10) return "00000000";
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}

bool implausible(const Implausibles& bad, TimeNs t) {
  return t != kNoTime && bad.count(t) > 0;
}

// "N timeline events carry implausible times ...: file:line (time, why), ..."; "" when none.
std::string implausible_gap(const Incident& inc, const Implausibles& bad) {
  size_t n = 0, untimed = 0;
  std::vector<std::string> where;
  for (const auto& t : inc.timeline) {
    if (t.time == kNoTime) ++untimed;
    if (!t.implausible_time && t.time != kNoTime) continue;
    if (t.time != kNoTime) ++n;
    if (where.size() == 5) continue;
    std::string why = t.time == kNoTime ? "no readable time"
                      : bad.at(t.time) == util::Implausible::Isolated
                          ? format_time(t.time) + ", more than a year from the rest"
                          : format_time(t.time) + ", outside 2006 to a day after this run";
    where.push_back(fmt::format("{}:{} ({})", t.evidence.file, t.evidence.line, why));
  }
  if (n + untimed == 0) return {};
  size_t total = n + untimed;
  return fmt::format(
      "{} timeline event{} carr{} implausible times{}: left out of the metrics and the report's "
      "chart, their real time is not known: {}{}",
      total, total == 1 ? "" : "s", total == 1 ? "ies" : "y",
      untimed ? fmt::format(" ({} with no readable time)", untimed) : "", fmt::join(where, ", "),
      total > where.size() ? ", …" : "");
}

// Why nothing can be assessed when no event was read.
std::string no_event_reason(const sources::ScanStats& st) {
  if (st.filtered)
    return fmt::format("all {} events read are outside --since/--until", st.filtered);
  if (st.files == 0 && st.skipped == 0 && st.ignored == 0)
    return "no evidence file was found in the paths given";
  std::vector<std::string> parts;
  if (st.skipped)
    parts.push_back(fmt::format("{} skipped{}", st.skipped,
                                st.skips.empty() ? "" : " (first: " + st.skips[0].message() + ")"));
  if (st.ignored) {
    std::vector<std::string> reasons;
    for (const auto& [r, k] : st.ignored_by_reason) reasons.push_back(fmt::format("{} {}", k, r));
    parts.push_back(fmt::format("{} passed over as not event evidence ({})", st.ignored,
                                fmt::join(reasons, ", ")));
  }
  if (parts.empty()) parts.push_back("they hold no records");
  if (st.files == 0)
    return fmt::format("no evidence file could be read: {}", fmt::join(parts, "; "));
  return fmt::format("none of the {} evidence file{} read held an event eksir reads: {}", st.files,
                     st.files == 1 ? "" : "s", fmt::join(parts, "; "));
}

}  // namespace

Implausibles implausible_values(const std::vector<EventFacts>& facts,
                                const std::deque<EventFacts>& pulled,
                                const std::vector<detect::Finding>* findings, TimeNs now) {
  std::vector<TimeNs> times;
  times.reserve(facts.size() + pulled.size());
  for (const auto* list : {&facts})
    for (const auto& f : *list)
      for (TimeNs t : {f.event->time, f.detected, f.first_seen})
        if (t != kNoTime) times.push_back(t);
  for (const auto& f : pulled)
    for (TimeNs t : {f.event->time, f.repeats_from, f.repeats_until})
      if (t != kNoTime) times.push_back(t);
  if (findings)
    for (const auto& f : *findings)
      for (TimeNs t : {f.first_seen, f.last_seen})
        if (t != kNoTime) times.push_back(t);
  auto verdicts = util::implausible_times(times, now == kNoTime ? util::now_ns() : now);
  Implausibles out;
  for (size_t i = 0; i < times.size(); ++i)
    if (verdicts[i] != util::Implausible::No) out.emplace(times[i], verdicts[i]);
  return out;
}

std::string_view tag_name(Tag t) {
  switch (t) {
    case Tag::Incident:
      return "INCIDENT";
    case Tag::Detection:
      return "DETECTION";
    case Tag::Response:
      return "RESPONSE";
  }
  return "INCIDENT";
}

std::string timeline_line(const TimelineEntry& e) {
  std::string t = format_time(e.time);
  // Whole seconds, as the documentation standard writes them.
  if (t.size() > 20 && t[19] == '.') t = t.substr(0, 19) + "Z";
  return fmt::format("{} [{}] {} ({} confidence, {}){}", t, tag_name(e.tag), e.text, e.confidence,
                     e.source, e.implausible_time ? " [implausible time]" : "");
}

namespace {

// The cluster the incident is on: the graph's, with the region, account and ARN its entity holds.
void cluster_of(Incident& inc, const Graph& g) {
  inc.cluster = g.cluster;
  if (const Entity* c = g.find("cluster:" + inc.cluster.name)) {
    if (c->attributes.count("region")) inc.cluster.region = c->attributes.at("region");
    if (c->attributes.count("account")) inc.cluster.account = c->attributes.at("account");
    if (c->attributes.count("arn")) inc.cluster.arn = c->attributes.at("arn");
  }
  if (inc.cluster.arn.empty() && !inc.cluster.name.empty() && !inc.cluster.region.empty())
    inc.cluster.arn = fmt::format("arn:aws:eks:{}:{}:cluster/{}", inc.cluster.region,
                                  inc.cluster.account, inc.cluster.name);
}

// Whether the incident is on production, by the policy's production clusters and namespaces, with
// the assumptions made where the policy does not say. True only when the policy shows it is not.
bool known_non_production(Incident& inc, const std::vector<const FindingFacts*>& group,
                          const Graph& g, const CorrelationInput& in) {
  const cluster::Policy& policy = *in.policy;
  if (!in.policy_given) {
    inc.assumptions.push_back(
        "no eksir.yaml given: every cluster and namespace is assumed production, and no CI/CD "
        "identity, admin principal, trusted CIDR or maintenance window is known, so no finding "
        "could be recognised as a likely false positive");
    return false;
  }
  if (policy.production_clusters.empty() && policy.production_namespaces.empty()) {
    inc.assumptions.push_back(
        "eksir.yaml names no production cluster: " +
        (inc.cluster.name.empty() ? std::string("the cluster") : inc.cluster.name) +
        " is assumed production");
    return false;
  }
  bool prod = false;
  for (const auto& p : policy.production_clusters)
    if (!inc.cluster.name.empty() && cluster::policy_glob(p, inc.cluster.name)) prod = true;
  if (!prod && !policy.production_namespaces.empty()) {
    for (const FindingFacts* ff : group)
      for (const auto& k : ff->entities)
        if (const Entity* e = g.find(k))
          for (const auto& p : policy.production_namespaces)
            if (!e->ns.empty() && cluster::policy_glob(p, e->ns)) prod = true;
  }
  if (!prod && inc.cluster.name.empty()) {
    prod = true;
    inc.assumptions.push_back("the evidence names no cluster: assumed production");
  }
  inc.production = prod;
  return !prod;
}

// low.likely_false_positive, with the likely benign findings as its evidence.
Criterion likely_false_positive(const Incident& inc) {
  Criterion fp;
  fp.id = "low.likely_false_positive";
  fp.level = Level::Low;
  fp.criterion = std::string(criterion_text(fp.id));
  for (const auto& b : inc.likely_benign) {
    Evidence e;
    e.finding = b.finding;
    e.rule = b.rule;
    e.text = fmt::format("{}: {}", b.title, b.reason);
    fp.evidence.push_back(std::move(e));
  }
  if (fp.evidence.empty()) {
    Evidence e;
    e.text = "no finding in the evidence";
    fp.evidence.push_back(std::move(e));
  }
  return fp;
}

// The criteria met and the severity they give, the group's findings and those likely benign;
// when no criterion counts, the incident is a likely false positive, Low. Returns how many
// findings count (are not likely benign).
size_t criteria_and_severity(Incident& inc, const std::vector<const FindingFacts*>& group,
                             const Graph& g, const CorrelationInput& in, const ScopeFacts* sc,
                             bool non_production) {
  inc.criteria = assess(group, g, non_production);
  if (sc) scope_criteria(*sc, g, in, group, inc.criteria);
  inc.severity = level_of(inc.criteria);
  size_t counted = 0;
  for (const FindingFacts* ff : group) {
    inc.findings.push_back(ff->finding->id);
    if (ff->benign)
      inc.likely_benign.push_back(*ff->benign);
    else
      ++counted;
  }
  bool any_counted = std::any_of(inc.criteria.begin(), inc.criteria.end(),
                                 [](const Criterion& c) { return !c.likely_benign; });
  if (!any_counted) {
    inc.criteria.insert(inc.criteria.begin(), likely_false_positive(inc));
    inc.severity = Level::Low;
  }
  return counted;
}

// Entities and links of the incident (for the graph in the report): its scope and the findings'
// actors.
void incident_graph(Incident& inc, const std::vector<const FindingFacts*>& group, const Graph& g,
                    const IncidentScope& scope) {
  std::set<std::string> ek;
  for (const auto& [k, why] : scope.why) ek.insert(k);
  for (const FindingFacts* ff : group)
    for (const auto& k : ff->actors) ek.insert(k);
  for (const auto& k : ek)
    if (const Entity* e = g.find(k)) inc.entities.push_back(*e);
  for (const auto& l : g.links)
    if (ek.count(l.from) && ek.count(l.to)) inc.links.push_back(l);
}

// The metrics of the timeline: the first and last malicious event, the first detection; lines at
// implausible times are marked and left out.
void timeline_metrics(Incident& inc, const Implausibles& bad) {
  for (auto& t : inc.timeline) {
    t.implausible_time = implausible(bad, t.time);
    if (t.implausible_time) {
      ++inc.metrics.implausible_times;
      continue;
    }
    bool benign = t.confidence == "Low" && t.text.find("likely benign") != std::string::npos;
    if (t.tag == Tag::Incident && !benign && !t.informational && t.time != kNoTime) {
      if (inc.metrics.first_malicious == kNoTime || t.time < inc.metrics.first_malicious)
        inc.metrics.first_malicious = t.time;
      inc.metrics.last_malicious = std::max(inc.metrics.last_malicious, t.time);
      if (t.until != kNoTime)
        inc.metrics.last_malicious = std::max(inc.metrics.last_malicious, t.until);
      if (t.from != kNoTime && t.from < inc.metrics.first_malicious)
        inc.metrics.first_malicious = t.from;
    }
    if (t.tag == Tag::Detection && !benign && t.time != kNoTime && !t.informational &&
        (inc.metrics.first_detection == kNoTime || t.time < inc.metrics.first_detection))
      inc.metrics.first_detection = t.time;
  }
}

}  // namespace

void build_incident(const std::vector<const FindingFacts*>& group, Graph& g,
                    const CorrelationInput& in,
                    const std::map<std::string, const EventFacts*>& binding_by_pod,
                    const ScopeFacts* sc, const Implausibles& bad, Incident& inc,
                    bool main_incident) {
  cluster_of(inc, g);
  bool non_production = known_non_production(inc, group, g, in);
  size_t counted = criteria_and_severity(inc, group, g, in, sc, non_production);
  // Scope: every entity the group's findings name, then one hop to where pods ran and what
  // keys belong to.
  IncidentScope scope = affected_scope(inc, group, g, in, sc, counted);
  // The images its workloads run, with what scanners report; with nothing counted, the images of
  // every workload known (the incident is then about them).
  assess_images(inc, group, g, in, main_incident && counted == 0);
  sort_affected(inc);
  inc.metrics.affected_resources = inc.affected.size();
  incident_graph(inc, group, g, scope);
  build_timeline(inc, group, binding_by_pod, sc);
  timeline_metrics(inc, bad);
}

namespace {

// What the incident's type, title and advice turn on: its entry point (an access key and its user
// named by findings, a pod a runtime alert names), the source addresses, whether cluster-admin
// was gained, the vulnerable images and the one a workload was exploited through.
struct Shape {
  const Affected* key = nullptr;
  const Affected* user = nullptr;
  const Affected* pod = nullptr;
  std::vector<std::string> ips;
  bool admin = false;
  std::string cluster;
  const Affected* entry_image = nullptr;
  std::vector<const Affected*> vulnerable_images;
};

Shape shape_of(const Incident& inc, const std::vector<const FindingFacts*>& group) {
  // Entry point and type from the scope.
  Shape s;
  for (const auto& a : inc.affected) {
    if (a.kind == "access_key" && !s.key && !a.findings.empty()) s.key = &a;
    if ((a.kind == "iam_user" || a.kind == "iam_role") && !s.user && !a.findings.empty())
      s.user = &a;
    if (a.kind == "pod" && !a.findings.empty()) {
      bool runtime = false;
      for (const FindingFacts* ff : group)
        if (ff->alert && !ff->benign &&
            std::find(a.findings.begin(), a.findings.end(), ff->finding->id) != a.findings.end())
          runtime = true;
      if (runtime && !s.pod) s.pod = &a;
    }
    if (a.kind == "ip") s.ips.push_back(a.name);
  }
  for (const auto& c : inc.criteria)
    if (c.id == "critical.cluster_admin" && !c.likely_benign) s.admin = true;
  s.cluster = inc.cluster.name.empty() ? "the cluster" : inc.cluster.name;
  // The image a workload was exploited through, and the vulnerable images of the incident.
  for (const auto& a : inc.affected)
    if (a.kind == "image" && !a.attr("vulnerabilities").empty()) {
      s.vulnerable_images.push_back(&a);
      if (a.attr("exploited") == "true" && !s.entry_image) s.entry_image = &a;
    }
  return s;
}

// " through CVE-… (package)": the vulnerability with a public exploit a workload was exploited
// through, and the package its fix names.
std::string exploited_through(const Affected& entry_image) {
  std::string cve = entry_image.attr("exploit_available");
  cve = cve.substr(0, cve.find(','));
  std::string fixes = entry_image.attr("fixes");
  std::string package;
  for (std::string_view f = fixes; !f.empty();) {
    std::string_view part = f.substr(0, f.find("; "));
    if (part.find(cve) != std::string_view::npos)
      package = std::string(part.substr(0, part.find(' ')));
    f = f.find("; ") == std::string_view::npos ? std::string_view() : f.substr(f.find("; ") + 2);
  }
  return fmt::format(" through {}{}", cve, package.empty() ? "" : " (" + package + ")");
}

// "CI/CD deployments, autoscaling": the kinds of expected activity the likely benign findings are.
std::vector<std::string> expected_activity(const Incident& inc) {
  std::set<std::string> kinds;
  for (const auto& b : inc.likely_benign) kinds.insert(b.kind);
  std::vector<std::string> words;
  for (const auto& k : kinds)
    words.push_back(k == "cicd"          ? "CI/CD deployments"
                    : k == "maintenance" ? "administrative maintenance"
                    : k == "autoscaling" ? "autoscaling"
                    : k == "expected"    ? "node agents"
                                         : k);
  return words;
}

// The incident's type and title, by what it turns on.
void type_and_title(Incident& inc, const std::vector<const FindingFacts*>& group, const Shape& s) {
  bool none_counted = std::all_of(group.begin(), group.end(),
                                  [](const FindingFacts* ff) { return ff->benign.has_value(); });
  if (none_counted && !s.vulnerable_images.empty() && inc.severity == Level::Medium) {
    inc.type = "Vulnerable components";
    inc.title = fmt::format(
        "{} running image{} with {} vulnerabilities on {}, not exploited in the evidence",
        s.vulnerable_images.size(), s.vulnerable_images.size() == 1 ? "" : "s",
        std::any_of(s.vulnerable_images.begin(), s.vulnerable_images.end(),
                    [](const Affected* a) { return a->attr("max_severity") == "CRITICAL"; })
            ? "critical"
            : "high-severity",
        s.cluster);
  } else if (inc.severity == Level::Low && !inc.likely_benign.empty() &&
             std::all_of(inc.criteria.begin(), inc.criteria.end(), [](const Criterion& c) {
               return c.likely_benign || c.id == "low.likely_false_positive";
             })) {
    inc.type = "Likely false positive";
    inc.title = fmt::format("Expected activity on {}: {}", s.cluster,
                            fmt::join(expected_activity(inc), ", "));
  } else if (s.key && s.user) {
    inc.type = "Credential compromise";
    inc.title =
        fmt::format("IAM access key {} of {} used {}{} on {}", s.key->name, s.user->name,
                    s.ips.empty() ? "" : "from " + s.ips.front() + " ",
                    s.admin ? "to gain cluster-admin" : "for suspicious activity", s.cluster);
  } else if (s.pod && inc.severity >= Level::High) {
    inc.type = "Workload compromise";
    inc.title = fmt::format("Compromised pod {}/{} on {}", s.pod->ns, s.pod->name, s.cluster);
    if (s.entry_image) inc.title += exploited_through(*s.entry_image);
  } else if (s.user) {
    inc.type = s.admin ? "Privilege escalation" : "Suspicious activity";
    inc.title =
        fmt::format("{} by {} on {}",
                    inc.criteria.empty() ? "Suspicious activity" : inc.criteria.front().criterion,
                    s.user->name, s.cluster);
  } else {
    inc.type = "Suspicious activity";
    const detect::Finding* top = nullptr;
    for (const FindingFacts* ff : group)
      if (!top || ff->finding->severity > top->severity) top = ff->finding;
    inc.title = top ? fmt::format("{} on {}", top->title, s.cluster) : "No finding";
  }
}

// INC-date-hash: the date of the first malicious event (or of the first sight of a finding before
// it), and a hash of the cluster and the title.
std::string incident_id(const Incident& inc, const std::vector<const FindingFacts*>& group,
                        const Implausibles& bad) {
  TimeNs first = inc.metrics.first_malicious;
  for (const FindingFacts* ff : group) {
    TimeNs seen = ff->finding->first_seen;
    if (seen != kNoTime && !implausible(bad, seen) && (first == kNoTime || seen < first))
      first = seen;
  }
  return fmt::format("INC-{}-{}", date_of(first != kNoTime ? first : 0),
                     hex6(inc.cluster.name + "|" + inc.title));
}

// The sources the evidence holds no event of.
void source_gaps(Incident& inc, const sources::ScanStats& stats) {
  const auto& by = stats.events_by_source;
  auto count = [&](Source s) {
    auto it = by.find(s);
    return it == by.end() ? uint64_t{0} : it->second;
  };
  if (!count(Source::CloudTrail))
    inc.gaps.push_back(
        "no CloudTrail events in the evidence: the AWS side (IAM, EKS, EC2 API "
        "calls) is not seen");
  if (!count(Source::K8sAudit))
    inc.gaps.push_back(
        "no Kubernetes audit events in the evidence: what was done inside the "
        "cluster is not seen (is control-plane audit logging enabled?)");
  if (!count(Source::GuardDuty)) inc.gaps.push_back("no GuardDuty findings in the evidence");
  if (!count(Source::Falco) && !count(Source::Ocsf))
    inc.gaps.push_back(
        "no runtime alerts (Falco, EDR) in the evidence: process and network "
        "activity inside containers is not seen");
}

// Control-plane logging a finding shows turned off.
void control_plane_logging_gap(Incident& inc, const std::vector<const FindingFacts*>& group) {
  for (const FindingFacts* ff : group) {
    const auto& r = ff->finding->rule_id;
    if (r.find("audit-logging-disabled") != std::string::npos ||
        (r.find("logging-disabled") != std::string::npos && inc.gaps.size() < 8)) {
      inc.gaps.push_back(fmt::format(
          "control-plane logging was turned off at {} ({}): Kubernetes audit events after that "
          "time are missing, not absent",
          format_time(ff->finding->first_seen), ff->finding->title));
      break;
    }
  }
}

// Logging the attacker turned off: a gap in the evidence, and an act of the attacker.
void trail_gaps(Incident& inc, const ScopeFacts& sc) {
  std::set<std::string> said;
  for (const auto& [ef, pulled] : sc.pulled) {
    if (!pulled.by_attacker || ef->failed || ef->event->source != Source::CloudTrail) continue;
    const std::string& action = ef->entities.verb;
    std::string what;
    if (action == "StopLogging")
      what = "stopped";
    else if (action == "DeleteTrail")
      what = "deleted";
    else if (action == "PutEventSelectors" || action == "PutInsightSelectors")
      what = "narrowed (its event selectors changed)";
    else if (action == "UpdateTrail")
      what = "changed";
    if (what.empty()) continue;
    std::string trail = ef->summary.target.empty() ? "?" : ef->summary.target;
    for (const auto& t : ef->entities.targets)
      if (t.rfind("trail:", 0) == 0) trail = t.substr(6);
    std::string line = fmt::format(
        "CloudTrail trail {} was {} by the attacker at {} ({}): management events after that "
        "are missing from its delivery, not absent — lookup-events (90 days of management "
        "events) and other trails may still hold them",
        trail, what, format_time(ef->event->time), action);
    if (said.insert(trail + what).second) inc.gaps.push_back(std::move(line));
  }
}

// What the cluster snapshot and the image scans leave out.
void snapshot_gaps(Incident& inc, const CorrelationInput& in) {
  if (in.snapshot && in.snapshot->vulnerability_records == 0 && in.stats && in.stats->events > 0)
    inc.gaps.push_back(
        "no image scan results in the evidence: which images carry known vulnerabilities, and "
        "whether the way in was one, is not known (Amazon Inspector or ECR scan findings — "
        "`eksir collect` gathers them — or Trivy / Grype reports)");
  if (in.snapshot && in.snapshot->vulnerabilities_dropped)
    inc.gaps.push_back(fmt::format(
        "{} critical or high image vulnerability findings past the first {} were counted, not "
        "kept: images they alone name are not joined to their workloads",
        util::thousands(in.snapshot->vulnerabilities_dropped),
        util::thousands(in.snapshot->vulnerabilities.size())));
  if (!in.snapshot || in.snapshot->objects == 0)
    inc.gaps.push_back(
        "no cluster snapshot: pods, nodes and RBAC as they are now were not "
        "checked (`eksir collect` gathers one)");
}

// Gaps in the evidence.
void evidence_gaps(Incident& inc, const std::vector<const FindingFacts*>& group,
                   const CorrelationInput& in, const ScopeFacts* sc, const Implausibles& bad) {
  if (in.stats) source_gaps(inc, *in.stats);
  control_plane_logging_gap(inc, group);
  if (sc) trail_gaps(inc, *sc);
  snapshot_gaps(inc, in);
  if (std::string gap = implausible_gap(inc, bad); !gap.empty()) inc.gaps.push_back(gap);
}

// Nothing was read, so nothing can be concluded: no severity, and no advice to close.
void undetermined(Incident& inc, const CorrelationInput& in, const std::string& cluster) {
  inc.undetermined = no_event_reason(*in.stats);
  inc.criteria.clear();
  inc.type = "Undetermined";
  inc.title = fmt::format("No event read: the severity of {} is undetermined", cluster);
  // No evidence time to date it by: the day of the run.
  inc.id = fmt::format("INC-{}-{}", date_of(in.now != kNoTime ? in.now : util::now_ns()),
                       hex6(inc.cluster.name + "|" + inc.title));
  inc.summary = fmt::format(
      "Nothing can be concluded about a compromise: {}. The severity is undetermined, not "
      "Low.{}",
      inc.undetermined,
      in.posture && !in.posture->empty()
          ? fmt::format(" The cluster snapshot's {} posture results describe the cluster as it "
                        "is, not what happened.",
                        in.posture->size())
          : "");
  inc.next_steps.push_back("Check the evidence given: " + inc.undetermined);
  inc.next_steps.push_back(
      "Collect the evidence — CloudTrail, the EKS audit log, GuardDuty findings, runtime "
      "alerts (Falco, EDR) and a cluster snapshot — with `eksir collect --cluster NAME --region "
      "REGION -o DIR`, then run `eksir investigate DIR -o CASE` again");
}

size_t counted_findings(const std::vector<const FindingFacts*>& group) {
  return static_cast<size_t>(std::count_if(group.begin(), group.end(),
                                           [](const FindingFacts* ff) { return !ff->benign; }));
}

// The summary when findings count: what, between when, from which sources, why this severity,
// what is in scope, and when a detector first saw it.
std::string counted_summary(const Incident& inc, const std::vector<const FindingFacts*>& group,
                            size_t counted) {
  std::set<std::string> sources;
  for (const FindingFacts* ff : group) {
    if (ff->benign) continue;
    for (const auto* e : ff->events) sources.insert(std::string(source_label(e->event->source)));
  }
  std::vector<std::string> met;
  for (const auto& c : inc.criteria)
    if (!c.likely_benign && c.level == inc.severity) met.push_back(c.criterion);
  std::map<std::string, size_t> kinds;
  for (const auto& a : inc.affected) ++kinds[a.kind];
  std::vector<std::string> scope_words;
  for (const auto& [k, n] : kinds) scope_words.push_back(fmt::format("{} {}", n, k));
  std::string detection;
  if (inc.metrics.first_detection != kNoTime && inc.metrics.first_malicious != kNoTime)
    detection =
        fmt::format(" The first detector alert came at {}, {} after the first malicious event.",
                    format_time(inc.metrics.first_detection),
                    util::human_duration(*util::seconds_between(inc.metrics.first_malicious,
                                                                inc.metrics.first_detection)));
  else
    detection = " No detector (GuardDuty, Falco, EDR) reported this activity in the evidence.";
  return fmt::format(
      "{}. Between {} and {}, {} finding{} from {} point to this; severity {} because: {}. In "
      "scope: {}.{}{}",
      inc.title, format_time(inc.metrics.first_malicious), format_time(inc.metrics.last_malicious),
      counted, counted == 1 ? "" : "s", fmt::join(sources, ", "),
      util::severity_title(inc.severity), fmt::join(met, "; "), fmt::join(scope_words, ", "),
      detection,
      inc.likely_benign.empty()
          ? ""
          : fmt::format(" {} further finding{} were recognised as likely benign.",
                        inc.likely_benign.size(), inc.likely_benign.size() == 1 ? "" : "s"));
}

std::string summary_of(const Incident& inc, const std::vector<const FindingFacts*>& group,
                       const Shape& s, size_t counted) {
  if (counted) return counted_summary(inc, group, counted);
  if (!s.vulnerable_images.empty() && inc.severity == Level::Medium) {
    std::vector<std::string> each;
    for (const Affected* a : s.vulnerable_images)
      each.push_back(fmt::format("{} ({}: {})", a->name, a->attr("workloads"), a->attr("fixes")));
    return fmt::format(
        "{}. Nothing in the evidence points to a compromise{}, but running workloads carry "
        "known vulnerabilities: {}.",
        inc.title,
        inc.likely_benign.empty()
            ? ""
            : fmt::format(" ({} finding{} recognised as likely benign)", inc.likely_benign.size(),
                          inc.likely_benign.size() == 1 ? "" : "s"),
        fmt::join(each, "; "));
  }
  return fmt::format(
      "{}. {} finding{} were all recognised as likely benign ({}); nothing in the evidence "
      "points to a compromise.",
      inc.title, inc.likely_benign.size(), inc.likely_benign.size() == 1 ? "" : "s",
      inc.likely_benign.empty() ? "none" : inc.likely_benign.front().reason);
}

// The hunt for everything the attacker did: by their addresses, access keys and Kubernetes users.
void add_hunt_step(Incident& inc) {
  std::vector<std::string> terms;
  for (const auto& a : inc.affected) {
    if (a.kind == "ip") terms.push_back(fmt::format("source.ip:\"{}\"", a.name));
    if (a.kind == "access_key")
      terms.push_back(fmt::format("aws.cloudtrail.user_identity.access_key_id:\"{}\"", a.name));
  }
  for (const auto& e : inc.entities)
    if (e.kind == "k8s_user" && !e.name.empty() && e.name.rfind("system:", 0) != 0)
      terms.push_back(fmt::format("user.name:\"{}\"", e.name));
  if (terms.empty()) return;
  if (terms.size() > 6) terms.resize(6);
  inc.next_steps.push_back(fmt::format(
      "Hunt for everything the attacker did, not only what rules flagged: `eksir hunt '{}' "
      "EVIDENCE`",
      fmt::join(terms, " or ")));
}

// The response to a compromise: contain, hunt, preserve, close the gaps, rebuild the way in.
void add_response_steps(Incident& inc, const Shape& s) {
  inc.next_steps.push_back(
      "Contain: review and run `eksir plan CASE --phase contain` (dry run: `eksir respond CASE "
      "--phase contain`; only `--execute` changes anything)");
  add_hunt_step(inc);
  inc.next_steps.push_back(
      "Preserve evidence before deleting anything: pod logs and specs, node EBS snapshot "
      "(the contain plan starts with these)");
  if (!inc.gaps.empty())
    inc.next_steps.push_back(
        "Close the gaps in the evidence (collect the missing sources with "
        "`eksir collect`) and re-run `eksir investigate` on the case");
  if (s.entry_image)
    inc.next_steps.push_back(fmt::format(
        "The way in was a known vulnerability of {}: after containment, rebuild it on the "
        "fixed versions ({}) and roll it out (`eksir plan CASE --phase eradicate "
        "--rebuilt-image IMAGE=NEW`)",
        s.entry_image->name, s.entry_image->attr("fixes")));
}

void add_next_steps(Incident& inc, const Shape& s, size_t counted) {
  if (counted && inc.severity >= Level::Medium) {
    add_response_steps(inc, s);
  } else if (!s.vulnerable_images.empty() && inc.severity == Level::Medium) {
    inc.next_steps.push_back(
        "Patch: rebuild the vulnerable images on the fixed versions and roll them out — `eksir "
        "plan CASE --phase eradicate` lists the steps (give the rebuilt images with "
        "--rebuilt-image IMAGE=NEW)");
    inc.next_steps.push_back(
        "Until then, check who can reach the vulnerable workloads (Services, Ingresses, "
        "NetworkPolicies) and watch their runtime alerts, first those whose vulnerabilities have "
        "a public exploit");
  } else if (counted) {
    inc.next_steps.push_back(
        "Review the low-severity findings above; nothing points to a compromise that needs "
        "containment. Record the conclusion with `eksir case note CASE ...`");
  } else {
    inc.next_steps.push_back(
        "Confirm the likely-benign reasons with the owners named; close the "
        "case with `eksir case close CASE --reason ...`");
  }
}

}  // namespace

void describe(Incident& inc, const std::vector<const FindingFacts*>& group,
              const CorrelationInput& in, const ScopeFacts* sc, const Implausibles& bad) {
  Shape s = shape_of(inc, group);
  type_and_title(inc, group, s);
  inc.id = incident_id(inc, group, bad);
  evidence_gaps(inc, group, in, sc, bad);
  if (in.stats && in.stats->events == 0) {
    undetermined(inc, in, s.cluster);
    return;
  }
  // Summary and next steps.
  size_t counted = counted_findings(group);
  inc.summary = summary_of(inc, group, s, counted);
  add_next_steps(inc, s, counted);
}

}  // namespace eksir::incident
