// A CI/CD identity acting from outside the organisation's addresses, or with a client it never
// used from them, is the classic stolen pipeline credential: a finding of its own, which the
// likely-benign rules never waive (the identity alone does not make it CI/CD).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "incident/internal.h"
#include "util/cidr.h"
#include "util/hash.h"

namespace eksir::incident {
namespace {

bool trusted(std::string_view ip, const cluster::Policy& policy) {
  for (const auto& c : policy.trusted_cidrs) {
    auto range = util::parse_cidr(c);
    if (range && util::cidr_contains(*range, ip)) return true;
  }
  return false;
}

// "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625" → "kubectl"; "aws-cli/2.15.0 …" →
// "aws-cli"; "Boto3/1.34 …" → "boto3".
std::string client_of(std::string_view ua) {
  size_t end = ua.find_first_of("/ ");
  std::string c(ua.substr(0, end));
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return c;
}

// The names a record's actor goes by, for matching the policy's cicd_identities.
// Read from the encoded facets: only the records of a CI/CD identity are decoded.
std::vector<std::string> actor_names(std::string_view encoded) {
  std::vector<std::string> names;
  for_each_facet(encoded, [&](FacetTag tag, std::string_view id) {
    if (tag != FacetTag::Identity) return;
    std::string_view kind = key_kind(id);
    std::string_view rest = id.substr(std::min(id.size(), kind.size() + 1));
    if (kind == "iam" || kind == "k8suser") names.emplace_back(rest);
    if (kind == "sa") {
      size_t slash = rest.find('/');
      names.push_back(fmt::format("system:serviceaccount:{}:{}", rest.substr(0, slash),
                                  rest.substr(slash + 1)));
    }
  });
  return names;
}

std::string stable_id(std::string_view s) {
  return fmt::format("{:016x}", util::fnv1a(s));
}

}  // namespace

std::vector<DerivedFinding> cicd_findings(const std::vector<ScopeRecord>& records,
                                          const std::function<RecordPlace(size_t)>& place,
                                          const cluster::Policy& policy) {
  std::vector<DerivedFinding> out;
  if (policy.cicd_identities.empty()) return out;
  struct Use {
    size_t record;
    std::string client;
    bool outside;
  };
  std::map<std::string, std::vector<Use>> by_identity;  // the policy's name → its records
  std::map<std::string, std::set<std::string>> home_clients;
  for (size_t i = 0; i < records.size(); ++i) {
    // What the identity did (API calls), not what a detector said about it.
    if (records[i].source != Source::CloudTrail && records[i].source != Source::K8sAudit) continue;
    std::string who;
    for (const auto& n : actor_names(records[i].encoded()))
      for (const auto& p : policy.cicd_identities)
        if (who.empty() && cluster::policy_glob(p, n)) who = p;
    if (who.empty()) continue;
    const RecordFacets& f = records[i].facets();
    if (f.aws_service) continue;
    bool home = !f.source_ip.empty() && trusted(f.source_ip, policy);
    bool outside =
        !policy.trusted_cidrs.empty() && !f.source_ip.empty() && is_public_ip(f.source_ip) && !home;
    std::string client = client_of(f.user_agent);
    if (home && !client.empty()) home_clients[who].insert(client);
    by_identity[who].push_back({i, client, outside});
  }
  for (const auto& [who, uses] : by_identity) {
    const auto& known = home_clients[who];
    // One finding per kind of misuse and source address.
    std::map<std::pair<std::string, std::string>, std::vector<const Use*>> groups;
    for (const auto& u : uses) {
      const std::string ip = records[u.record].facets().source_ip;
      if (u.outside)
        groups[{"outside", ip}].push_back(&u);
      else if (!known.empty() && !u.client.empty() && !known.count(u.client) &&
               !trusted(ip, policy))
        groups[{"client", u.client}].push_back(&u);
    }
    for (auto& [kind, list] : groups) {
      // In time order, so that the records cited (at most kMaxEvidence) are the first ones
      // whatever order the evidence came in.
      std::stable_sort(list.begin(), list.end(), [&](const Use* a, const Use* b) {
        return records[a->record].time < records[b->record].time;
      });
      DerivedFinding d;
      detect::Finding& f = d.finding;
      f.rule_id = "eksir-cicd-credential-misuse";
      f.origin = "builtin";
      f.severity = detect::Severity::High;
      f.criterion = "high.lateral_movement";
      f.attack = {"T1078.004", "T1552"};
      f.tactics = rules::tactics_for({}, f.attack);
      if (kind.first == "outside") {
        f.rule_title = "CI/CD identity used from outside its trusted networks";
        f.title =
            fmt::format("CI/CD identity {} used from {}, outside trusted_cidrs", who, kind.second);
      } else {
        f.rule_title = "CI/CD identity used with a client it never used from its own networks";
        f.title = fmt::format(
            "CI/CD identity {} used with {}, a client it never used from its "
            "trusted addresses (it uses {})",
            who, kind.second, fmt::join(known, ", "));
      }
      f.description =
          "A pipeline identity does the same things from the same runners with the same tools. "
          "Used from elsewhere, or with another client, its credential is in someone else's "
          "hands: revoke it, then review everything it did.";
      f.subject = {{"cicd_identity", who},
                   {kind.first == "outside" ? "source_ip" : "user_agent", kind.second}};
      std::set<std::string> ids;  // the same record exported twice is cited once
      for (const Use* u : list) {
        RecordPlace p = place(u->record);
        if (!p.event_id.empty() && !ids.insert(p.event_id).second) continue;
        TimeNs t = records[u->record].time;
        d.records.push_back(u->record);
        if (t != kNoTime) {
          if (f.first_seen == kNoTime || t < f.first_seen) f.first_seen = t;
          if (f.last_seen == kNoTime || t > f.last_seen) f.last_seen = t;
        }
        if (f.evidence.size() < detect::kMaxEvidence)
          f.evidence.push_back({p.source, p.file, p.line, p.record, t, p.event_id});
      }
      f.count = d.records.size();
      f.id = stable_id(fmt::format("{}|{}|{}|{}", f.rule_id, who, kind.second, f.first_seen));
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace eksir::incident
