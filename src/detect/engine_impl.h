// Private to detect/: the engine's state, shared by the scan-time and after-scan halves.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "detect/detect.h"
#include "detect/print_spill.h"
#include "event/fields.h"
#include "query/query.h"
#include "util/compact_id.h"
#include "util/time_math.h"

namespace eksir::detect {

using Subject = std::vector<std::pair<std::string, std::string>>;

// Evidence order: time, then file, line and record; for anything that says where it was found
// (events, evidence references, hits, correlation events).
template <class A, class B>
bool place_before(const A& a, const B& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.file != b.file) return a.file < b.file;
  if (a.line != b.line) return a.line < b.line;
  return a.record < b.record;
}

// Where a single-event rule's hit was found; `file` points into its worker's file list. The id
// kept compactly: a run holds up to kMaxEvidence of these, and quiet weeks make tens of
// thousands of runs.
struct HitRef {
  Source source{};
  std::string_view file;
  uint64_t line = 0, record = 0;
  TimeNs time = kNoTime;
  util::CompactId event_id;
  EvidenceRef ref() const {
    return {source, std::string(file), line, record, time, event_id.str()};
  }
};
inline bool hit_before(const HitRef& x, const HitRef& y) {
  return place_before(x, y);
}

// The hits of one run: consecutive hits (in time order) no further apart than the dedup window.
// One run becomes one finding, so what it holds is what the finding cites, not the hits: the
// first hit's text and subject, the earliest kMaxEvidence places, a count.
struct Run {
  uint32_t rule = 0;                      // the first hit's rule
  TimeNs start = kNoTime, end = kNoTime;  // earliest and latest time (kNoTime: untimed hits)
  uint64_t hits = 0;                      // copies of one event included (see HitGroup::ids)
  HitRef first;
  std::string description;
  // The first hit's subject; its text is in the worker's run_strings (the same people and
  // objects are in the subjects of many runs).
  std::vector<std::pair<std::string_view, std::string_view>> subject;
  std::vector<HitRef> evidence;  // a max-heap by hit_before while hits come in
};

// The hits of one rule and subject (one dedup key), folded into runs as the scan goes: memory
// grows with the findings, not with the hits. The runs are exactly those of the hits sorted by
// time, because a hit within the window of a run's span is within the window of one of its hits.
struct HitGroup {
  std::vector<Run> timed;  // by start; any two more than the window apart
  std::optional<Run> untimed;
  // (time, hash of source and event id) of each hit with an id: copies of one event (the same
  // log read twice, or an audit event's two stages) share all three and count once. 16 bytes a
  // hit, the one thing here that grows with the hits: past the worker's share of the budget they
  // go to its PrintSpill (spill_prints).
  std::vector<std::pair<TimeNs, uint64_t>> ids;
  uint64_t key1 = 0, key2 = 0;   // the dedup key's hashes, the group's name in the spill
  std::vector<uint64_t> copies;  // after the scan: per run, the copies taken out of its count
};
// The hashes a group is known by in the spill.
void name_group(HitGroup& g, std::string_view key);

class TupleSpill;

// Where a correlation rule's event was found; the strings live in its worker's Interned.
struct TupleRef {
  Source source{};
  std::string_view file;
  uint64_t line = 0, record = 0;
  TimeNs time = kNoTime;
  std::string_view event_id;
  EvidenceRef evidence() const {
    return {source, std::string(file), line, record, time, std::string(event_id)};
  }
};
inline bool tuple_before(const TupleRef& a, const TupleRef& b) {
  return place_before(a, b);
}

// The strings of a worker's tuples, each kept once: correlation rules on noisy evidence keep
// hundreds of thousands of events, most with the same key, value and identity. Addresses are
// stable until the worker is reset.
class Interned {
 public:
  Interned() = default;
  Interned(Interned&&) = default;
  Interned& operator=(Interned&&) = default;
  Interned(const Interned&) = delete;
  Interned& operator=(const Interned&) = delete;

  std::string_view string(std::string_view s) {
    auto [it, fresh] = strings_.emplace(s);
    if (fresh) bytes_ += s.size() + 48;
    return *it;
  }
  const Subject* identity(Subject&& s);
  // Event ids are nearly all different: copied into chunks, not looked up.
  std::string_view unique(std::string_view s);
  // About what the strings take, allocations included.
  size_t bytes() const { return bytes_; }

 private:
  std::unordered_set<std::string> strings_;
  std::unordered_map<std::string, Subject> identities_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0, bytes_ = 0;
  std::string joined_;
};

