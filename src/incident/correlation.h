// Private to the correlation: the state of one incident::build and its steps, in the order run()
// takes them. Events become facts (correlation_events.cpp), findings become groups
// (correlate.cpp), the top group's scope grows round by round (correlation_scope.cpp), and each
// group becomes an incident or a lead (incident_describe.cpp).
#pragma once

#include <simdjson.h>

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "incident/graph.h"
#include "incident/incident.h"
#include "incident/internal.h"
#include "incident/scope.h"

namespace eksir::incident {

// Where a record is: the key findings' evidence names events by. The file is viewed, not copied:
// it lives in the events (or the findings) for as long as the map.
struct RecordRef {
  std::string_view file;
  uint64_t line = 0, record = 0;
  bool operator==(const RecordRef&) const = default;
};
struct RecordRefHash {
  size_t operator()(const RecordRef& r) const {
    size_t h = std::hash<std::string_view>()(r.file);
    h ^= (r.line + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    h ^= (r.record + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    return h;
  }
};
using RecordRefs = std::unordered_set<RecordRef, RecordRefHash>;

struct Group {
  std::vector<const FindingFacts*> findings;
};

class Correlation {
 public:
  explicit Correlation(const CorrelationInput& in);
  // Facts point into the state: it stays where it was made.
  Correlation(const Correlation&) = delete;
  Correlation& operator=(const Correlation&) = delete;

  void run(Investigation& out);

 private:
  // --- Events → facts (correlation_events.cpp) ---
  // What of an event does not depend on the others — its summary and facets — worked out ahead,
  // on every core (the graph is built one event at a time after).
  struct Ahead {
    bool parsed = false;
    bool deferred = false;  // only its facets and id: no finding cites it
    EventSummary summary;
    std::string facets;  // encoded
    std::string event_id;
  };
  // A kept event whose facts are made only if the scope pulls it.
  struct Deferred {
    const Event* event;
    std::string own_id;                  // its id, when it has no prework to read it from
    const EventPrework* work = nullptr;  // where its text is, when it was kept without it
    const std::string& event_id() const { return work ? work->event_id : own_id; }
  };

  // Parses an event into facts (its entities and links added to the graph). Returns the facts
  // of an earlier copy (duplicate) when the same event was exported twice; false when it does
  // not parse.
  bool make_facts(const Event& e, EventFacts& f, bool& duplicate, Ahead* ahead = nullptr);
  const EventPrework* work_of(const Event* e) const;
  // The kept events: cited ones and pod placements become facts now, the rest records only.
  void read_kept_events();
  std::vector<const Event*> evidence_order() const;
  RecordRefs cited_places() const;
  void read_back_cited(std::vector<const Event*>& order,
                       const std::vector<const EventPrework*>& work, const RecordRefs& cited);
  std::vector<Ahead> work_ahead(const std::vector<const Event*>& order,
                                const std::vector<const EventPrework*>& work,
                                const RecordRefs& cited) const;
  void keep_facts(const std::vector<const Event*>& order,
                  const std::vector<const EventPrework*>& work, std::vector<Ahead>& ahead);
  // The rest of the evidence the scope may pull from: records no rule fired on.
  void add_context_records();
  // The facts of a record, made when first asked for (null when it cannot be read).
  const EventFacts* load_context(size_t idx);
  RecordPlace place(size_t i) const;
  // The texts of the records among these read from the evidence in one pass per file, before
  // load_context takes them one by one.
  void prefetch_context(const std::vector<size_t>& indices);
  void add_policy_findings();
  void resolve_context_hits();
  void index_bindings();

  // --- Findings → groups (correlate.cpp) ---
  void make_finding_facts();
  FindingFacts facts_of(const detect::Finding& f) const;
  void judge_benign();
  void collect_cited_activity();
  void prepare_scope();
  void group_findings();
  void rank_groups();

  // --- The incident's scope (correlation_scope.cpp) ---
  void grow_scope();
  void fold_pulled();
  std::set<std::string> compromised_hosts() const;
  std::set<std::string> owners_of_incident() const;
  bool joins(const Group& group, const std::set<std::string>& hosts,
             const std::set<std::string>& owners, TimeNs window_first, TimeNs window_last) const;
  void count_repeats();
  void keep_pulled();
  void note_common_ground();

  // --- Output (correlate.cpp) ---
  void note_unread(Incident& inc) const;
  void write(Investigation& out);

  CorrelationInput input;
  Graph g;

  // Facts of every captured event, and the scope's view of each record. facts is reserved:
  // its elements stay put.
  std::vector<EventFacts> facts;
  std::vector<ScopeRecord> records;
  std::unordered_map<RecordRef, const EventFacts*, RecordRefHash> by_ref;
  // The same event exported twice: keyed by views of event ids that stay put (facts is reserved;
  // pulled facts live in a deque).
  std::unordered_map<std::string_view, const EventFacts*> by_event_id;
  simdjson::dom::parser parser;
  std::string padded;  // the event's text with simdjson's padding after it, reused
  std::unordered_map<size_t, Deferred> deferred;  // record index → event
  // Kept events read back from the evidence (EventPrework::light); those that could not be.
  std::deque<Event> read_events;
  size_t unread_kept = 0;
  std::string unread_why;
  bool preworked = false;
  size_t context_base = 0;  // records from here on are the context store's
  // Records no rule fired on, read back when the scope (or a finding of the policy's) needs them.
  std::deque<Event> pulled_events;
  std::deque<EventFacts> pulled_facts;
  std::map<size_t, const EventFacts*> fact_of;  // record → its facts
  std::map<std::string, const EventFacts*> binding_by_pod;

  std::vector<detect::Finding> all_findings;  // the scan's and the policy's
  std::vector<FindingFacts> ffs;
  // Records shown as a finding's evidence that can stand for the same activity done again.
  std::set<size_t> cited_activity;
  ScopeContext sctx;
  std::optional<ScopeIndex> scope_index;
  std::unordered_map<std::string, size_t> shared;  // common ground → how many parties
  std::map<std::string, Group> groups;
  struct Ranked {
    Level level;
    size_t counted;
    TimeNs first;
    const Group* group;
  };
  std::vector<Ranked> ranked;  // most severe first

  // The incident: the top group's findings and those of the leads that joined it.
  std::vector<const FindingFacts*> main_findings;
  std::vector<bool> merged;  // by rank
  ScopeFacts scope;
  std::map<size_t, size_t> activity_rep;  // pulled record → the record of its activity shown
  std::map<std::string, size_t> first_of_activity;
  std::set<size_t> grouped;
};

}  // namespace eksir::incident
