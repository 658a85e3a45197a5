#include "incident/scope.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "cluster/cluster.h"
#include "incident/graph.h"
#include "util/cidr.h"

namespace eksir::incident {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool trusted_ip(std::string_view ip, const cluster::Policy* policy) {
  if (!policy || ip.empty()) return false;
  for (const auto& c : policy->trusted_cidrs) {
    auto range = util::parse_cidr(c);
    if (range && util::cidr_contains(*range, ip)) return true;
  }
  return false;
}

bool is_address(std::string_view ip) {
  unsigned a, b, c, d;
  char tail;
  std::string s(ip);
  return std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 ||
         s.find(':') != std::string::npos;
}

// The account of an IAM key ("iam:arn:aws:iam::ACCOUNT:role/x"), or "".
std::string key_account(std::string_view key) {
  size_t p = key.find("arn:");
  if (p == std::string_view::npos) return {};
  std::string_view arn = key.substr(p);
  size_t a = 0;
  for (int i = 0; i < 4; ++i) {
    a = arn.find(':', a);
    if (a == std::string_view::npos) return {};
    ++a;
  }
  size_t b = arn.find(':', a);
  return b == std::string_view::npos ? std::string() : std::string(arn.substr(a, b - a));
}

bool hub_identity(std::string_view key) {
  if (starts_with(key, "k8suser:system:") || starts_with(key, "k8suser:eks:")) return true;
  return false;
}

// The workload controllers and the machinery acting on objects they do not own.
bool machinery(const RecordFacets& f) {
  for (const auto& i : f.identities) {
    if (i == "k8suser:system:anonymous") continue;
    if (starts_with(i, "k8suser:system:") || starts_with(i, "k8suser:eks:") ||
        starts_with(i, "node:"))
      return true;
    // A system service account acting from the cluster; from the internet it is a stolen token.
    if (starts_with(i, "sa:kube-system/") && !is_public_ip(f.source_ip)) return true;
  }
  return false;
}

struct AwsAuthEntry {
  std::string kind, arn, username, groups;
};

AwsAuthEntry split_entry(std::string_view e) {
  AwsAuthEntry out;
  std::string* parts[] = {&out.kind, &out.arn, &out.username, &out.groups};
  for (int i = 0; i < 4; ++i) {
    size_t bar = i < 3 ? e.find('|') : std::string_view::npos;
    *parts[i] = std::string(e.substr(0, bar));
    if (bar == std::string_view::npos) break;
    e.remove_prefix(bar + 1);
  }
  return out;
}

bool node_mapping(const AwsAuthEntry& e) {
  return e.username.find("{{EC2PrivateDNSName}}") != std::string::npos ||
         e.groups.find("system:nodes") != std::string::npos;
}

}  // namespace

std::string hub_reason(const std::string& key, const ScopeContext& ctx) {
  std::string_view kind = key_kind(key);
  if (kind == "cluster" || kind == "namespace") return "the cluster itself: everything touches it";
  if (kind == "node" || kind == "instance")
    return "a node: its other workloads and agents are not the attacker's";
  if (kind == "image") return "an image: other workloads run it too";
  if (hub_identity(key)) return "a system identity of Kubernetes or EKS";
  if (kind == "ip") {
    std::string ip = key.substr(3);
    if (trusted_ip(ip, ctx.policy)) return "a trusted address (trusted_cidrs in the policy)";
    if (ctx.egress.count(ip))
      return "the VPC's egress address: the sessions of several nodes act from it";
    if (auto it = ctx.shared.find(ip); it != ctx.shared.end())
      return fmt::format(
          "an address {}{} people act from (an office, VPN or NAT egress): what others do from it "
          "is not the attacker's; add it to trusted_cidrs if it is yours",
          it->second >= kSharedAddressCap ? "at least " : "", it->second);
    if (!is_public_ip(ip)) return "a private address: shared by the VPC's workloads";
  }
  if (kind == "iam") {
    std::string name = key.substr(key.rfind('/') + 1);
    if (starts_with(name, "AWSServiceRole") || starts_with(name, "aws-service-role") ||
        key.find(":role/aws-service-role/") != std::string::npos)
      return "an AWS service-linked role";
    if (ctx.node_roles.count(key)) return "the nodes' instance role: every node uses it";
  }
  if (kind == "account" && key.substr(8) == ctx.account) return "the cluster's own account";
  return {};
}

