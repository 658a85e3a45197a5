// Helpers shared by the report's sections (sections.h).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/sections.h"
#include "util/text.h"

namespace eksir::report::sections {

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

int64_t seconds_between(TimeNs from, TimeNs to) {
  if (from == kNoTime || to == kNoTime) return -1;
  return (to - from) / 1000000000LL;
}

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

std::string list_some(const std::vector<std::string>& items, size_t max) {
  if (items.size() <= max) return join(items, ", ");
  std::vector<std::string> head(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(max));
  return fmt::format("{} and {} more", join(head, ", "), items.size() - max);
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

TimeNs now(const CaseData& ctx, const Report& rep) {
  TimeNs run = ctx.inv.run.finished;
  return run == kNoTime ? rep.generated : std::max(rep.generated, run);
}

}  // namespace eksir::report::sections
