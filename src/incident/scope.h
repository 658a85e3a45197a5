// Private to incident/: the attacker's scope, pivoted to a fixed point. From the seeds (the
// credentials, addresses and sessions of the incident's findings, and everything the attacker
// created), every record that touches them is pulled; what those records create or hand out is
// added to the seeds; repeat until nothing new. Hubs — the cluster, nodes, system identities,
// EKS-managed and node roles, trusted addresses, pre-existing principals whose credential was
// used — are never expanded through, and the result says which were left and why.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event/event.h"
#include "incident/facets.h"
#include "incident/postings.h"

namespace eksir::cluster {
struct Policy;
}

namespace eksir::incident {

class ContextStore;

// A record as the scope sees it: its facets in their encoded form (encode_facets), decoded only
// for the records the pivot looks into — the index is built from the encoding, so the tens of
// thousands of records nobody pulls cost a string each, not a RecordFacets each. The decoded
// form is made on each call, not kept: on busy evidence the pivot looks into hundreds of
// thousands of records, and keeping each decoded would cost a kilobyte a record.
struct ScopeRecord {
  ScopeRecord() = default;
  ScopeRecord(const RecordFacets& facets, TimeNs time, Source source);
  // Encoded facets owned elsewhere, for as long as this record is used.
  ScopeRecord(std::string_view encoded, TimeNs time, Source source);
  // The context store's record `index`, its facets read back from the store when asked for.
  ScopeRecord(const ContextStore& store, size_t index);
  // Encoded facets kept by the record.
  static ScopeRecord owning(std::string encoded, TimeNs time, Source source);
  ScopeRecord(const ScopeRecord& other);
  ScopeRecord(ScopeRecord&& other) noexcept;
  ScopeRecord& operator=(ScopeRecord other) noexcept;
  ~ScopeRecord();

  RecordFacets facets() const;
  // For a record of the context store, a view valid until the next encoded() or facets() of a
  // record of the store (see ContextStore::facets): not thread-safe.
  std::string_view encoded() const;
  bool decoded() const { return decoded_; }  // whether facets() was ever called

  TimeNs time = kNoTime;
  Source source{};

 private:
  // One of these, by where: the store and the record's index in it, a view of an encoding owned
  // elsewhere, or an encoding owned here. 24 bytes: the context store's millions of records have
  // one each.
  enum class Where : uint8_t { View, Store, Owned };
  Where where_ = Where::View;
  mutable bool decoded_ = false;
  uint32_t size_or_index_ = 0;
  // The encoding's first byte (View), the store (Store), or the encoding (Owned, deleted with the
  // record).
  const void* at_ = nullptr;
  const std::string* own() const { return static_cast<const std::string*>(at_); }
};
static_assert(sizeof(ScopeRecord) <= 24);

// Why a key is in the attacker's scope.
struct ScopeSeed {
  std::string key;
  std::string why;       // "created by the attacker (CreateRole)", "used by the attacker", ...
  long record = -1;      // the record that revealed it (-1: a finding's own record)
  bool owned = false;    // created or handed out by the attacker: any use of it is the attacker's
  bool as_actor = true;  // records where it acts are the attacker's; false: only records on it
  // What the attacker did with it: "created" (a record shows the attacker creating it, or it
  // was made for something the attacker created), "changed", "used" (a credential, session or
  // address the attacker used), "admitted" (a principal the attacker let into the cluster).
  std::string role = "used";
};

// A record the scope pulled in.
struct Pulled {
  std::string why;
  // The attacker made the request (with their credentials, address or a binding they planted);
  // false for the cluster's machinery acting on the attacker's objects (scheduling their pod).
  bool by_attacker = true;
};

struct ScopeResult {
  std::map<size_t, Pulled> pulled;  // record index → why it is the attacker's
  std::map<std::string, ScopeSeed> seeds;
  std::map<std::string, std::string> not_expanded;  // key → why it was not followed
  // aws-auth entries the attacker's writes added ("role|ARN|user|groups"), with the record.
  std::vector<std::pair<std::string, size_t>> aws_auth_added;
  std::vector<std::string> notes;  // inferences the responder should know about
};

struct ScopeContext {
  const cluster::Policy* policy = nullptr;
  std::string account;               // the cluster's account
  std::set<std::string> node_roles;  // role keys ("iam:arn…") the cluster's nodes use
  std::set<std::string> egress;      // public addresses several nodes' sessions act from (NAT)
  // Public addresses several people act from (an office, VPN or NAT egress) → how many.
  std::map<std::string, size_t> shared;
};

// How many different people (sessions, users, keys) acting from one public address make it a
// shared one rather than a machine of the attacker's.
inline constexpr size_t kSharedAddressPeople = 4;
inline constexpr size_t kSharedAddressCap = 100;  // counted up to this many

// The records indexed by what they name, built once from the encoded facets (no record is
// decoded to build it) for every round of the pivot. Holds its keys itself.
struct ScopeIndex {
  ScopeIndex(const std::vector<ScopeRecord>& records, const ScopeContext& ctx);
  Postings by_actor, by_target, by_owner, by_grant;
  std::vector<size_t> aws_auth_writes;  // in time order, for telling what a write added
  std::set<std::string> node_roles;     // roles whose sessions are named after instances
  // Public addresses at least kSharedAddressPeople people act from (one per record: its role
  // session, else its long-term key, else its identity), with how many, counted up to
  // kSharedAddressCap. Trusted addresses and the nodes' egress are left out: hubs already.
  std::map<std::string, size_t> shared;

 private:
  // A copy of a key the index holds: records' encodings may be read back into a reused buffer.
  std::string_view keep(std::string_view key);
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<std::unique_ptr<char[]>> big_;  // keys longer than a quarter chunk
  size_t used_ = 0;
};

// seeds: the records of the incident's findings (indices into records) and explicit keys.
// The index's node roles and shared addresses are hubs too.
ScopeResult pivot(const std::vector<ScopeRecord>& records, const ScopeIndex& index,
                  const std::vector<size_t>& seed_records, const std::vector<ScopeSeed>& seed_keys,
                  const ScopeContext& ctx);
// The same with an index built for this one call.
ScopeResult pivot(const std::vector<ScopeRecord>& records, const std::vector<size_t>& seed_records,
                  const std::vector<ScopeSeed>& seed_keys, const ScopeContext& ctx);

// Why a key is never expanded through ("" when it may be).
std::string hub_reason(const std::string& key, const ScopeContext& ctx);

}  // namespace eksir::incident
