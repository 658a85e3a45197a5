// The report's impact and root cause.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "report/sections.h"

namespace eksir::report::sections {

void impact(const CaseData&, Report& rep, Found& found) {
  auto& out = rep.impact;
  for (const auto& c : rep.criteria) {
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
  if (rep.production_known)
    out.push_back({"fact",
                   fmt::format("{} is {}a production cluster",
                               rep.cluster.empty() ? "The cluster" : rep.cluster,
                               rep.production ? "" : "not "),
                   "High",
                   {}});
  else if (rep.has_incident)
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
      auto it = found.by_kind.find(k);
      if (it == found.by_kind.end()) continue;
      items.push_back(
          fmt::format("{} {}", kind_label(k, it->second.size()), list_some(it->second, 8)));
    }
    if (!items.empty()) out.push_back({"fact", label + ": " + join(items, "; "), "High", {}});
  }
  bool exfil = std::any_of(rep.criteria.begin(), rep.criteria.end(), [](const Criterion& c) {
    return contains(c.id, "exfil") || contains(c.text, "exfiltration");
  });
  if (!exfil && rep.has_incident)
    out.push_back({"hypothesis",
                   found.by_kind.count("secret")
                       ? "Data exfiltration is not shown by the evidence, "
                         "but secrets were read, so "
                         "their values must be treated as disclosed"
                       : "Data exfiltration is not shown by the evidence (no "
                         "egress records among the "
                         "inputs), so it cannot be ruled out",
                   "Low",
                   {}});
  if (rep.has_incident)
    out.push_back({"unknown",
                   "Service impact: not known — the evidence shows no "
                   "service disruption and no "
                   "analyst note records one",
                   "",
                   {}});
}

void root_cause(const CaseData& ctx, Report& rep, Found& found) {
  auto& out = rep.root_cause;
  EvidenceRef first_ref = found.first_incident ? found.first_incident->evidence : EvidenceRef{};
  std::string conf = found.first_incident && !found.first_incident->confidence.empty()
                         ? found.first_incident->confidence
                         : "Medium";
  auto names = [&](const char* kind) {
    auto it = found.by_kind.find(kind);
    return it == found.by_kind.end() ? std::vector<std::string>{} : it->second;
  };
  auto keys = names("access_key"), users = names("iam_user"), roles = names("iam_role"),
       ips = names("ip"), sas = names("service_account");
  std::string from = ips.empty() ? "" : " from " + list_some(ips);
  // A workload exploited through a vulnerable image is where the attack came in; credentials
  // then come after it.
  auto exploited = image_entry_points(rep.images);
  out.insert(out.end(), exploited.begin(), exploited.end());
  const std::string entry = exploited.empty() ? "Entry point: " : "After the exploitation: ";
  bool credential = false;
  if (!keys.empty() || !users.empty()) {
    credential = true;
    std::string who =
        !keys.empty() ? "IAM access key " + keys.front() : "IAM user " + users.front();
    if (!keys.empty() && !users.empty()) who += " of IAM user " + users.front();
    out.push_back({conf == "High" ? "fact" : "hypothesis",
                   fmt::format("{}{} used{}{}", entry, who, from,
                               found.first_incident
                                   ? ", first at " + time_seconds(found.first_incident->time) +
                                         " (" + found.first_incident->text + ")"
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
  } else if (found.first_incident) {
    out.push_back({"hypothesis",
                   "Entry point: the earliest malicious event the evidence shows: " +
                       found.first_incident->text,
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
  for (const auto& l : rep.timeline) {
    if (l.tag != "INCIDENT") continue;
    if (++steps > 40) break;
    out.push_back({l.confidence == "High" ? "fact" : "hypothesis",
                   fmt::format("{} — {}", time_seconds(l.time), l.text),
                   l.confidence.empty() ? "Medium" : l.confidence, l.evidence});
  }
  if (steps > 40)
    out.push_back({"fact", "Later steps of the attack chain are in the Timeline", "", {}});
  auto conditions = image_conditions(rep.images);
  out.insert(out.end(), conditions.begin(), conditions.end());
  // Standing permissions of the compromised principals, from the posture
  // checks.
  std::vector<std::string> principals;
  for (const char* k : {"iam_user", "iam_role"})
    for (const auto& a : rep.affected)
      if (a.kind == k && a.name.size() >= 4) principals.push_back(a.name);
  std::set<std::string> affected_names;
  for (const auto& a : rep.affected) affected_names.insert(a.name);
  for (const auto& p : ctx.inv.posture) {
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
  for (const auto& b : rep.likely_benign)
    out.push_back({"fact", "Ruled out as likely benign: " + b, "High", {}});
}

}  // namespace eksir::report::sections
