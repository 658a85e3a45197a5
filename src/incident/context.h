// Private to incident/ (and the investigate command): the records the scope may pull in after
// the scan — every record that could be part of an attacker's activity, whether or not a rule
// fired on it. Filled on the scan's workers: each candidate's facets are kept in memory in a
// compact form in a temporary file (incident/facet_file.h), and where its text is — its place in
// the evidence file, or, for text that is not a slice of a file (events from a database, decoded
// from an embedded string), a temporary file it is written to — so memory grows with the number of
// distinct activities, not with the size of the evidence; the text of the few records the pivot
// pulls is read back afterwards.
//
// Two things keep the count down on busy evidence, both stated in the incident:
// - the same request again (same credential, address, action and object: identical facets) is
//   counted on the first copies kept, not kept again;
// - a public address from which the sessions of several nodes act is the VPC's egress (a NAT
//   gateway): the nodes' own calls through it are their owner's, not kept.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "event/event.h"
#include "incident/facet_file.h"
#include "incident/facets.h"
#include "util/compact_id.h"

namespace eksir::incident {

// The context store's index of the requests seen, by a hash of their facets: open addressing
// over 24-byte entries, where a node-based map took about 56 bytes a request.
class RepeatTable {
 public:
  struct Entry {
    uint64_t hash = 0, check = 0;
    uint32_t first = 0;   // the record of the first kept copy, in its worker
    uint32_t copies = 0;  // 0: the slot is empty
  };
  // The entry of hash, or null.
  Entry* find(uint64_t hash);
  void insert(const Entry& e);  // for a hash not in the table
  size_t size() const { return size_; }
  void clear();

 private:
  void grow();
  std::vector<Entry> slots_;
  size_t size_ = 0;
};

class ContextStore {
 public:
  // max_records bounds the index (candidates past it are counted, not kept).
  explicit ContextStore(unsigned workers, size_t max_records = 8'000'000);
  ~ContextStore();
  ContextStore(const ContextStore&) = delete;
  ContextStore& operator=(const ContextStore&) = delete;

  // Keeps ev if it is a scope candidate; call from scan worker `worker` (each worker its own).
  void offer(const EventView& ev, unsigned worker);
  // Keeps ev, an event a rule matched (`rule`: its index in the scan's rules, or UINT32_MAX), as
  // a record of its own whatever its identity: investigate keeps the events behind findings
  // whole up to a bound, and past it here.
  void offer_hit(const EventView& ev, unsigned worker, uint32_t rule);
  // After the scan, before reading: merges the workers' records in evidence order.
  void seal();

  // An event id as kept for millions of records (util/compact_id.h).
  using Id = util::CompactId;
  // The same request seen again after a record's copy and not kept: how many, the first and
  // last time, and the first kRepeatIdsKept ids. Apart, as most records never repeat.
  struct Repeats {
    uint64_t count = 0;
    TimeNs first = kNoTime, last = kNoTime;
    std::vector<Id> ids;
  };
  // Ordered by size: a busy week's evidence keeps millions of these (104 bytes each).
  struct Record {
    uint64_t line = 0, record = 0;
    TimeNs time = kNoTime;
    // Where the text is: in the evidence file's content (in_evidence: at offset, with the
    // checksum it had), or else in the worker's spill (at offset).
    uint64_t offset = 0;
    uint64_t facets_at = 0;             // its encoded RecordFacets, in its worker's FacetFile
    uint64_t facets_hash = 0;           // of the encoding: identical requests hash alike
    Id event_id;                        // auditID, CloudTrail eventID
    std::unique_ptr<Repeats> repeated;  // null until the request is seen again
    uint32_t file = 0;
    uint32_t checksum = 0;
    uint32_t length = 0;
    uint32_t facets_length = 0;
    uint32_t rule = UINT32_MAX;  // the rule that matched it (offer_hit), if one did
    uint16_t worker = 0;
    Source source{};
    bool in_evidence : 1 = false;
    bool node_session : 1 = false;  // a node's session from a public address (maybe the egress)

