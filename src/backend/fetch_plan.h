// Private to backend/: which rows `detect --on` and `investigate --on` fetch. Alerts and the
// candidates of single-event rules are selected by their translated WHERE; each correlation rule
// is first aggregated on the server (GROUP BY its group_by columns, a necessary condition for
// firing in HAVING) and only the rows of the groups that can fire are fetched. The local engine
// then decides on those rows, so the findings are those of a run on the files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/store.h"
#include "rules/rules.h"

namespace eksir::backend {

struct CorrelationCounts {
  size_t aggregated = 0;              // rules decided by a server-side aggregation
  uint64_t groups = 0, firing = 0;    // groups of those rules; groups that can fire
  uint64_t matching = 0, pulled = 0;  // rows matching their conditions; rows of firing groups
  uint64_t largest = 0;               // the most rows one rule pulls
  // Rules whose candidate rows are all fetched, each as "rule-id (why)".
  std::vector<std::string> local;
  // Per aggregated rule: "rule-id (type): M of K groups can fire, P of R rows".
  std::vector<std::string> per_rule;
};

struct FetchPlan {
  std::string where;        // the rows to fetch ("1" = every row)
  bool everything = false;  // a single-event rule cannot be narrowed: every row is fetched
  // The rows of one correlation rule's firing groups are most of the rows: every row is fetched
  // (streaming the table costs the server less than testing each rule's condition on each row).
  bool most = false;
  uint64_t rows = 0;  // rows within the bounds (counted when `most` is considered)
  CorrelationCounts correlations;
  uint64_t context_sources = 0;  // sources whose earliest rows are fetched (first_seen history)
};

// Plans the fetch for `rules` within `bounds` (" AND source = ... AND time >= ..."): runs the
// aggregations on the server. `extra` is OR-ed into the rows fetched (e.g. pod bindings).
// Returns "" or the server's error.
std::string plan_fetch(const Store& store, const std::vector<rules::Rule>& rules,
                       const std::string& bounds, const std::string& extra, FetchPlan& plan);

// One line for stderr: what ran where.
std::string describe_plan(const FetchPlan& plan);

}  // namespace eksir::backend