// An event a correlation rule needs: its key, its distinct value, the steps it satisfies.
struct Tuple {
  uint32_t rule = 0;
  uint32_t steps = 0;      // sequence: bit i set when step i matches; kUntilBit: `until` matches
  std::string_view key;    // group_by values joined by \x1f
  std::string_view value;  // distinct_count: the counted field's value
  // Who acted (IAM ARN, access key, session, source IP) when the event says; never null.
  const Subject* identity = nullptr;
  TupleRef ref;
};

inline constexpr uint32_t kUntilBit = 1u << 31;

struct CompiledRule {
  const rules::Rule* rule = nullptr;
  query::CompiledQuery match;
  bool has_condition = false;
  bool correlation = false;
  std::vector<query::CompiledQuery> steps;
  std::vector<FieldRef> subject, group_by;
  // Sequences with per-step join fields (EQL): each step's own, and those of `until`.
  std::vector<std::vector<FieldRef>> step_by;
  std::optional<query::CompiledQuery> until;
  std::vector<FieldRef> until_by;
  std::vector<std::string> key_names;  // the fields of a correlation key, in order
  FieldRef field;
  std::array<bool, kSourceCount> applies{};
};

struct alignas(64) WorkerState {
  std::deque<std::string> files;  // the files hits were found in (stable addresses)
  std::string text, key;          // reused buffers
  Subject subject;
  std::unordered_map<std::string, HitGroup> groups;  // by dedup key
  std::vector<Tuple> tuples;
  Interned interned;
  Interned first_interned;             // the strings of `first`, which never goes to the spill
  Interned run_strings;                // the text of the runs' subjects
  std::shared_ptr<TupleSpill> spill;   // tuples past the worker's share of the memory budget
  size_t print_bytes = 0;              // what the groups' ids take
  std::unique_ptr<PrintSpill> prints;  // ids past a quarter of the worker's share
  std::vector<Finding> alerts;
  // first_seen rules: only the earliest event per (rule, key) is kept.
  std::unordered_map<std::string, Tuple> first;
  FieldCache cache;
  std::array<TimeNs, kSourceCount> min_time;
  WorkerState() { min_time.fill(INT64_MAX); }
  void reset() { *this = WorkerState(); }
};

// True when b follows a by at most `window` (or either has no time): one finding holds both.
inline bool within(TimeNs a, TimeNs b, TimeNs window) {
  return a == kNoTime || b == kNoTime || util::span_ns(a, b) <= window;
}
// Adds a single-event rule's hit to its group's runs. When the hit is now the first of its run,
// returns that run, whose description and subject the caller sets from the hit's event (they
// are worked out only then: descriptions are costly); else null.
Run* add_hit(HitGroup& g, HitRef&& at, TimeNs window);
// Hits of single-event rules become findings, appended to out (hits.cpp): one per rule and
// subject and run of hits no further apart than `window`, in dedup-key order. Empties the
// workers' groups.
// Copies are counted from the groups' ids, or, when a worker spilled them, from every worker's
// spill merged (its count and any error go to `spilled`).
void findings_from_hits(const std::vector<rules::Rule>& rules, std::vector<WorkerState>& workers,
                        TimeNs window, std::vector<Finding>& out, SpillStats& spilled);
// The part of a correlation rule's read-back each key bucket (spill.h's key_bucket) goes to,
// from the workers' spills and memory, so that a part holds about half of `memory`: empty when
// the rule is read back whole (engine.cpp).
std::vector<uint16_t> key_parts(const std::vector<WorkerState>& workers, size_t memory,
                                uint32_t rule);
// Writes the worker's ids to its spill as one sorted run and frees them; on failure they stay.
void spill_prints(WorkerState& w);
// Correlation evaluation over the time-sorted tuples of one rule (correlate.cpp).
// Counts and distinct counts fold their alerts of one key within `window` as they come, as
// dedupe() would after: a rule that fires all the time keeps one finding per key, not one per
// firing.
void correlate(const CompiledRule& cr, std::span<const Tuple> tuples, TimeNs evidence_start,
               TimeNs window, std::vector<Finding>& out, std::vector<Withheld>& withheld);
// A finding carrying a rule's metadata (engine.cpp).
Finding rule_finding(const rules::Rule& r);
// cur takes f's count, span, evidence (up to kMaxEvidence) and severity (engine.cpp).
void merge_finding(Finding& cur, Finding&& f);
// Merges findings of the same rule and subject within `window` and assigns ids (engine.cpp).
std::vector<Finding> dedupe(std::vector<Finding> findings, TimeNs window);
bool evidence_before(const EvidenceRef& a, const EvidenceRef& b);
// Adds the IAM ARN, access key, session name and source IP of an audit or CloudTrail event.
void add_identity(const EventView& ev, Subject& s);

}  // namespace eksir::detect