std::string_view ScopeIndex::keep(std::string_view key) {
  constexpr size_t kChunk = 1 << 20;
  if (key.size() > kChunk / 4) {  // a block of its own
    big_.push_back(std::make_unique<char[]>(key.size()));
    std::memcpy(big_.back().get(), key.data(), key.size());
    return {big_.back().get(), key.size()};
  }
  if (chunks_.empty() || used_ + key.size() > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    used_ = 0;
  }
  char* at = chunks_.back().get() + used_;
  std::memcpy(at, key.data(), key.size());
  used_ += key.size();
  return {at, key.size()};
}

ScopeIndex::ScopeIndex(const std::vector<ScopeRecord>& records, const ScopeContext& ctx) {
  std::vector<std::string_view> iam_identities;
  std::unordered_map<std::string_view, std::unordered_set<std::string_view>> people;
  for (size_t i = 0; i < records.size(); ++i) {
    auto u = static_cast<uint32_t>(i);
    bool node_session = false, aws_auth = false, service = false;
    std::string_view ip, session, key, identity;
    iam_identities.clear();
    for_each_facet(records[i].encoded(), [&](FacetTag tag, std::string_view v) {
      switch (tag) {
        case FacetTag::Credential:
          by_actor.add(v, u);
          if (starts_with(v, "session:")) {
            if (!session_instance(v).empty()) node_session = true;
            if (session.empty()) session = v;
          } else if (key.empty() && starts_with(v, "key:")) {
            key = v;
          }
          break;
        case FacetTag::Identity:
          by_actor.add(v, u);
          if (starts_with(v, "iam:")) iam_identities.push_back(v);
          if (identity.empty()) identity = v;
          break;
        case FacetTag::Target:
          by_target.add(v, u);
          break;
        case FacetTag::Owner:
          by_owner.add(v, u);
          break;
        case FacetTag::GrantedBy:
          by_grant.add(v, u);
          break;
        case FacetTag::AwsAuth:
          aws_auth = true;
          break;
        case FacetTag::Ip:
          ip = v;
          break;
        case FacetTag::Flags:
          service = v.find('s') != std::string_view::npos;
          break;
        default:
          break;
      }
    });
    // A role whose sessions are named after instances is the nodes' instance role.
    if (node_session)
      for (auto id : iam_identities) node_roles.emplace(id);
    if (aws_auth) aws_auth_writes.push_back(i);
    // One person per record: a session's temporary keys change through the day, the session
    // does not.
    std::string_view who = !session.empty() ? session : !key.empty() ? key : identity;
    if (!ip.empty() && !service && !who.empty()) {
      auto at = people.find(ip);
      if (at == people.end())
        at = people.emplace(keep(ip), std::unordered_set<std::string_view>()).first;
      if (at->second.size() < kSharedAddressCap && !at->second.count(who))
        at->second.insert(keep(who));
    }
  }
  std::stable_sort(aws_auth_writes.begin(), aws_auth_writes.end(),
                   [&](size_t a, size_t b) { return records[a].time < records[b].time; });
  for (const auto& [ip, who] : people) {
    if (who.size() < kSharedAddressPeople) continue;
    std::string address(ip);
    if (!is_public_ip(address) || trusted_ip(address, ctx.policy) || ctx.egress.count(address))
      continue;
    shared.emplace(std::move(address), who.size());
  }
}

ScopeResult pivot(const std::vector<ScopeRecord>& records, const std::vector<size_t>& seed_records,
                  const std::vector<ScopeSeed>& seed_keys, const ScopeContext& ctx) {
  return pivot(records, ScopeIndex(records, ctx), seed_records, seed_keys, ctx);
}

namespace {

// One run of the pivot: the seeds found so far, the keys still to follow, the records pulled in.
class Pivot {
 public:
  Pivot(const std::vector<ScopeRecord>& records, const ScopeIndex& index, const ScopeContext& ctx)
      : records_(records), index_(index), ctx_(ctx) {
    ctx_.node_roles.insert(index.node_roles.begin(), index.node_roles.end());
    ctx_.shared.insert(index.shared.begin(), index.shared.end());
  }

