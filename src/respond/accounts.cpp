// Whose account an IAM principal is in: an IAM change can only be made by the account that owns
// the principal, so a principal of another account (one the attacker let into the cluster, a
// partner's role) gets a blocked step that names the account that must act.
#include <algorithm>

#include "respond/plan_internal.h"

namespace eksir::respond {

std::string arn_account(std::string_view arn) {
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
  size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    at = arn.find(':', at);
    if (at == std::string_view::npos) return {};
    ++at;
  }
  if (arn.substr(0, 4) != "arn:") return {};
  std::string_view account = arn.substr(at, arn.find(':', at) - at);
  if (account.size() != 12 ||
      !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {};
  return std::string(account);
}

std::string owner_account(const Affected& a) {
  if (std::string account = a.attr("account"); !account.empty()) return account;
  for (const std::string& arn : {a.id, a.name, a.attr("arn"), a.attr("user_arn")})
    if (std::string account = arn_account(arn); !account.empty()) return account;
  return {};
}

std::string other_account(const IncidentView& incident, const Affected& a, std::string_view kind,
                          std::string_view name, std::string_view what) {
  std::string owner = owner_account(a);
  if (owner.empty() || incident.account.empty() || owner == incident.account) return {};
  return std::string(kind) + " " + std::string(name) + " belongs to account " + owner +
         ", not to the cluster's account " + incident.account + ": " + std::string(what) +
         " from account " + owner +
         " (its administrators run this command there; eksir does not act in another account)";
}

bool identity_center_role(const Affected& role) {
  std::string name = iam_name(role);
  return name.rfind("AWSReservedSSO_", 0) == 0 ||
         role.id.find(":role/aws-reserved/sso.amazonaws.com/") != std::string::npos;
}

std::string iam_name(const Affected& a) {
  std::string name = a.name;
  if (name.find('/') != std::string::npos) name = name.substr(name.rfind('/') + 1);
  return name;
}

bool journal_done(const std::vector<store::JournalEntry>& journal, std::string_view step_id) {
  return std::any_of(journal.begin(), journal.end(), [&](const store::JournalEntry& e) {
    return e.step_id == step_id && e.succeeded();
  });
}

std::string pick(Type t, std::initializer_list<std::string> candidates) {
  for (const auto& c : candidates)
    if (command::valid(t, c)) return c;
  for (const auto& c : candidates)
    if (!c.empty()) return c;
  return {};
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace eksir::respond
