// The report's lessons: the playbook's questions answered from the case.
#include <fmt/format.h>

#include <algorithm>

#include "report/sections.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report::sections {

namespace {

// An alert later than this after the attack began is called late.
constexpr int64_t kLateSeconds = 300;

// How long the alerts that reached a responder took, counted from the attack's start.
void alert_timing(Report& rep, const Found& found) {
  for (const auto& l : rep.timeline) {
    if (l.tag != "DETECTION" || l.time == kNoTime || l.implausible) continue;
    std::string when = "at " + time_seconds(l.time);
    bool late = false;
    if (found.first_malicious != kNoTime) {
      int64_t lag = *util::seconds_between(found.first_malicious, l.time);
      late = lag > kLateSeconds;
      when += fmt::format(", {} after the first malicious event",
                          human_duration(std::max<int64_t>(lag, 0)));
    }
    rep.detection_timing.push_back({"fact",
                                    fmt::format("{}{} alert {}: {}", late ? "Late: " : "",
                                                l.source.empty() ? "An" : l.source, when, l.text),
                                    "High", l.evidence});
  }
}

// Rules that matched the evidence before the first alert: run live, they would have detected the
// attack earlier. Returns how many (up to 11: ten are listed).
size_t earlier_rules(Report& rep) {
  size_t earlier = 0;
  for (const auto& rr : rep.rules) {
    if (rr.first == kNoTime || rep.discovered == kNoTime || rr.first >= rep.discovered) continue;
    if (++earlier > 10) break;
    rep.detection_timing.push_back(
        {"fact",
         fmt::format("{} ({}) matched at {}, {} before the first detection", rr.rule, rr.title,
                     time_seconds(rr.first),
                     human_duration(*util::seconds_between(rr.first, rep.discovered))),
         "High", rr.evidence.empty() ? EvidenceRef{} : rr.evidence.front()});
  }
  return earlier;
}

// Attack steps of the timeline that no rule or finding points at.
void undetected(Report& rep) {
  for (const auto& l : rep.timeline) {
    if (l.tag != "INCIDENT") continue;
    if (!l.evidence.rule.empty() || !l.evidence.finding.empty()) continue;
    rep.undetected.push_back(fmt::format("{} {} ({})", time_seconds(l.time), l.text, l.source));
  }
}

// The events of a source by its label; -1 when the source was not read.
int64_t events_of(const Report& rep, std::string_view label) {
  for (const auto& [l, n] : rep.events_by_source)
    if (l == label) return n;
  return -1;
}

bool logging_gap(const Report& rep) {
  return std::any_of(rep.gaps.begin(), rep.gaps.end(), [](const std::string& g) {
    return contains(g, "logging") || contains(g, "UpdateClusterConfig") || contains(g, "audit");
  });
}

void review_rules(Report& rep, size_t earlier) {
  std::vector<std::string> reasons;
  if (!rep.undetected.empty())
    reasons.push_back(
        fmt::format("{} attack steps had no rule fire on them", rep.undetected.size()));
  size_t late = std::count_if(rep.detection_timing.begin(), rep.detection_timing.end(),
                              [](const Statement& s) { return s.text.starts_with("Late: "); });
  if (late)
    reasons.push_back(fmt::format("{} alerts came more than {} after the first malicious event",
                                  late, human_duration(kLateSeconds)));
  if (earlier)
    reasons.push_back(fmt::format("{} rules matched the evidence before the first alert",
                                  std::min<size_t>(earlier, 10)));
  rep.playbook.push_back({"Review and update EKS-specific detection rules", true,
                          reasons.empty() ? "always part of the review; every "
                                            "attack step had a rule fire on it"
                                          : join(reasons, "; ")});
}

void guardduty(Report& rep, bool gap) {
  int64_t gd = events_of(rep, "GuardDuty");
  bool gd_runtime = false;
  for (const auto& rr : rep.rules)
    if (contains(rr.rule, "Runtime/") || contains(rr.title, "Runtime/")) gd_runtime = true;
  if (gd < 0)
    rep.playbook.push_back(
        {"Implement additional GuardDuty EKS Protection features if not "
         "already enabled",
         true, "GuardDuty coverage is not known from the inputs"});
  else if (gd == 0)
    rep.playbook.push_back(
        {"Implement additional GuardDuty EKS Protection "
         "features if not already enabled",
         true, "no GuardDuty findings are among the inputs"});
  else
    rep.playbook.push_back(
        {"Implement additional GuardDuty EKS Protection features if not "
         "already enabled",
         !gd_runtime || gap,
         gd_runtime ? (gap ? "GuardDuty reported this incident; keep "
                             "EKS Audit Log Monitoring on: it "
                             "reads the audit log even when "
                             "control-plane logging is turned off"
                           : "GuardDuty EKS audit-log and runtime "
                             "findings were both present")
                    : "GuardDuty findings were present but none from Runtime "
                      "Monitoring: enable EKS Runtime "
                      "Monitoring"});
}

void runtime_monitoring(Report& rep) {
  bool runtime = events_of(rep, "Falco") > 0 || events_of(rep, "EDR (OCSF)") > 0;
  bool runtime_known = events_of(rep, "Falco") >= 0 || events_of(rep, "EDR (OCSF)") >= 0;
  rep.playbook.push_back(
      {"Consider implementing Kubernetes runtime monitoring if not already "
       "in place",
       !runtime,
       runtime         ? "runtime alerts (Falco or EDR) were present and reported "
                         "the attack"
       : runtime_known ? "no Falco or EDR alerts are among the inputs"
                       : "runtime monitoring coverage is not known from the inputs"});
}

void image_scanning(Report& rep, Found& found) {
  bool image = found.by_kind.count("image") > 0;
  for (const auto& a : rep.affected)
    for (const auto& [k, v] : a.attributes)
      if (k == "images" && !v.empty()) image = true;
  rep.playbook.push_back(
      {"Evaluate the need for container image scanning in CI/CD pipelines", image,
       image ? "the incident involves container images: " +
                   list_some(found.by_kind.count("image") ? found.by_kind["image"]
                                                          : std::vector<std::string>{"see Impact"})
             : "no container image is part of the incident"});
}

// What to change, from what the incident involved.
void recommendations(Report& rep, const Found& found, bool gap) {
  auto& out = rep.lessons;
  if (found.by_kind.count("access_key"))
    out.push_back({"recommendation",
                   "A long-lived IAM access key gave access to the cluster: "
                   "replace IAM users with "
                   "short-lived role credentials (OIDC for CI/CD, SSO for "
                   "people) and alert on use of "
                   "a key from a new source address",
                   "",
                   {}});
  if (gap)
    out.push_back({"recommendation",
                   "Control-plane logging could be turned off by the "
                   "compromised identity: deny "
                   "eks:UpdateClusterConfig to automation identities and "
                   "alert on logging changes",
                   "",
                   {}});
  bool privileged = std::any_of(rep.criteria.begin(), rep.criteria.end(), [](const Criterion& c) {
    return contains(c.text, "privileged") || contains(c.id, "privileged");
  });
  if (privileged || found.by_kind.count("pod"))
    out.push_back({"recommendation",
                   "Enforce Pod Security Standards (baseline or restricted) "
                   "so that privileged, "
                   "host-namespace and hostPath pods are refused outside the "
                   "namespaces that need them",
                   "",
                   {}});
  if (found.by_kind.count("binding") || found.by_kind.count("access_entry"))
    out.push_back({"recommendation",
                   "Review who holds cluster-admin (bindings and access "
                   "entries) and alert on new "
                   "cluster-admin grants",
                   "",
                   {}});
  if (found.by_kind.count("security_group"))
    out.push_back(
        {"recommendation", "Alert on and restrict changes to the cluster security group", "", {}});
  if (!rep.gaps.empty())
    out.push_back({"recommendation",
                   fmt::format("Close the {} evidence gaps listed under missing log sources",
                               rep.gaps.size()),
                   "",
                   {}});
}

}  // namespace

void lessons(const CaseData&, Report& rep, Found& found) {
  alert_timing(rep, found);
  size_t earlier = earlier_rules(rep);
  undetected(rep);
  const bool gap = logging_gap(rep);
  review_rules(rep, earlier);
  guardduty(rep, gap);
  runtime_monitoring(rep);
  image_scanning(rep, found);
  recommendations(rep, found, gap);
}

}  // namespace eksir::report::sections