  ScopeResult run(const std::vector<size_t>& seed_records,
                  const std::vector<ScopeSeed>& seed_keys) {
    for (size_t r : seed_records) {
      if (r >= records_.size()) continue;
      // A finding on the cluster's machinery (a controller making a flagged pod) names what it
      // acted on, not an attacker: the scope reaches it through what the attacker made.
      if (machinery(records_[r].facets())) {
        pull(r, "flagged by a finding", false);
        continue;
      }
      pull(r, "flagged by a finding");
      expand(r);
    }
    for (const auto& s : seed_keys) add_seed(s);
    while (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      follow(key);
    }
    return finish();
  }

 private:
  void add_seed(ScopeSeed s) {
    if (s.key.empty()) return;
    std::string hub = hub_reason(s.key, ctx_);
    if (!hub.empty()) {
      out_.not_expanded.emplace(s.key, hub);
      return;
    }
    auto [it, inserted] = out_.seeds.try_emplace(s.key, s);
    if (inserted) {
      queue_.push_back(s.key);
      return;
    }
    // A record showing the attacker creating it says more than one showing its use.
    if (s.role == "created" && it->second.role != "created") {
      it->second.role = "created";
      it->second.why = s.why;
      it->second.record = s.record;
    }
    // Seen before: a stronger reason (owned, or followed as an actor) is followed again.
    bool again = (s.owned && !it->second.owned) || (s.as_actor && !it->second.as_actor);
    if (!again) return;
    it->second.owned = it->second.owned || s.owned;
    it->second.as_actor = it->second.as_actor || s.as_actor;
    if (s.owned) {
      it->second.why = s.why;
      if (s.role == "created" || it->second.role != "created") it->second.role = s.role;
    }
    queue_.push_back(s.key);
  }

  bool pull(size_t i, std::string why, bool by_attacker = true) {
    return out_.pulled.emplace(i, Pulled{std::move(why), by_attacker}).second;
  }
  void note_unique(std::string n) {
    if (std::find(out_.notes.begin(), out_.notes.end(), n) == out_.notes.end())
      out_.notes.push_back(std::move(n));
  }
  void note_once(const std::string& key, std::string why) {
    if (!out_.seeds.count(key)) out_.not_expanded.emplace(key, std::move(why));
  }

  // What a record of the attacker's shows: the credentials and address it used, what it created
  // or changed, what it handed out_.
  void expand(size_t i) {
    const RecordFacets& f = records_[i].facets();
    const long rec = static_cast<long>(i);
    for (const auto& c : f.credentials) {
      ScopeSeed s{c, "used by the attacker", rec};
      // An account calling in from outside, or an address: anything from it is the attacker's.
      s.owned = starts_with(c, "account:") || starts_with(c, "ip:");
      add_seed(std::move(s));
    }
    for (const auto& id : f.identities) {
      if (out_.seeds.count(id)) continue;
      std::string acct = key_account(id);
      if (starts_with(id, "iam:") && !acct.empty() && !ctx_.account.empty() &&
          acct != ctx_.account) {
        add_seed({id, fmt::format("a principal of account {} acting as the attacker", acct), rec,
                  true, true, "used"});
        continue;
      }
      std::string hub = hub_reason(id, ctx_);
      note_once(id, hub.empty() ? "an identity that existed before: only the credentials, "
                                  "sessions and addresses the attacker used are followed"
                                : hub);
    }
    // An anonymous request gets through only because a binding lets it: that binding is the
    // attacker's way in, whoever made it.
    if (!f.granted_by.empty() && !f.failed && !f.targets.empty() &&
        std::find(f.identities.begin(), f.identities.end(), "k8suser:system:anonymous") !=
            f.identities.end())
      add_seed({f.granted_by, "let the attacker's anonymous requests through", rec, false, false,
                "used"});
    for (const auto& c : f.created)
      add_seed(
          {c, fmt::format("created by the attacker ({})", f.verb), rec, true, true, "created"});
    for (const auto& c : f.changed)
      add_seed(
          {c, fmt::format("changed by the attacker ({})", f.verb), rec, false, false, "changed"});
    for (const auto& r : f.revealed) {
      std::string acct = key_account(r);
      bool external = starts_with(r, "iam:") && !acct.empty() && acct != ctx_.account;
      bool credential = starts_with(r, "key:") || starts_with(r, "session:");
      std::string why = credential ? fmt::format("credentials the attacker obtained ({})", f.verb)
                        : external
                            ? fmt::format(
                                  "a principal of account {} the attacker let "
                                  "into the cluster ({})",
                                  acct, f.verb)
                            : fmt::format("let into the cluster by the attacker ({})", f.verb);
      bool made = starts_with(f.verb, "Create");  // CreateAccessKey: a key of the attacker's
      add_seed({r, why, rec, credential || external, true,
                credential ? (made ? "created" : "used") : "admitted"});
    }
    if (!f.aws_auth.empty()) expand_aws_auth(i, f, rec);
  }

