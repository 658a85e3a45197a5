// Private to incident/: what one record says about who acted and on what, as entity keys — the
// facts the scope pivots on. Cheap enough to run on every candidate record during the scan
// (the document is already parsed); the full graph of a record (add_event) is built only for
// the records the pivot pulls.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "event/event.h"

namespace eksir::incident {

struct RecordFacets {
  // Credentials the actor used: access keys (AKIA/ASIA), role sessions
  // ("session:arn:aws:sts::A:assumed-role/R/S"), and an external account calling in
  // ("account:ID"). Whoever holds one of these is the same actor.
  std::vector<std::string> credentials;
  // Who the actor is: IAM principals (roles for sessions), Kubernetes users, service accounts,
  // the pod a service-account token was bound to, a node.
  std::vector<std::string> identities;
  std::string source_ip;  // as recorded ("" when none or not an address)
  std::string user_agent;
  std::string actor_account;  // the caller's AWS account (CloudTrail)
  // The objects acted on, and those of them the record created or changed.
  std::vector<std::string> targets;
  std::vector<std::string> created;  // created by this record
  std::vector<std::string> changed;  // changed (not created) by this record
  // Credentials the record hands out: the session and temporary key of an AssumeRole, the key
  // of a CreateAccessKey, the principal an access entry admits.
  std::vector<std::string> revealed;
  // The workload that owns the object this record created (ownerReferences), as a key.
  std::string owner;
  // The RBAC binding that authorised the request (authorization.k8s.io/reason).
  std::string granted_by;
  // aws-auth entries a create/update/patch of kube-system/aws-auth sets, as
  // "role|ARN|username|group,group" or "user|…" (the whole mapRoles / mapUsers it writes).
  std::vector<std::string> aws_auth;
  std::string verb;    // Kubernetes verb or API action
  std::string detail;  // what else tells two requests apart (the S3 object key)
  bool read_only = false;
  bool failed = false;       // the request was denied or failed
  bool aws_service = false;  // an AWS service acting on its own behalf
};

RecordFacets record_facets(const EventView& ev);

// Whether a record could belong to an attacker's activity at all: records of the cluster's own
// machinery (kubelets, controllers' routine calls, EKS internals, AWS services) are not kept for
// the pivot, except controllers creating pods and jobs (ownership) and anonymous requests.
// Decided from a few fields of the parsed document, on the scan's workers.
bool scope_candidate(const EventView& ev);
// For a CloudTrail call made with a node's instance-profile session: the instance the session is
// named after, and the call's source address. "" otherwise.
std::string node_session_of(const EventView& ev, std::string_view& source_ip);

// The compact form of a record's facets (what the scan keeps of every candidate): one item per
// line, a FacetTag byte then the value.
enum class FacetTag : char {
  Credential = 'c',
  Identity = 'i',
  Target = 't',
  Created = 'n',
  Changed = 'h',
  Revealed = 'r',
  Owner = 'o',
  GrantedBy = 'g',
  Ip = 'p',
  Agent = 'u',
  Account = 'a',
  Verb = 'v',
  Flags = 'f',
  AwsAuth = 'w',
  Detail = 'd',
};

// Who acted — the credentials, identities, address, client and account of a record — is the
// same in most records of one person, and is most of an encoding's bytes (ARNs, session names,
// user agents). An encoding made with an interner holds that part once here and refers to it.
// Thread-safe. What it holds stays put until it is destroyed: encodings made with it must not
// be read after that.
class FacetInterner {
 public:
  std::string_view intern(std::string_view who);
  size_t size() const;  // distinct parts held
  void clear();         // no encoding made with it may be read after

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex lock;
    std::unordered_set<std::string, Hash, std::equal_to<>> held;
  };
  std::array<Shard, 16> shards_;
};

// The reference to an interned part: a tag byte, then its address and length. Only ever the
// first item of an encoding, so a value (which follows a tag byte and never holds a newline)
// cannot be read as one.
inline constexpr char kWhoRef = '\x01';
inline constexpr size_t kWhoRefSize = 1 + sizeof(const char*) + sizeof(uint32_t);

// With an interner, the part saying who acted is held by it; without, the encoding holds all.
std::string encode_facets(const RecordFacets& f, FacetInterner* who = nullptr);
RecordFacets decode_facets(std::string_view encoded);
// The encoding with its interned part written out: the same bytes whatever interned it, for
// telling two records apart when their encodings may come from different interners.
std::string canonical_facets(std::string_view encoded);
// Calls f(tag, value) for each item of an encoding, in order (who acted, what was done, how);
// unknown tags are skipped.
template <class F>
void for_each_facet(std::string_view s, F&& f) {
  if (s.size() >= kWhoRefSize && s[0] == kWhoRef) {
    const char* at = nullptr;
    uint32_t n = 0;
    std::memcpy(&at, s.data() + 1, sizeof at);
    std::memcpy(&n, s.data() + 1 + sizeof at, sizeof n);
    for_each_facet(std::string_view(at, n), f);
    s.remove_prefix(kWhoRefSize);
  }
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view item = s.substr(0, nl);
    s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
    if (item.empty()) continue;
    switch (item[0]) {
      case 'c':
      case 'i':
      case 't':
      case 'n':
      case 'h':
      case 'r':
      case 'o':
      case 'g':
      case 'p':
      case 'u':
      case 'a':
      case 'v':
      case 'f':
      case 'w':
      case 'd':
        f(static_cast<FacetTag>(item[0]), item.substr(1));
        break;
      default:
        break;
    }
  }
}
// What a request did, and with which credential: the encoding without the client, whose
// version changes (two people's sessions of one role doing the same thing from one office are
// two activities, not one done twice).
std::string activity_key(std::string_view encoded);

// Keys.
std::string workload_kind(std::string_view kind_or_resource);  // "cronjobs" → "CronJob"
std::string workload_key(std::string_view kind, std::string_view ns, std::string_view name);
// "arn:aws:sts::A:assumed-role/R/S" → "session:<that arn>"; "" for anything else.
std::string session_key(std::string_view arn);
// The instance id a role session is named after (node instance profiles: "i-0abc…"), or "".
std::string session_instance(std::string_view session_arn);
// A key as a responder reads it: "access key AKIA…", "session eks-backup-operator/backup",
// "address 203.0.113.45", "role eks-backup-operator", "CronJob batch/log-rotate".
std::string key_display(std::string_view key);
// Kind of a key: the part before the first ':'.
std::string_view key_kind(std::string_view key);
// The binding a request's authorization.k8s.io/reason names: `RBAC: allowed by
// ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` → "binding:ClusterRoleBinding/x";
// `RoleBinding "x/ns"` → "binding:RoleBinding/ns/x".
std::string binding_from_reason(std::string_view reason);
// The role the same reason names: `… of ClusterRole "y" …` → "ClusterRole/y"; "" when none.
std::string role_from_reason(std::string_view reason);

}  // namespace eksir::incident
