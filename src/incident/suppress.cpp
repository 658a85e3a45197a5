// Suppressions of eksir.yaml applied to findings: precise (rule and resource or principal) and
// visible (every run says what each one hid).
#include <fmt/format.h>

#include "incident/incident.h"

namespace eksir::incident {

bool suppressed(const detect::Finding& f, const cluster::Policy& policy) {
  if (policy.suppressions.empty()) return false;
  std::string ns, name, principal;
  for (const auto& [k, v] : f.subject) {
    if (ns.empty() && (k == "objectRef.namespace" || k == "namespace" ||
                       k == "kubernetes.audit.objectRef.namespace"))
      ns = v;
    else if (name.empty() && (k == "objectRef.name" || k == "pod" || k == "target" ||
                              k == "kubernetes.audit.objectRef.name"))
      name = v;
    else if (principal.empty() &&
             (k == "user.username" || k == "arn" || k == "userIdentity.arn" || k == "user.name"))
      principal = v;
  }
  // A namespaced name written as ns/name in alert subjects.
  if (ns.empty() && name.find('/') != std::string::npos) {
    ns = name.substr(0, name.find('/'));
    name = name.substr(name.find('/') + 1);
  }
  return policy.suppressed(f.rule_id, ns, name, principal);
}

std::vector<std::string> suppression_report(const cluster::Policy& policy, std::string_view file) {
  std::vector<std::string> out;
  for (const auto& s : policy.suppressions) {
    if (s.expired)
      out.push_back(fmt::format("{}:{}: suppression of {} expired on {}: not applied", file, s.line,
                                s.rule, s.expires));
    else if (s.hits)
      out.push_back(fmt::format("{}:{}: suppression of {} hid {} finding{} ({})", file, s.line,
                                s.rule, s.hits, s.hits == 1 ? "" : "s", s.reason));
  }
  return out;
}

}  // namespace eksir::incident