  // What an aws-auth write of the attacker's added: its entries less those of the last write
  // before it, each principal it maps a seed.
  void expand_aws_auth(size_t i, const RecordFacets& f, long rec) {
    std::set<std::string> before;
    bool known = false;
    for (size_t w : index_.aws_auth_writes) {
      if (w == i || records_[w].time > records_[i].time ||
          (records_[w].time == records_[i].time && w > i))
        continue;
      auto written = records_[w].facets().aws_auth;
      before = {written.begin(), written.end()};
      known = true;
    }
    for (const auto& e : f.aws_auth) {
      if (before.count(e)) continue;
      AwsAuthEntry a = split_entry(e);
      if (node_mapping(a)) continue;
      std::string pk = iam_key(a.arn);
      std::string acct = key_account(pk);
      bool tied = out_.seeds.count(pk) || (!acct.empty() && acct != ctx_.account);
      if (!known && !tied) {
        note_unique(fmt::format(
            "aws-auth entry for {} is in the attacker's write, but no earlier aws-auth content "
            "is in the evidence to tell whether it was added",
            a.arn));
        continue;
      }
      if (std::none_of(out_.aws_auth_added.begin(), out_.aws_auth_added.end(),
                       [&](const auto& x) { return x.first == e; }))
        out_.aws_auth_added.emplace_back(e, i);
      add_seed({pk,
                fmt::format("mapped into the cluster by the attacker's aws-auth change (as "
                            "{})",
                            a.username.empty() ? a.arn : a.username),
                rec, true, true, "admitted"});
      if (!a.username.empty() && a.username.find("{{") == std::string::npos)
        add_seed({k8s_user_key(a.username), "Kubernetes user of the attacker's aws-auth entry", rec,
                  true, true, "admitted"});
    }
  }

  // Why a record of a pre-existing credential the attacker used is its owner's, if it is.
  enum class Owner { No, Trusted, OtherLogin };
  // A pre-existing credential (a stolen key, a node's session) is also used by its owner: records
  // from trusted addresses — and, for a node's session, from the VPC — are the owner's.
  Owner owner_use(size_t i, const ScopeSeed& s) const {
    if (s.owned) return Owner::No;
    const RecordFacets& f = records_[i].facets();
    // A role session's name is its owner's (an e-mail, a pipeline's run): a request signed with
    // another key than the attacker's, from an address the attacker did not use, is another
    // login of the same name — its owner's.
    if (starts_with(s.key, "session:")) {
      bool other_key = false, attacker_key = false;
      for (const auto& c : f.credentials)
        if (starts_with(c, "key:")) (out_.seeds.count(c) ? attacker_key : other_key) = true;
      bool attacker_address = !f.source_ip.empty() && out_.seeds.count("ip:" + f.source_ip);
      if (other_key && !attacker_key && !attacker_address) return Owner::OtherLogin;
    }
    if (f.aws_service) return Owner::Trusted;
    if (trusted_ip(f.source_ip, ctx_.policy) || ctx_.egress.count(f.source_ip))
      return Owner::Trusted;
    // A node's session (and its temporary key) and a pod's token are used all day from the VPC
    // by their owner.
    bool vpc = f.source_ip.empty() || !is_address(f.source_ip) || !is_public_ip(f.source_ip);
    bool node_session = false;
    for (const auto& c : f.credentials)
      if (starts_with(c, "session:") && !session_instance(c).empty()) node_session = true;
    if (vpc && (node_session || starts_with(s.key, "token:"))) return Owner::Trusted;
    return Owner::No;
  }

  // Every record the key reaches: as an actor, as a target, as an owner, as a grant.
  void follow(const std::string& key) {
    const ScopeSeed seed = out_.seeds.at(key);
    const std::string_view k = out_.seeds.find(key)->first;
    // The same reason for every record pulled through this key.
    const std::string through = fmt::format("{} ({})", key_display(key), seed.why);
    if (seed.as_actor) follow_actor(k, seed, through);
    follow_target(k, key, seed, through);
    follow_owner(k, key, seed, through);
    follow_grant(k, through);
  }

