// Correlation: findings → the entities their events name → groups of findings that share an
// entity (the incident and the leads), each with its criteria, scope, timeline and metrics.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "event/native_paths.h"
#include "incident/context.h"
#include "incident/incident_parts.h"
#include "incident/internal.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::incident {
namespace {

// Where a record is: the key findings' evidence names events by. The file is viewed, not copied:
// it lives in the events (or the findings) for as long as the map.
struct RecordRef {
  std::string_view file;
  uint64_t line = 0, record = 0;
  bool operator==(const RecordRef&) const = default;
};
struct RecordRefHash {
  size_t operator()(const RecordRef& r) const {
    size_t h = std::hash<std::string_view>()(r.file);
    h ^= (r.line + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    h ^= (r.record + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    return h;
  }
};

struct UnionFind {
  std::unordered_map<std::string, std::string> parent;
  std::string find(const std::string& k) {
    auto it = parent.find(k);
    if (it == parent.end()) {
      parent[k] = k;
      return k;
    }
    if (it->second == k) return k;
    std::string root = find(it->second);
    parent[k] = root;
    return root;
  }
  void unite(const std::string& a, const std::string& b) {
    std::string ra = find(a), rb = find(b);
    if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
  }
};

bool strong_relation(const Link& l) {
  static const std::set<std::string> strong = {"key of",
                                               "authenticated as",
                                               "mapped from (aws-auth)",
                                               "mapped from (access entry)",
                                               "grants cluster access to",
                                               "runs as"};
  if (strong.count(l.relation)) return true;
  return l.relation.rfind("grants ", 0) == 0;
}

std::string sentence_of(const EventSummary& s, Source src) {
  std::string out = s.actor.empty() ? std::string(source_label(src)) : s.actor;
  if (!s.action.empty()) out += " " + s.action;
  if (!s.target.empty()) out += " " + s.target;
  int code = std::atoi(s.outcome.c_str());
  bool ok = s.outcome.empty() || s.outcome == "success" || (code > 0 && code < 400);
  if (!ok) out += " (" + s.outcome + ")";
  if (!s.source_ip.empty()) out += " from " + s.source_ip;
  return out;
}

std::string hex6(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return fmt::format("{:06x}", h & 0xffffff);
}

std::string date_of(TimeNs t) {
  std::string s = format_time(t);
  if (s.size() < 10) return "00000000";
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}

struct Group {
  std::vector<const FindingFacts*> findings;
  std::set<std::string> keys;
};

// The evidence's implausible times, by value (util::implausible_times over every time the
// correlation saw: its events' and its findings' first and last sight, which also stand for
// events it did not keep or kept in another copy).
using Implausibles = std::unordered_map<TimeNs, util::Implausible>;

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

// What findings of more than one party name: a pod two admins exec into, a secret several
// people read, a workload both a pipeline and an engineer change — and the IAM role whose
// sessions several people use, the session name two logins share. Such an entity is common
// ground, not a link between those parties: a finding joins the others only through what ties
// the actors themselves (an access key, an address, a binding, what one created and another
// used). A party is the access keys a finding's requests were signed with — one login of a
// session, one user's key — else its most specific actor. Findings without an actor (a
// detector's alert about the pod) are nobody's party.
std::unordered_map<std::string, size_t> shared_objects(const std::vector<FindingFacts>& ffs) {
  auto is_key = [](const std::string& k) { return k.rfind("key:", 0) == 0; };
  UnionFind party;
  std::vector<std::string> party_of(ffs.size());
  for (size_t i = 0; i < ffs.size(); ++i) {
    const auto& actors = ffs[i].actors;
    std::string first;
    for (const auto& a : actors)
      if (is_key(a)) {
        if (first.empty())
          first = a;
        else
          party.unite(first, a);  // one finding's keys: one party
      }
    party_of[i] = first;
  }
  // A finding whose requests name no key (a detector's copy of an audit record) is the party of
  // its actor's one key, when the actor has one; else its actor's own.
  std::unordered_map<std::string, std::set<std::string>> keys_of;
  for (size_t i = 0; i < ffs.size(); ++i)
    if (!party_of[i].empty())
      for (const auto& a : ffs[i].actors)
        if (!is_key(a)) keys_of[a].insert(party.find(party_of[i]));
  for (size_t i = 0; i < ffs.size(); ++i) {
    if (!party_of[i].empty()) continue;
    std::string actor;
    for (const auto& a : ffs[i].actors)
      if (a.rfind("iam:", 0) != 0 || actor.empty()) actor = a;  // a user or token over a role
    if (actor.empty()) continue;
    auto it = keys_of.find(actor);
    party_of[i] = it != keys_of.end() && it->second.size() == 1 ? *it->second.begin() : actor;
  }
  std::unordered_map<std::string, std::set<std::string>> parties;
  for (size_t i = 0; i < ffs.size(); ++i) {
    if (party_of[i].empty()) continue;
    const std::string who = party.find(party_of[i]);
    for (const auto& k : ffs[i].entities)
      if (!is_key(k) && k.rfind("ip:", 0) != 0) parties[k].insert(who);
  }
  std::unordered_map<std::string, size_t> shared;
  for (const auto& [k, who] : parties)
    if (who.size() > 1) shared.emplace(k, who.size());
  return shared;
}

}  // namespace

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

void describe(Incident& inc, const std::vector<const FindingFacts*>& group, const Graph& g,
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
  (void)g;
}

}  // namespace

namespace {

// Reads back the texts of events kept without them (EventPrework::light), one pass per file:
// each wanted event's copy with its text is appended to store and returned in place of it (the
// event itself when its text could not be read back: the file changed or is gone, counted in
// unread with the reason in why).
std::vector<const Event*> read_back_events(
    const std::vector<std::pair<const Event*, const EventPrework*>>& wanted,
    std::deque<Event>& store, size_t& unread, std::string& why) {
  std::vector<const Event*> out(wanted.size());
  std::map<std::string_view, std::vector<size_t>> by_file;
  for (size_t i = 0; i < wanted.size(); ++i) {
    out[i] = wanted[i].first;
    by_file[wanted[i].first->file].push_back(i);
  }
  for (const auto& [file, items] : by_file) {
    std::vector<sources::Slice> slices;
    slices.reserve(items.size());
    for (size_t i : items) {
      const EventPrework& w = *wanted[i].second;
      slices.push_back({w.offset, w.length, w.checksum});
    }
    std::vector<std::string> texts;
    std::string error = sources::read_back(std::string(file), slices, texts);
    for (size_t k = 0; k < items.size(); ++k) {
      const size_t i = items[k];
      if (!error.empty() || k >= texts.size() || texts[k].empty()) {
        ++unread;
        if (why.empty())
          why = fmt::format("{}: {}", file, error.empty() ? "changed since it was read" : error);
        continue;
      }
      Event e = *wanted[i].first;
      e.raw = std::move(texts[k]);
      store.push_back(std::move(e));
      out[i] = &store.back();
    }
  }
  return out;
}

}  // namespace

EventPrework prework(const EventView& ev) {
  return prework(ev, nullptr);
}

EventPrework prework(const EventView& ev, FacetInterner* who) {
  EventPrework w;
  w.facets = encode_facets(record_facets(ev), who);
  w.event_id = detect::event_id(ev);
  w.pod_binding =
      ev.source == Source::K8sAudit && path_text(ev.doc, "objectRef.subresource") == "binding";
  return w;
}

Event keep_event(const EventView& ev, EventPrework& work) {
  if (ev.offset == kNoOffset || ev.file.empty() || work.pod_binding || ev.rewritten ||
      (ev.source != Source::CloudTrail && ev.source != Source::K8sAudit) ||
      ev.raw.size() > UINT32_MAX)
    return Event::from_view(ev);
  work.offset = ev.offset;
  work.length = static_cast<uint32_t>(ev.raw.size());
  work.checksum = sources::checksum(ev.raw);
  return Event::place_of(ev);
}

void build(const CorrelationInput& in, Investigation& out) {
  static const cluster::Policy default_policy;
  CorrelationInput input = in;
  if (!input.policy) input.policy = &default_policy;
  Graph g;
  if (input.snapshot) add_snapshot(g, *input.snapshot);

  // Facts of every captured event, and the scope's view of each record.
  std::vector<EventFacts> facts;
  std::vector<ScopeRecord> records;
  // A record for each kept event and each of the context store's: made at that size (and a
  // little more, for the alerts and pulled events added on the way), not doubled as it grows.
  records.reserve((input.events ? input.events->size() : 0) +
                  (input.context ? input.context->size() : 0) + 1024);
  std::unordered_map<RecordRef, const EventFacts*, RecordRefHash> by_ref;
  // The same event exported twice: keyed by views of event ids that stay put (facts is reserved;
  // pulled facts live in a deque).
  std::unordered_map<std::string_view, const EventFacts*> by_event_id;
  simdjson::dom::parser parser;
  std::string padded;  // the event's text with simdjson's padding after it, reused
  // Parses an event into facts (its entities and links added to the graph). Returns the facts of
  // an earlier copy when the same event was exported twice; null when it does not parse.
  // What of an event does not depend on the others — its summary and facets — worked out ahead,
  // on every core (the graph is built one event at a time after).
  struct Ahead {
    bool parsed = false;
    bool deferred = false;  // only its facets and id: no finding cites it (see below)
    EventSummary summary;
    std::string facets;  // encoded
    std::string event_id;
  };
  auto make_facts = [&](const Event& e, EventFacts& f, bool& duplicate,
                        Ahead* ahead = nullptr) -> bool {
    duplicate = false;
    if (ahead && !ahead->parsed) return false;
    simdjson::dom::element doc;
    std::string_view text = e.normalised();
    padded.assign(text);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    if (parser.parse(padded.data(), text.size(), false).get(doc) != simdjson::SUCCESS) return false;
    EventView v{e.source, e.file, e.line, e.record, e.time, e.sample, e.raw, doc};
    std::string event_id = detect::event_id(v);
    if (!event_id.empty()) {
      auto it = by_event_id.find(event_id);
      if (it != by_event_id.end()) {
        duplicate = true;
        f.record = it->second->record;
        return true;
      }
    }
    f.event = &e;
    f.event_id = std::move(event_id);
    f.summary = ahead ? std::move(ahead->summary) : summarize(v);
    f.sentence = sentence_of(f.summary, e.source);
    Evidence ev;
    ev.text = f.sentence;
    ev.source = std::string(source_label(e.source));
    ev.file = e.file;
    ev.line = e.line;
    ev.event_id = f.event_id;
    ev.time = e.time;
    f.entities = add_event(g, v, ev);
    f.pod_binding =
        e.source == Source::K8sAudit && path_text(doc, "objectRef.subresource") == "binding";
    if (e.source == Source::K8sAudit) {
      f.granted_role = role_from_reason(path_text(doc, "annotations.authorization.k8s.io/reason"));
      std::string code = path_text(doc, "responseStatus.code");
      f.failed = !code.empty() && std::atoi(code.c_str()) >= 400;
    } else if (e.source == Source::CloudTrail) {
      f.failed = !path_text(doc, "errorCode").empty();
    }
    if (e.source == Source::GuardDuty) {
      f.detected = parse_time(path_text(doc, native::guardduty::kCreatedAt));
      f.first_seen = parse_time(path_text(doc, native::guardduty::kFirstSeen));
      f.last_seen = parse_time(path_text(doc, native::guardduty::kLastSeen));
    } else if (e.source == Source::Falco || e.source == Source::Ocsf) {
      f.detected = e.time;
    }
    if (f.record < 0) {
      f.record = static_cast<long>(records.size());
      if (ahead)
        records.push_back(ScopeRecord::owning(std::move(ahead->facets), e.time, e.source));
      else
        records.emplace_back(record_facets(v), e.time, e.source);
    }
    return true;
  };
  // Kept events whose facts are made only if the scope pulls them: record index → event.
  struct Deferred {
    const Event* event;
    std::string own_id;                  // its id, when it has no prework to read it from
    const EventPrework* work = nullptr;  // where its text is, when it was kept without it
    const std::string& event_id() const { return work ? work->event_id : own_id; }
  };
  std::unordered_map<size_t, Deferred> deferred;
  // Kept events read back from the evidence (EventPrework::light); those that could not be.
  std::deque<Event> read_events;
  size_t unread_kept = 0;
  std::string unread_why;
  const bool preworked =
      input.events && input.prework && input.prework->size() == input.events->size();
  auto work_of = [&](const Event* e) -> const EventPrework* {
    if (!preworked || e < input.events->data() || e >= input.events->data() + input.events->size())
      return nullptr;
    return &(*input.prework)[static_cast<size_t>(e - input.events->data())];
  };
  if (input.events) {
    // In evidence order, whatever order the scan's workers delivered them in: of an event
    // exported twice, the first copy is the one cited, run after run.
    std::vector<const Event*> order;
    order.reserve(input.events->size());
    for (const Event& e : *input.events) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](const Event* a, const Event* b) {
      if (a->file != b->file) return a->file < b->file;
      if (a->line != b->line) return a->line < b->line;
      return a->record < b->record;
    });
    // A finding cites its first kMaxEvidence events; the events it counts past those, and that
    // place no pod, are kept for the scope only: their facets now, the rest of their facts
    // (summary, graph) if the scope pulls them. A finding's thousands of ordinary calls cost a
    // record each, not a sentence and a place in the graph each.
    std::unordered_set<RecordRef, RecordRefHash> cited;
    if (input.findings)
      for (const auto& f : *input.findings)
        for (const auto& r : f.evidence) cited.insert(RecordRef{r.file, r.line, r.record});
    // Each event's prework, by its place in order; then the texts of the events whose facts are
    // made now (cited, pod placements) that were kept without them.
    std::vector<const EventPrework*> work(order.size());
    {
      std::vector<std::pair<const Event*, const EventPrework*>> wanted;
      std::vector<size_t> where;
      for (size_t i = 0; i < order.size(); ++i) {
        work[i] = work_of(order[i]);
        const Event& e = *order[i];
        if (work[i] && work[i]->light() && e.raw.empty() &&
            (work[i]->pod_binding || cited.count(RecordRef{e.file, e.line, e.record}))) {
          wanted.emplace_back(order[i], work[i]);
          where.push_back(i);
        }
      }
      auto got = read_back_events(wanted, read_events, unread_kept, unread_why);
      for (size_t k = 0; k < where.size(); ++k) order[where[k]] = got[k];
    }
    std::vector<Ahead> ahead(order.size());
    auto work_ahead = [&](size_t from, size_t step) {
      simdjson::dom::parser own;
      std::string buffer;
      for (size_t i = from; i < order.size(); i += step) {
        const Event& e = *order[i];
        const bool is_cited = cited.count(RecordRef{e.file, e.line, e.record}) > 0;
        const EventPrework* pw = work[i];
        if (pw && !is_cited && !pw->pod_binding) {
          ahead[i].parsed = ahead[i].deferred = true;  // its facets and id are read from pw
          continue;
        }
        std::string_view text = e.normalised();
        buffer.assign(text);
        buffer.append(simdjson::SIMDJSON_PADDING, '\0');
        simdjson::dom::element doc;
        if (own.parse(buffer.data(), text.size(), false).get(doc) != simdjson::SUCCESS) continue;
        EventView v{e.source, e.file, e.line, e.record, e.time, e.sample, e.raw, doc};
        ahead[i].parsed = true;
        if (pw) {
          ahead[i].facets = pw->facets;
          ahead[i].summary = summarize(v);
          continue;
        }
        EventPrework own_work = prework(v);
        ahead[i].facets = std::move(own_work.facets);
        if (!is_cited && !own_work.pod_binding) {
          ahead[i].deferred = true;
          ahead[i].event_id = std::move(own_work.event_id);
          continue;
        }
        ahead[i].summary = summarize(v);
      }
    };
    {
      const size_t helpers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()) - 1,
                                              order.size() / 512);
      std::vector<std::jthread> pool;
      for (size_t t = 1; t <= helpers; ++t) pool.emplace_back(work_ahead, t, helpers + 1);
      work_ahead(0, helpers + 1);
    }
    // Facts only for the events not deferred (a finding's thousands of matches are not); by
    // views of their ids, so reserved.
    const size_t made = static_cast<size_t>(
        std::count_if(ahead.begin(), ahead.end(), [](const Ahead& a) { return !a.deferred; }));
    facts.reserve(made);
    by_ref.reserve(made);
    by_event_id.reserve(made);
    std::vector<size_t> fact_of_record;
    for (size_t n = 0; n < order.size(); ++n) {
      const Event& e = *order[n];
      const RecordRef ref{e.file, e.line, e.record};
      if (ahead[n].deferred) {
        deferred.emplace(
            records.size(),
            Deferred{&e, work[n] ? std::string() : std::move(ahead[n].event_id), work[n]});
        // The scan's prework outlives the correlation: its facets are viewed, not copied.
        records.push_back(work[n]
                              ? ScopeRecord(std::string_view(work[n]->facets), e.time, e.source)
                              : ScopeRecord::owning(std::move(ahead[n].facets), e.time, e.source));
        fact_of_record.push_back(SIZE_MAX);  // records and fact_of_record stay aligned
        continue;
      }
      EventFacts f;
      bool duplicate = false;
      if (!make_facts(e, f, duplicate, &ahead[n])) continue;
      if (duplicate) {
        by_ref[ref] = &facts[fact_of_record[static_cast<size_t>(f.record)]];
        continue;
      }
      fact_of_record.push_back(facts.size());
      facts.push_back(std::move(f));
      by_ref[ref] = &facts.back();
      if (!facts.back().event_id.empty()) by_event_id.emplace(facts.back().event_id, &facts.back());
    }
  }
  // The rest of the evidence the scope may pull from: records no rule fired on.
  const size_t context_base = records.size();
  if (input.context)
    for (size_t i = 0; i < input.context->size(); ++i) records.emplace_back(*input.context, i);
  // Records no rule fired on are read back when the scope (or a finding of the policy's)
  // needs them.
  std::deque<Event> pulled_events;
  std::deque<EventFacts> pulled_facts;
  std::map<size_t, const EventFacts*> fact_of;  // record → its facts
  for (auto& f : facts) fact_of[static_cast<size_t>(f.record)] = &f;
  auto load_context = [&](size_t idx) -> const EventFacts* {
    if (auto it = fact_of.find(idx); it != fact_of.end()) return it->second;
    const Event* kept = nullptr;
    // The rule that matched it, when one did: a kept event's (unknown without the scan's
    // prework), or the rule of a record kept past the events kept whole.
    std::optional<uint32_t> rule;
    if (idx < context_base) {
      auto d = deferred.find(idx);
      if (d == deferred.end()) return nullptr;
      kept = d->second.event;
      rule = d->second.work ? d->second.work->rule : detect::Engine::kNoRule;
      if (kept->raw.empty() && kept->json.empty() && d->second.work && d->second.work->light()) {
        // Not prefetched: read back on its own.
        kept = read_back_events({{kept, d->second.work}}, read_events, unread_kept, unread_why)[0];
        if (kept->raw.empty()) return nullptr;
        d->second.event = kept;
      }
    } else if (!input.context) {
      return nullptr;
    }
    bool ok = true;
    if (!kept) pulled_events.push_back(input.context->load(idx - context_base, ok));
    EventFacts f;
    f.record = static_cast<long>(idx);
    bool duplicate = false;
    if (!ok || !make_facts(kept ? *kept : pulled_events.back(), f, duplicate)) {
      if (!kept) pulled_events.pop_back();
      return nullptr;
    }
    if (duplicate) {
      // The same record exported twice: cite the first copy.
      if (!kept) pulled_events.pop_back();
      auto first = fact_of.find(static_cast<size_t>(f.record));
      const EventFacts* ef = first == fact_of.end() ? nullptr : first->second;
      if (ef) fact_of[idx] = ef;
      return ef;
    }
    f.record = static_cast<long>(idx);
    if (!kept) {
      const auto& r = input.context->at(idx - context_base);
      if (r.rule != detect::Engine::kNoRule) rule = r.rule;
      f.repeats = r.repeats();
      f.repeats_from = r.repeats_first();
      f.repeats_until = r.repeats_last();
      // A repeat with the record's own id is the record exported twice: not another time.
      for (const auto& kept_id : r.repeat_ids())
        if (std::string id = kept_id.str(); !id.empty() && id == f.event_id && f.repeats)
          --f.repeats;
        else
          f.also.push_back(std::move(id));
    }
    if (rule)
      f.matched = input.rules && *rule < input.rules->size() ? (*input.rules)[*rule].title : "";
    pulled_facts.push_back(std::move(f));
    fact_of[idx] = &pulled_facts.back();
    if (!pulled_facts.back().event_id.empty())
      by_event_id.emplace(pulled_facts.back().event_id, &pulled_facts.back());
    return &pulled_facts.back();
  };

  // Findings of the policy's (a CI/CD credential used from elsewhere), over every record.
  std::vector<detect::Finding> all_findings;
  if (input.findings) all_findings = *input.findings;
  auto place = [&](size_t i) -> RecordPlace {
    if (auto it = fact_of.find(i); it != fact_of.end()) {
      const EventFacts& f = *it->second;
      return {f.event->source, f.event->file, f.event->line, f.event->record, f.event_id};
    }
    if (i < context_base) {
      const Deferred& d = deferred.at(i);
      return {d.event->source, d.event->file, d.event->line, d.event->record, d.event_id()};
    }
    const auto& r = input.context->at(i - context_base);
    return {r.source, input.context->file_of(i - context_base), r.line, r.record, r.event_id.str()};
  };
  // The texts of the context records among these read from the evidence in one pass per file,
  // before load_context takes them one by one.
  auto prefetch_context = [&](const std::vector<size_t>& indices) {
    std::vector<size_t> wanted;
    std::vector<std::pair<const Event*, const EventPrework*>> kept_wanted;
    std::vector<Deferred*> kept_where;
    for (size_t i : indices) {
      if (fact_of.count(i)) continue;
      if (i >= context_base) {
        wanted.push_back(i - context_base);
      } else if (auto d = deferred.find(i); d != deferred.end() && d->second.work &&
                                            d->second.work->light() &&
                                            d->second.event->raw.empty()) {
        kept_wanted.emplace_back(d->second.event, d->second.work);
        kept_where.push_back(&d->second);
      }
    }
    if (input.context) input.context->prefetch(wanted);
    auto got = read_back_events(kept_wanted, read_events, unread_kept, unread_why);
    for (size_t k = 0; k < kept_where.size(); ++k) kept_where[k]->event = got[k];
  };
  auto policy_findings = cicd_findings(records, place, *input.policy);
  {
    std::vector<size_t> cited;
    for (const auto& d : policy_findings)
      cited.insert(cited.end(), d.records.begin(), d.records.end());
    prefetch_context(cited);
  }
  for (auto& d : policy_findings) {
    // The cited records are read back, so the finding's events resolve like any other's.
    for (size_t i : d.records)
      if (const EventFacts* ef = load_context(i)) {
        // Under the place the finding cites, which may be a second copy of the record.
        if (i >= context_base) {
          const auto& r = input.context->at(i - context_base);
          by_ref[RecordRef{input.context->file_of(i - context_base), r.line, r.record}] = ef;
        } else {
          by_ref[RecordRef{ef->event->file, ef->event->line, ef->event->record}] = ef;
        }
      }
    all_findings.push_back(std::move(d.finding));
  }
  // Places findings cite that the scan kept as the scope's other records (API calls a rule
  // matched past the events investigate keeps whole): read back, so that they resolve too.
  if (input.context) {
    std::unordered_map<RecordRef, size_t, RecordRefHash> hit_at;
    for (size_t i = 0; i < input.context->size(); ++i)
      if (const auto& r = input.context->at(i); r.rule != UINT32_MAX)
        hit_at.emplace(RecordRef{input.context->file_of(i), r.line, r.record}, context_base + i);
    std::vector<size_t> cited;
    if (!hit_at.empty())
      for (const auto& f : all_findings)
        for (const auto& r : f.evidence)
          if (RecordRef ref{r.file, r.line, r.record}; !by_ref.count(ref))
            if (auto it = hit_at.find(ref); it != hit_at.end()) cited.push_back(it->second);
    std::sort(cited.begin(), cited.end());
    cited.erase(std::unique(cited.begin(), cited.end()), cited.end());
    prefetch_context(cited);
    for (size_t i : cited)
      if (const EventFacts* ef = load_context(i)) {
        // Shown with its finding, like the events kept whole that findings cite.
        const_cast<EventFacts*>(ef)->matched.reset();
        const auto& r = input.context->at(i - context_base);
        by_ref[RecordRef{input.context->file_of(i - context_base), r.line, r.record}] = ef;
      }
  }
  g.index();
  std::map<std::string, const EventFacts*> binding_by_pod;
  for (const auto& f : facts)
    if (f.pod_binding)
      for (const auto& t : f.entities.targets)
        if (t.rfind("pod:", 0) == 0) binding_by_pod.emplace(t.substr(4), &f);

  // Facts of every finding.
  std::vector<FindingFacts> ffs;
  {
    ffs.reserve(all_findings.size());
    for (const auto& f : all_findings) {
      FindingFacts ff;
      ff.finding = &f;
      for (const auto& r : f.evidence) {
        auto it = by_ref.find(RecordRef{r.file, r.line, r.record});
        if (it == by_ref.end()) continue;
        const EventFacts* ef = it->second;
        if (std::find(ff.events.begin(), ff.events.end(), ef) == ff.events.end())
          ff.events.push_back(ef);
      }
      ff.alert = !f.evidence.empty() &&
                 (f.evidence[0].source == Source::GuardDuty ||
                  f.evidence[0].source == Source::Falco || f.evidence[0].source == Source::Ocsf);
      auto add = [&](std::vector<std::string>& v, const std::string& k) {
        if (!k.empty() && std::find(v.begin(), v.end(), k) == v.end()) v.push_back(k);
      };
      for (const auto* ef : ff.events) {
        for (const auto& a : ef->entities.actors) {
          add(ff.actors, a);
          add(ff.entities, a);
        }
        for (const auto& t : ef->entities.targets) add(ff.entities, t);
        if (!ef->entities.source_ip.empty()) add(ff.entities, "ip:" + ef->entities.source_ip);
      }
      if (ff.events.empty()) {
        // Evidence events beyond what was kept: fall back on the finding's subject.
        for (const auto& [k, v] : f.subject) {
          std::string key;
          if (k == "arn" || k == "userIdentity.arn")
            key = iam_key(v);
          else if (k == "access_key_id")
            key = "key:" + v;
          else if (k == "user.username")
            key = k8s_user_key(v);
          else if (k == "source_ip" && is_public_ip(v))
            key = "ip:" + v;
          if (key.empty() || !g.find(key)) continue;
          add(ff.actors, key);
          add(ff.entities, key);
        }
      }
      ff.criterion = alert_criterion(f);
      ffs.push_back(std::move(ff));
    }
  }
  for (auto& ff : ffs) ff.benign = likely_benign(ff, g, *input.policy);
  // A detector's alert that names no actor, about a pod a benign action touched minutes before
  // (a shell after an admin's exec in a maintenance window), shares that action's reason.
  constexpr TimeNs kFollowWindow = 10LL * 60 * 1000000000LL;
  for (auto& ff : ffs) {
    if (ff.benign || !ff.alert || !ff.actors.empty() ||
        criterion_level(ff.criterion) == Level::Critical)
      continue;
    for (const auto& other : ffs) {
      if (!other.benign || other.alert || &other == &ff) continue;
      if (ff.finding->first_seen == kNoTime || other.finding->first_seen == kNoTime) continue;
      TimeNs dt = util::span_ns(other.finding->first_seen, ff.finding->first_seen);
      if (dt < 0 || dt > kFollowWindow) continue;
      bool same_pod = false;
      for (const auto& k : ff.entities)
        if (k.rfind("pod:", 0) == 0 &&
            std::find(other.entities.begin(), other.entities.end(), k) != other.entities.end())
          same_pod = true;
      if (!same_pod) continue;
      Benign b = *other.benign;
      b.finding = ff.finding->id;
      b.rule = ff.finding->rule_id;
      b.title = ff.finding->title;
      b.severity = ff.finding->severity;
      b.reason = fmt::format("follows \"{}\" on the same pod {}s earlier, which is {}",
                             other.finding->title, dt / 1000000000LL, other.benign->reason);
      ff.benign = std::move(b);
      break;
    }
  }

  // Records shown as a finding's evidence that can stand for the same activity done again: the
  // API calls that findings cite, none of them benign (attacker's repeats are not to read as a
  // benign finding's).
  std::set<size_t> cited_activity, benign_cited;
  for (const auto& ff : ffs)
    for (const auto* ef : ff.events) {
      if (ef->record < 0 || !ef->event || ef->pod_binding) continue;
      if (ff.benign)
        benign_cited.insert(static_cast<size_t>(ef->record));
      else if (!ff.alert &&
               (ef->event->source == Source::CloudTrail || ef->event->source == Source::K8sAudit))
        cited_activity.insert(static_cast<size_t>(ef->record));
    }
  for (size_t r : benign_cited) cited_activity.erase(r);

  ScopeContext sctx;
  sctx.policy = input.policy;
  sctx.account = g.cluster.account;
  if (input.context)
    for (const auto& [ip, n] : input.context->egress()) sctx.egress.insert(ip);
  for (const auto& [k, e] : g.entities)
    if (e.attributes.count("node_role")) sctx.node_roles.insert(k);
  const ScopeIndex scope_index(records, sctx);
  sctx.shared = scope_index.shared;

  // Group findings: entities they share, and strong links between entities — never through
  // common ground.
  auto shared = shared_objects(ffs);
  for (const auto& [ip, n] : sctx.shared) shared.emplace("ip:" + ip, n);
  UnionFind uf;
  for (const auto& l : g.links)
    if (strong_relation(l) && !shared.count(l.from) && !shared.count(l.to)) {
      const Entity* a = g.find(l.from);
      const Entity* b = g.find(l.to);
      if (a && b && links_findings(*a) && links_findings(*b) &&
          !(b->kind == "service_account" && b->name == "default"))
        uf.unite(l.from, l.to);
    }
  std::vector<std::string> group_of(ffs.size());
  for (size_t i = 0; i < ffs.size(); ++i) {
    std::string anchor;
    for (const auto& k : ffs[i].entities) {
      const Entity* e = g.find(k);
      if (!e || !links_findings(*e) || shared.count(k)) continue;
      if (anchor.empty())
        anchor = k;
      else
        uf.unite(anchor, k);
    }
    group_of[i] = anchor.empty() ? "finding:" + ffs[i].finding->id : anchor;
  }
  std::map<std::string, Group> groups;
  for (size_t i = 0; i < ffs.size(); ++i) {
    std::string root = group_of[i].rfind("finding:", 0) == 0 ? group_of[i] : uf.find(group_of[i]);
    groups[root].findings.push_back(&ffs[i]);
  }
  struct Ranked {
    Level level;
    size_t counted;
    TimeNs first;
    const Group* group;
  };
  std::vector<Ranked> ranked;
  for (const auto& [root, grp] : groups) {
    auto crit = assess(grp.findings, g, false);
    size_t counted = 0;
    TimeNs first = INT64_MAX;
    for (const auto* ff : grp.findings) {
      if (!ff->benign) ++counted;
      first = std::min(first, ff->finding->first_seen);
    }
    Level l = counted ? level_of(crit) : Level::Low;
    ranked.push_back({l, counted, first, &grp});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.level != b.level) return a.level > b.level;
    if (a.counted != b.counted) return a.counted > b.counted;
    return a.first < b.first;
  });

  out.findings = all_findings;
  auto note_unread = [&](Incident& inc) {
    if (unread_kept)
      inc.gaps.push_back(fmt::format(
          "{} record{} behind findings could not be read back from the evidence ({}): the "
          "incident lacks them",
          util::thousands(unread_kept), unread_kept == 1 ? "" : "s", unread_why));
  };
  if (input.posture) out.posture = *input.posture;
  if (ranked.empty()) {
    const Implausibles bad = implausible_values(facts, pulled_facts, input.findings, input.now);
    build_incident({}, g, input, binding_by_pod, nullptr, bad, out.incident, true);
    describe(out.incident, {}, g, input, nullptr, bad);
    note_unread(out.incident);
    return;
  }

  // The scope: from the top group's findings, everything the attacker did; leads that share
  // what the attacker touched join the incident, and the pivot runs again from them.
  std::vector<const FindingFacts*> main = ranked[0].group->findings;
  std::vector<bool> merged(ranked.size(), false);
  merged[0] = true;
  ScopeFacts scope;
  std::map<size_t, size_t> activity_rep;  // pulled record → the record of its activity shown
  std::map<std::string, size_t> first_of_activity;
  std::set<size_t> grouped;
  for (int round = 0; round < 8; ++round) {
    std::vector<size_t> seeds;
    for (const FindingFacts* ff : main) {
      if (ff->benign) continue;
      for (const auto* ef : ff->events)
        if (ef->record >= 0) seeds.push_back(static_cast<size_t>(ef->record));
    }
    scope.result = pivot(records, scope_index, seeds, {}, sctx);
    // The pulled records no finding cites are read back and added to the graph — one of each
    // activity: the others that did the same (another session of the same role listing the same
    // thing from the same address, or the same call again past the records a finding cites) are
    // counted on it, or on a record a finding cites that did the same.
    for (const auto& [idx, pulled] : scope.result.pulled) {
      if (!grouped.insert(idx).second) continue;
      const bool kept_uncited = idx < context_base && deferred.count(idx);
      const bool cited = cited_activity.count(idx) > 0;
      // Other records a finding cites (pod placements, alerts) stand for nothing but themselves.
      if (idx < context_base && !kept_uncited && !cited) continue;
      std::string key = activity_key(records[idx].encoded()) + (pulled.by_attacker ? "a" : "m");
      auto [it, first] = first_of_activity.try_emplace(std::move(key), idx);
      if (first) continue;
      // Records a finding cites are shown as its evidence, never folded into another; the others
      // fold into one of them, else into the earliest of the activity.
      const bool rep_cited = cited_activity.count(it->second) > 0;
      if (cited) {
        if (!rep_cited) {
          activity_rep[it->second] = idx;
          it->second = idx;
        }
        continue;
      }
      if (rep_cited || records[idx].time >= records[it->second].time) {
        activity_rep[idx] = it->second;
        continue;
      }
      if (!first) {
        activity_rep[it->second] = idx;
        it->second = idx;
      }
    }
    for (auto& [other, rep] : activity_rep)
      while (activity_rep.count(rep)) rep = activity_rep.at(rep);
    std::vector<size_t> to_load;
    for (const auto& [idx, pulled] : scope.result.pulled)
      if (!activity_rep.count(idx)) to_load.push_back(idx);
    prefetch_context(to_load);
    for (size_t idx : to_load) load_context(idx);
    g.index();
    // Compromised hosts: the nodes where the attacker's pods ran, and the nodes and instances a
    // detector's alert of the incident names; each with its counterpart (node ↔ instance).
    std::set<std::string> scope_hosts;
    auto add_host = [&](const std::string& key) {
      if (!scope_hosts.insert(key).second) return;
      for (const auto& [other, link] : g.neighbours(key))
        if ((other.rfind("instance:", 0) == 0 || other.rfind("node:", 0) == 0) &&
            link->relation == "is instance")
          scope_hosts.insert(other);
    };
    for (const auto& [key, seed] : scope.result.seeds) {
      if (key.rfind("pod:", 0) != 0) continue;
      for (const auto& [other, link] : g.neighbours(key))
        if (other.rfind("node:", 0) == 0) add_host(other);
    }
    for (const FindingFacts* ff : main)
      if (ff->alert && !ff->benign && ff->finding->severity >= detect::Severity::High)
        for (const auto& k : ff->entities)
          if (k.rfind("node:", 0) == 0 || k.rfind("instance:", 0) == 0) add_host(k);
    // What the incident's workloads belong to: a compromised pod's ReplicaSet, Deployment,
    // DaemonSet or Job and CronJob. A lead about the workload that made them (its creation by
    // a stolen token) is the same attack.
    // A pod several parties act on (the replica admins and the attacker all exec into) is common
    // ground: where it came from is not the attack.
    std::set<std::string> owners;
    std::vector<std::string> work;
    for (const FindingFacts* ff : main)
      if (!ff->benign)
        for (const auto& k : ff->entities)
          if ((k.rfind("pod:", 0) == 0 || k.rfind("workload:", 0) == 0) && !shared.count(k))
            work.push_back(k);
    for (const auto& [key, seed] : scope.result.seeds)
      if (key.rfind("pod:", 0) == 0 || key.rfind("workload:", 0) == 0) work.push_back(key);
    while (!work.empty()) {
      std::string k = std::move(work.back());
      work.pop_back();
      for (const auto& [other, link] : g.neighbours(k))
        if (link->from == k && link->relation == "owned by" && owners.insert(other).second)
          work.push_back(other);
    }
    // The attacker's window so far: the records of the scope and the findings of the incident.
    TimeNs window_first = kNoTime, window_last = kNoTime;
    auto widen = [&](TimeNs t) {
      if (t == kNoTime) return;
      if (window_first == kNoTime || t < window_first) window_first = t;
      if (window_last == kNoTime || t > window_last) window_last = t;
    };
    for (const auto& [idx, pulled] : scope.result.pulled) widen(records[idx].time);
    for (const FindingFacts* ff : main)
      if (!ff->benign) widen(ff->finding->first_seen);
    constexpr TimeNs kHostMargin = 30LL * 60 * 1000000000LL;
    bool grew = false;
    for (size_t r = 1; r < ranked.size(); ++r) {
      if (merged[r]) continue;
      bool joins = false;
      for (const FindingFacts* ff : ranked[r].group->findings) {
        if (ff->benign) continue;
        for (const auto* ef : ff->events)
          if (ef->record >= 0 && scope.result.pulled.count(static_cast<size_t>(ef->record)))
            joins = true;
        for (const auto& k : ff->entities) {
          if (scope.result.seeds.count(k)) joins = true;
          // A detector's alert about a host the incident already holds as compromised, while
          // the attacker was active there.
          if (ff->alert && scope_hosts.count(k) && ff->finding->first_seen != kNoTime &&
              window_first != kNoTime && ff->finding->first_seen >= window_first - kHostMargin &&
              ff->finding->first_seen <= window_last + kHostMargin)
            joins = true;
          // A finding about the workload that made the incident's pods.
          if (k.rfind("workload:", 0) == 0 && owners.count(k)) joins = true;
        }
        if (joins) break;
      }
      if (!joins) continue;
      merged[r] = true;
      grew = true;
      for (const FindingFacts* ff : ranked[r].group->findings) main.push_back(ff);
    }
    if (!grew) break;
  }
  // The same activity done again is counted on its first record — once per request: a copy of
  // one already counted (the S3 object and lookup-events both hold it) is not another time.
  std::unordered_map<const EventFacts*, std::unordered_set<std::string>> ids_of;
  auto counted = [&](EventFacts* ef, const std::string& id) {
    auto [it, fresh] = ids_of.try_emplace(ef);
    if (fresh) {
      it->second.insert(ef->event_id);
      it->second.insert(ef->also.begin(), ef->also.end());
    }
    return !it->second.insert(id).second;
  };
  static const std::vector<ContextStore::Id> no_ids;
  for (const auto& [idx, rep] : activity_rep) {
    auto it = fact_of.find(rep);
    if (it == fact_of.end() || !scope.result.pulled.count(idx)) continue;
    auto* ef = const_cast<EventFacts*>(it->second);
    // A record of the context store, with the copies of it the scan counted; or a kept event.
    const ContextStore::Record* r =
        idx >= context_base ? &input.context->at(idx - context_base) : nullptr;
    const auto d = r ? deferred.end() : deferred.find(idx);
    if (!r && d == deferred.end()) continue;
    const TimeNs time = records[idx].time;
    uint64_t more = 1 + (r ? r->repeats() : 0);
    auto add_id = [&](const std::string& id) {
      if (id.empty()) return;
      if (counted(ef, id)) {
        if (more) --more;
      } else {
        ef->also.push_back(id);
      }
    };
    add_id(r ? r->event_id.str() : d->second.event_id());
    for (const auto& id : r ? r->repeat_ids() : no_ids) add_id(id.str());
    if (!more) continue;
    ef->repeats += more;
    const TimeNs last = r ? r->repeats_last() : kNoTime, first = r ? r->repeats_first() : kNoTime;
    TimeNs until = last != kNoTime ? std::max(last, time) : time;
    TimeNs from = first != kNoTime ? std::min(first, time) : time;
    if (until != kNoTime && (ef->repeats_until == kNoTime || until > ef->repeats_until))
      ef->repeats_until = until;
    if (from != kNoTime && (ef->repeats_from == kNoTime || from < ef->repeats_from))
      ef->repeats_from = from;
  }
  // Which copy of a repeated request a scan worker kept, and so the order its repeats were
  // counted in, depends on how the evidence was split among workers: the ids are sorted so that
  // the same evidence gives the same incident, run after run.
  // A line keeps the first kMaxAlsoIds of them in that order, so the same ones whatever the split.
  auto sort_ids = [](EventFacts& f) {
    std::sort(f.also.begin(), f.also.end());
    if (f.also.size() > kMaxAlsoIds) f.also.resize(kMaxAlsoIds);
  };
  for (auto& f : pulled_facts) sort_ids(f);
  for (auto& f : facts) sort_ids(f);
  for (const auto& [idx, pulled] : scope.result.pulled) {
    if (activity_rep.count(idx)) continue;
    auto it = fact_of.find(idx);
    if (it != fact_of.end()) scope.pulled.emplace_back(it->second, pulled);
  }
  std::sort(main.begin(), main.end());  // the findings' own order
  // Common ground the incident's findings name: said, so that nobody reads its absence as
  // nothing there.
  for (const FindingFacts* ff : main)
    for (const auto& k : ff->entities)
      if (auto it = shared.find(k);
          it != shared.end() && k.rfind("ip:", 0) != 0 && !scope.result.seeds.count(k))
        scope.result.not_expanded.emplace(
            k, fmt::format("acted on by the findings of {} different identities: common ground, "
                           "not by itself a link between them",
                           it->second));
  const Implausibles bad = implausible_values(facts, pulled_facts, input.findings, input.now);
  build_incident(main, g, input, binding_by_pod, &scope, bad, out.incident, true);
  describe(out.incident, main, g, input, &scope, bad);
  note_unread(out.incident);
  size_t n = 0;
  for (size_t i = 1; i < ranked.size(); ++i) {
    if (merged[i]) continue;
    Incident lead;
    build_incident(ranked[i].group->findings, g, input, binding_by_pod, nullptr, bad, lead, false);
    describe(lead, ranked[i].group->findings, g, input, nullptr, bad);
    lead.id = fmt::format("LEAD-{}", ++n);
    out.leads.push_back(std::move(lead));
  }
}

}  // namespace eksir::incident
