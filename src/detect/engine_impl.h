// Private to detect/: the engine's state, shared by the scan-time and after-scan halves.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/detect.h"
#include "event/fields.h"
#include "query/query.h"
#include "util/time_math.h"

namespace eksir::detect {

using Subject = std::vector<std::pair<std::string, std::string>>;

// A single-event rule's match, kept light until the scan is over: its strings live in the
// worker's arena (a pointer bump to allocate, released all at once after finish()), the file
// name in the worker's file list. Hundreds of thousands of hits are common on big evidence.
struct Hit {
  uint32_t rule = 0;
  Source source{};
  uint64_t line = 0, record = 0;
  TimeNs time = kNoTime;
  std::string_view file;
  std::string_view key;  // rule id and keyed subject values joined by \x1f, in the arena
  std::pmr::string event_id, description;
  std::pmr::vector<std::pair<std::string_view, std::pmr::string>> subject;  // names outlive it

  explicit Hit(std::pmr::memory_resource* arena)
      : event_id(arena), description(arena), subject(arena) {}
  EvidenceRef ref() const {
    return {source, std::string(file), line, record, time, std::string(event_id)};
  }
};

// An event a correlation rule needs: its key, its distinct value, the steps it satisfies.
struct Tuple {
  uint32_t rule = 0;
  uint32_t steps = 0;  // sequence: bit i set when step i matches; kUntilBit: `until` matches
  std::string key;     // group_by values joined by \x1f
  std::string value;   // distinct_count: the counted field's value
  Subject identity;    // who acted (IAM ARN, access key, session, source IP) when the event says
  EvidenceRef ref;
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
  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena =
      std::make_unique<std::pmr::monotonic_buffer_resource>(1 << 20);
  std::deque<std::string> files;  // the files hits were found in (stable addresses)
  std::string text, key;          // reused buffers
  std::vector<Hit> hits;
  std::unordered_map<std::string_view, uint32_t> group_of;  // hit key -> index in groups
  std::vector<std::vector<uint32_t>> groups;                // indices of hits, by key
  std::vector<Tuple> tuples;
  std::vector<Finding> alerts;
  // first_seen rules: only the earliest event per (rule, key) is kept.
  std::unordered_map<std::string, Tuple> first;
  FieldCache cache;
  std::array<TimeNs, kSourceCount> min_time;
  WorkerState() { min_time.fill(INT64_MAX); }
  // Empty again. The hits go before their arena (assignment would free the arena first).
  void reset() {
    hits.clear();
    group_of.clear();
    groups.clear();
    *this = WorkerState();
  }
};

// True when b follows a by at most `window` (or either has no time): one finding holds both.
inline bool within(TimeNs a, TimeNs b, TimeNs window) {
  return a == kNoTime || b == kNoTime || util::span_ns(a, b) <= window;
}
// Hits of single-event rules become findings, appended to out (hits.cpp): one per rule and
// subject and run of hits no further apart than `window`. Leaves the workers' hits in place.
void findings_from_hits(const std::vector<rules::Rule>& rules, std::vector<WorkerState>& workers,
                        TimeNs window, std::vector<Finding>& out);
// Correlation evaluation over the time-sorted tuples of one rule (correlate.cpp).
void correlate(const CompiledRule& cr, std::vector<Tuple>& tuples, TimeNs evidence_start,
               std::vector<Finding>& out, std::vector<Withheld>& withheld);
// A finding carrying a rule's metadata (engine.cpp).
Finding rule_finding(const rules::Rule& r);
// Merges findings of the same rule and subject within `window` and assigns ids (engine.cpp).
std::vector<Finding> dedupe(std::vector<Finding> findings, TimeNs window);
bool evidence_before(const EvidenceRef& a, const EvidenceRef& b);
// Adds the IAM ARN, access key, session name and source IP of an audit or CloudTrail event.
void add_identity(const EventView& ev, Subject& s);

}  // namespace eksir::detect