  // The records the key acts in, but its owner's own use.
  void follow_actor(std::string_view k, const ScopeSeed& seed, const std::string& through) {
    index_.by_actor.for_each(k, [&](uint32_t i) {
      if (out_.pulled.count(i)) return;
      if (Owner o = owner_use(i, seed); o != Owner::No) {
        (o == Owner::OtherLogin ? other_logins_ : owner_skipped_)
            .insert(std::hash<std::string>{}(canonical_facets(records_[i].encoded())));
        return;
      }
      pull(i, through);
      expand(i);
    });
  }

  // The records on the key: assuming a role of the attacker's, the cluster acting on their
  // objects.
  void follow_target(std::string_view k, const std::string& key, const ScopeSeed& seed,
                     const std::string& through) {
    index_.by_target.for_each(k, [&](uint32_t i) {
      if (out_.pulled.count(i)) return;
      const RecordFacets& f = records_[i].facets();
      if (starts_with(f.verb, "AssumeRole")) {
        // Into a role the attacker made or changed: the caller is the attacker, unless it is
        // the role's own account acting from a trusted address on a role the attacker only
        // changed.
        bool external = !f.actor_account.empty() && f.actor_account != ctx_.account;
        bool untrusted = !f.source_ip.empty() && is_public_ip(f.source_ip) &&
                         !trusted_ip(f.source_ip, ctx_.policy);
        if (!seed.owned && !external && !untrusted) return;
        if (f.failed) {
          pull(i, fmt::format("tried to assume {} ({})", key_display(key), seed.why));
          return;
        }
        pull(i, fmt::format("assumed {} ({})", key_display(key), seed.why));
        expand(i);
      } else if (machinery(f)) {
        pull(i, "the cluster acting on " + through, false);
      }
    });
  }

  // What was made for the key (a ReplicaSet for its Deployment), and what that made.
  void follow_owner(std::string_view k, const std::string& key, const ScopeSeed& seed,
                    const std::string& through) {
    index_.by_owner.for_each(k, [&](uint32_t i) {
      const RecordFacets& f = records_[i].facets();
      if (!out_.pulled.count(i)) pull(i, "made for " + through, false);
      for (const auto& c : f.created)
        add_seed({c, fmt::format("made by its owner {}", key_display(key)), static_cast<long>(i),
                  true, true, seed.role == "created" ? "created" : "changed"});
    });
  }

  // The requests the key (a binding of the attacker's) let through.
  void follow_grant(std::string_view k, const std::string& through) {
    index_.by_grant.for_each(k, [&](uint32_t i) {
      if (out_.pulled.count(i)) return;
      pull(i, "allowed by " + through);
      expand(i);
    });
  }

  ScopeResult finish() {
    if (!other_logins_.empty())
      out_.notes.push_back(fmt::format(
          "{} distinct request{} of the attacker's session name signed with another access key, "
          "from addresses the attacker did not use, were left out as the session owner's own "
          "logins",
          other_logins_.size(), other_logins_.size() == 1 ? "" : "s"));
    if (!owner_skipped_.empty())
      out_.notes.push_back(fmt::format(
          "{} distinct request{} of stolen or node credentials from trusted or VPC addresses were "
          "left out as their owner's own use",
          owner_skipped_.size(), owner_skipped_.size() == 1 ? "" : "s"));
    // A key followed after all is not "not expanded".
    for (auto it = out_.not_expanded.begin(); it != out_.not_expanded.end();)
      it = out_.seeds.count(it->first) ? out_.not_expanded.erase(it) : std::next(it);
    return std::move(out_);
  }

  const std::vector<ScopeRecord>& records_;
  const ScopeIndex& index_;
  ScopeContext ctx_;
  ScopeResult out_;
  std::deque<std::string> queue_;
  // Counted by distinct request (a record may be reached through several seeds, and how many
  // copies of one request the scan kept depends on how it split the evidence): by a hash of
  // the request's facets as they read whatever interned them.
  std::unordered_set<uint64_t> owner_skipped_, other_logins_;
};

}  // namespace

ScopeResult pivot(const std::vector<ScopeRecord>& records, const ScopeIndex& index,
                  const std::vector<size_t>& seed_records, const std::vector<ScopeSeed>& seed_keys,
                  const ScopeContext& ctx) {
  return Pivot(records, index, ctx).run(seed_records, seed_keys);
}

}  // namespace eksir::incident