    uint64_t repeats() const { return repeated ? repeated->count : 0; }
    TimeNs repeats_first() const { return repeated ? repeated->first : kNoTime; }
    TimeNs repeats_last() const { return repeated ? repeated->last : kNoTime; }
    const std::vector<Id>& repeat_ids() const;
  };
  static_assert(sizeof(Record) <= 104);
  size_t size() const { return order_.size(); }
  const Record& at(size_t i) const { return *order_[i]; }
  const std::string& file_of(size_t i) const;
  // Record i's encoded facets: a view valid until the next call for a record of the same worker
  // (read back from the temporary file through a block buffer). Not thread-safe. Empty when it
  // could not be read back (counted in facets_unread()).
  std::string_view facets(size_t i) const;
  uint64_t facets_unread() const { return facets_unread_; }
  const std::string& facets_error() const { return facets_error_; }
  // The record as an owned Event (its text read back); source, file, line and time set.
  // ok is false when the text could not be read back (the spill failed, or the evidence file
  // changed or went away since the scan: counted in unread()).
  Event load(size_t i, bool& ok) const;
  // Reads the texts of these records from the evidence ahead of load(), one pass per file (a
  // compressed file is inflated once for all of them). Not thread-safe.
  void prefetch(const std::vector<size_t>& indices) const;
  // Records whose text could not be read back from the evidence, and why (the first reason).
  uint64_t unread() const { return unread_; }
  const std::string& unread_error() const { return unread_error_; }

  uint64_t candidates() const { return candidates_; }
  uint64_t dropped() const { return dropped_; }  // past max_records, or the spill failed
  // Requests that repeated an earlier one exactly: every copy but the first of each request.
  uint64_t repeats() const { return repeats_; }
  // Public addresses the sessions of several nodes act from, with how many records of nodes'
  // sessions from each were not kept.
  const std::map<std::string, uint64_t>& egress() const { return egress_; }
  std::string error() const;  // why the spill failed, if it did
  // Frees the records, their texts and the interned parts, keeping the counts, egress and
  // errors above: once the correlation is done, nothing reads a record again.
  void release();
  // Holds who acted in the records' facets (and in the facets of the events kept whole, made
  // with it too): it lives as long as the store.
  FacetInterner& interner() { return interner_; }

  // Copies of one request kept before the rest are only counted.
  static constexpr uint32_t kCopiesKept = 3;
  // Distinct nodes whose sessions act from one address before it counts as the VPC's egress.
  static constexpr size_t kEgressNodes = 3;
  static constexpr size_t kRepeatIdsKept = 10000;

 private:
  struct Worker {
    std::FILE* spill = nullptr;
    uint64_t written = 0;
    std::deque<Record> records;  // no copies as it grows; order_ points into it
    std::vector<std::string> files;
    std::string last_file;
    uint32_t last_index = 0;
    uint64_t candidates = 0, dropped = 0, repeats = 0;
    std::string memory;  // the text when no temporary file could be made
    std::string error;
    FacetFile facets;  // the records' encoded facets
    // A hash of the facets → the first kept copy, copies kept, and a second, independent hash
    // of the facets: identical requests are told apart from a collision of both (about 2^-128)
    // without reading the first copy's facets back.
    RepeatTable seen;
    // Address → the nodes whose sessions act from it; and records not kept from egress ones.
    std::unordered_map<std::string, std::set<std::string>> node_addresses;
    std::map<std::string, uint64_t> egress_skipped;
  };
  void keep(const EventView& ev, unsigned worker, bool hit, uint32_t rule);

  FacetInterner interner_;
  std::vector<Worker> workers_;
  std::vector<const Record*> order_;
  size_t max_per_worker_;
  uint64_t candidates_ = 0, dropped_ = 0, repeats_ = 0;
  std::map<std::string, uint64_t> egress_;
  // Texts read from the evidence by prefetch(), until load() takes them; nullopt: unreadable.
  mutable std::unordered_map<size_t, std::optional<std::string>> fetched_;
  mutable uint64_t unread_ = 0;
  mutable std::string unread_error_;
  mutable uint64_t facets_unread_ = 0;
  mutable std::string facets_error_;
};

}  // namespace eksir::incident
