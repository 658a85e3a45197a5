#include "backend/fetch_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

#include "util/text.h"

namespace eksir::backend {
namespace {

using rules::CorrelationType;

// A correlation rule as SQL over the events table.
struct RuleSql {
  const rules::Rule* rule = nullptr;
  std::vector<Source> sources;  // where the local engine applies the rule
  std::string where;            // a superset of the rule's events, sources included
  std::string key;              // the group key: exact, or coarser than the local one
  bool exact_key = true;
  std::string untyped;                // a group_by field without a column (the key is coarser)
  uint64_t irregular = 0;             // bits of the key's (and value's) columns: a non-string value
  std::string value;                  // distinct_count: the counted field's text ("" = no column)
  std::string first_step, last_step;  // sequence: WHERE of its first and last steps
};

const TypedField* typed_for(const FieldRef& f, const std::vector<Source>& sources) {
  if (f.is_time()) return nullptr;
  for (const auto& t : typed_fields()) {
    FieldRef tf(t.field);
    bool same = true;
    for (Source s : sources) same = same && tf.describe(s) == f.describe(s);
    if (same) return &t;
  }
  return nullptr;
}

// The local engine's text of a field's values: joined with ',', leading empty strings dropped.
std::string column_text(const char* column) {
  return fmt::format("arrayStringConcat(arraySlice({0}, arrayFirstIndex(x -> x != '', {0})), ',')",
                     column);
}

std::string step_where(const query::Node& n) {
  return translate(n).where;
}

std::optional<RuleSql> rule_sql(const rules::Rule& r) {
  RuleSql q;
  q.rule = &r;
  const auto& cor = r.correlation;
  query::CompiledQuery match = query::compile(r.match);
  std::vector<query::CompiledQuery> steps;
  for (const auto& s : cor.step_nodes) steps.push_back(query::compile(s));
  std::vector<FieldRef> group_by(cor.group_by.begin(), cor.group_by.end());
  std::optional<FieldRef> field;
  if (!cor.field.empty()) field.emplace(cor.field);
  // The sources the engine routes the rule's events from (as detect's Engine decides).
  for (int i = 0; i < kSourceCount; ++i) {
    Source s = static_cast<Source>(i);
    bool ok =
        r.sources.empty() || std::find(r.sources.begin(), r.sources.end(), s) != r.sources.end();
    ok = ok && match.may_match(s);
    if (!steps.empty()) {
      bool any = false;
      for (const auto& st : steps) any = any || st.may_match(s);
      ok = ok && any;
    }
    for (const auto& g : group_by) ok = ok && g.applies_to(s);
    if (field) ok = ok && field->applies_to(s);
    if (ok) q.sources.push_back(s);
  }
  if (q.sources.empty()) return std::nullopt;

  std::string w = translate(r.match).where;
  if (!cor.step_nodes.empty()) {
    std::string any_step;
    for (const auto& s : cor.step_nodes) {
      std::string sw = step_where(s);
      if (sw == "1") {
        any_step.clear();
        break;
      }
      any_step += (any_step.empty() ? "" : " OR ") + sw;
    }
    if (!any_step.empty()) w = w == "1" ? "(" + any_step + ")" : w + " AND (" + any_step + ")";
    q.first_step = step_where(cor.step_nodes.front());
    q.last_step = step_where(cor.step_nodes.back());
  }
  std::string sources;
  for (Source s : q.sources)
    sources += fmt::format("{}{}", sources.empty() ? "" : ", ", sql_string(source_name(s)));
  q.where = fmt::format("source IN ({}) AND {}", sources, w);

  std::string key;
  for (size_t i = 0; i < group_by.size(); ++i) {
    std::string part = "''";
    if (const TypedField* t = typed_for(group_by[i], q.sources)) {
      part = column_text(t->column);
      q.irregular |= 1ULL << t->bit;
    } else {
      q.exact_key = false;
      if (q.untyped.empty()) q.untyped = group_by[i].name();
    }
    key += (i ? ", '\\x1f', " : "") + part;
  }
  q.key = group_by.empty() ? "''" : group_by.size() == 1 ? key : "concat(" + key + ")";
  if (field) {
    if (const TypedField* t = typed_for(*field, q.sources)) {
      q.value = column_text(t->column);
      q.irregular |= 1ULL << t->bit;
    }
  }
  return q;
}

// The aggregation of a count, distinct_count or sequence rule: one row per group with `fires`, a
// condition every group that fires locally meets, and `rows`, the times of the group's events
// the local engine needs. Lambdas take their arrays as arguments, never from the enclosing
// scope (a captured array is copied for every element: quadratic on large groups).
//
// count and distinct_count: an event that lies in no window of the rule's length holding at least
// `threshold` events is never in the engine's sliding window when that window fires (the window
// would hold it and as many events), and never makes it fire, so only the events of such dense
// windows are fetched. With ts the group's n sorted times and N the threshold, run i is dense
// when ts[i + N - 1] - ts[i] <= window; the event at position p is kept when one of the runs
// [p - N + 1, p] is dense: a difference of two prefix sums of the dense flags.
// sequence: every event of a group where some last step follows a first step within the window.
std::string aggregation(const RuleSql& q, const std::string& table, const std::string& bounds) {
  const auto& cor = q.rule->correlation;
  const TimeNs w = cor.window;
  const uint64_t n = std::max<uint64_t>(1, cor.threshold);
  std::string head = fmt::format(
      "SELECT {} AS k, count() AS n, max(bitAnd(irregular, {}) != 0) AS irr", q.key, q.irregular);
  std::string from = fmt::format(" FROM {} WHERE ({}) AND time != {}{} GROUP BY k", table, q.where,
                                 kNoTime, bounds);
  if (cor.type == CorrelationType::Sequence) {
    // The first-step times (tagged 0, each with its distance to the previous one) and the
    // last-step times (tagged 1), sorted together: a running sum of the distances is the latest
    // first step at or before each last step, which must be within the window.
    std::string steps = fmt::format(
        "arraySort(groupArrayIf(time, {1})) AS fs, "
        "arraySort(arrayConcat(arrayMap((t, d) -> (t, 0, d), fs, arrayConcat(arraySlice(fs, 1, "
        "1), arraySlice(arrayDifference(fs), 2))), arrayMap(t -> (t, 1, toInt64(0)), "
        "groupArrayIf(time, {0})))) AS both, "
        "arrayCumSum(arrayMap(x -> tupleElement(x, 3), both)) AS latest, "
        "arrayCumSum(arrayMap(x -> tupleElement(x, 2) = 0, both)) AS seen, "
        "arrayExists((x, f, s) -> tupleElement(x, 2) = 1 AND s > 0 AND tupleElement(x, 1) - f "
        "<= {2}, both, latest, seen) AS fires, groupArray(time) AS rows",
        q.last_step, q.first_step, w);
    return fmt::format("{}, {}{}", head, steps, from);
  }
  std::string dense = fmt::format(
      "arraySort(groupArray(time)) AS ts, greatest(n - {0} + 1, 0) AS runs, "
      "arrayCumSum(arrayMap((a, b) -> b - a <= {1}, arraySlice(ts, 1, runs), "
      "arraySlice(ts, {0}))) AS dense, "
      "arrayConcat(dense, arrayResize(emptyArrayUInt64(), n - runs, dense[runs])) AS upto, "
      "arrayConcat(arrayResize(emptyArrayUInt64(), least(n, {0}), toUInt64(0)), "
      "arraySlice(dense, 1, greatest(n - {0}, 0))) AS before, "
      "arrayFilter((t, u, b) -> u > b, ts, upto, before) AS rows",
      n, w);
  std::string fires = "length(rows) > 0";
  // n distinct values in a window also need n distinct values in the group.
  if (cor.type == CorrelationType::DistinctCount && !q.value.empty())
    fires += fmt::format(" AND uniqExactIf({0}, {0} != '') >= {1}", q.value, n);
  return fmt::format("{}, {}, {} AS fires{}", head, dense, fires, from);
}

std::vector<std::string> tsv_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> f;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    f.push_back(line.substr(start, tab - start));
  f.push_back(line.substr(start));
  return f;
}

uint64_t number(const std::string& s) {
  return std::strtoull(s.c_str(), nullptr, 10);
}

class Planner {
 public:
  Planner(const Store& store, const std::string& bounds, FetchPlan& plan)
      : store_(store), bounds_(bounds), table_(store.events_table()), plan_(plan) {}

  // The earliest time of each source, for first_seen's history (min over the rule's sources).
  std::string load_starts() {
    std::string error;
    std::string text = store_.query(
        fmt::format("SELECT source, min(time) FROM {} WHERE time != {}{} GROUP BY source FORMAT "
                    "TabSeparated",
                    table_, kNoTime, bounds_),
        error);
    for (const auto& line : tsv_lines(text)) {
      auto f = split_tabs(line);
      if (f.size() != 2) continue;
      if (auto s = parse_source(unescape_tsv(f[0])))
        starts_[static_cast<size_t>(*s)] = std::strtoll(f[1].c_str(), nullptr, 10);
    }
    return error;
  }

  // The rows of every earliest timestamp: the local engine reads where the evidence starts.
  std::string context_rows() const {
    std::string out;
    for (int i = 0; i < kSourceCount; ++i) {
      if (starts_[i] == kNoTime) continue;
      out += fmt::format("{}(source = {} AND time = {})", out.empty() ? "" : " OR ",
                         sql_string(source_name(static_cast<Source>(i))), starts_[i]);
      ++plan_.context_sources;
    }
    return out;
  }

  // The rows to fetch for one correlation rule ("" = none); "" or the error in `error`.
  std::string rule_rows(const RuleSql& q, std::string& error) {
    CorrelationCounts& c = plan_.correlations;
    const auto& cor = q.rule->correlation;
    auto local = [&](const std::string& why) {
      c.local.push_back(fmt::format("{} ({})", q.rule->id, why));
      return "(" + q.where + ")";
    };
    if (cor.type == CorrelationType::FirstSeen) {
      // The first event of each key decides, so the key must be exact: a coarser group's first
      // event is not each key's.
      if (!q.exact_key)
        return local(fmt::format("first_seen by {}, which has no column", q.untyped));
      return first_seen_rows(q, error, local);
    }
    std::string agg = aggregation(q, table_, bounds_);
    auto f = summary_row(
        fmt::format("SELECT count(), sum(n), sum(fires), sum(fires ? length(rows) : 0), max(irr) "
                    "FROM ({})",
                    agg),
        5, error);
    if (f.empty()) return "";
    if (f[4] == "1") return local("a group_by or counted field holds a value that is not a string");
    count_rule(q, number(f[0]), number(f[2]), number(f[1]), number(f[3]));
    if (number(f[2]) == 0) return "";
    return fmt::format(
        "(({}) AND (({}), time) GLOBAL IN (SELECT k, arrayJoin(rows) FROM ({} HAVING fires)))",
        q.where, q.key, agg);
  }

 private:
  // The one row of an aggregation over the server's groups, as `fields` text fields; empty with
  // `error` set when the server fails or replies otherwise.
  std::vector<std::string> summary_row(const std::string& select, size_t fields,
                                       std::string& error) {
    std::string text = store_.query(select + " FORMAT TabSeparated", error);
    if (!error.empty()) return {};
    auto lines = tsv_lines(text);
    auto f = split_tabs(lines.empty() ? "" : lines.front());
    if (f.size() != fields) {
      error = "unexpected aggregation reply: " + text.substr(0, 200);
      return {};
    }
    return f;
  }

  void count_rule(const RuleSql& q, uint64_t groups, uint64_t firing, uint64_t rows,
                  uint64_t pulled) {
    CorrelationCounts& c = plan_.correlations;
    ++c.aggregated;
    c.groups += groups;
    c.firing += firing;
    c.matching += rows;
    c.pulled += pulled;
    c.largest = std::max(c.largest, pulled);
    c.per_rule.push_back(fmt::format("{} ({}{}): {} of {} groups can fire, {} of {} rows pulled",
                                     q.rule->id, rules::correlation_name(q.rule->correlation.type),
                                     q.exact_key ? "" : ", coarser key", util::thousands(firing),
                                     util::thousands(groups), util::thousands(pulled),
                                     util::thousands(rows)));
  }

  template <class Local>
  std::string first_seen_rows(const RuleSql& q, std::string& error, Local& local) {
    TimeNs start = INT64_MAX;
    for (Source s : q.sources)
      if (starts_[static_cast<size_t>(s)] != kNoTime)
        start = std::min(start, starts_[static_cast<size_t>(s)]);
    const TimeNs history = q.rule->correlation.history;
    std::string by_key = fmt::format(
        "SELECT {} AS k, min(time) AS m, count() AS n, max(bitAnd(irregular, {}) != 0) AS irr "
        "FROM {} WHERE ({}){} GROUP BY k",
        q.key, q.irregular, table_, q.where, bounds_);
    // A key without an event time never fires (the engine keeps the timeless event as first).
    std::string fires =
        start == INT64_MAX ? "0" : fmt::format("m != {} AND m - {} >= {}", kNoTime, start, history);
    auto f = summary_row(
        fmt::format("SELECT count(), sum({}), sum(n), max(irr) FROM ({})", fires, by_key), 4,
        error);
    if (f.empty()) return "";
    if (f[3] == "1") return local("a group_by field holds a value that is not a string");
    count_rule(q, number(f[0]), number(f[1]), number(f[2]), number(f[0]));
    if (number(f[0]) == 0) return "";
    // The first event of every key, not only of the keys that fire: any other row of a key that
    // reaches the engine (a single-event rule's candidate) would otherwise pass for its first.
    return fmt::format(
        "(({}) AND (({}), time) GLOBAL IN (SELECT {} AS k, min(time) FROM {} WHERE ({}){} GROUP "
        "BY k))",
        q.where, q.key, q.key, table_, q.where, bounds_);
  }

  const Store& store_;
  const std::string& bounds_;
  std::string table_;
  FetchPlan& plan_;
  std::array<TimeNs, kSourceCount> starts_ = [] {
    std::array<TimeNs, kSourceCount> a;
    a.fill(kNoTime);
    return a;
  }();
};

}  // namespace

std::string plan_fetch(const Store& store, const std::vector<rules::Rule>& rules,
                       const std::string& bounds, const std::string& extra, FetchPlan& plan) {
  plan = FetchPlan();
  std::string where = "source IN ('guardduty', 'falco', 'ocsf')";
  std::vector<const rules::Rule*> correlations;
  bool first_seen = false;
  for (const auto& r : rules) {
    if (r.correlation.type != CorrelationType::None) {
      correlations.push_back(&r);
      first_seen = first_seen || r.correlation.type == CorrelationType::FirstSeen;
      continue;
    }
    std::string w = translate(r.match).where;
    if (w == "1") {
      plan.everything = true;
      plan.where = "1";
      return "";
    }
    where += " OR " + w;
  }
  if (!extra.empty()) where += " OR " + extra;
  Planner planner(store, bounds, plan);
  std::string error;
  if (first_seen) {
    if (error = planner.load_starts(); !error.empty()) return error;
    if (std::string ctx = planner.context_rows(); !ctx.empty()) where += " OR " + ctx;
  }
  for (const rules::Rule* r : correlations) {
    auto q = rule_sql(*r);
    if (!q) continue;  // applies to no source
    std::string rows = planner.rule_rows(*q, error);
    if (!error.empty()) return fmt::format("aggregating rule {}: {}", r->id, error);
    if (!rows.empty()) where += " OR " + rows;
  }
  plan.where = where;
  if (plan.correlations.largest > 0) {
    std::string n = store.query(fmt::format("SELECT count() FROM {} WHERE 1{} FORMAT TabSeparated",
                                            store.events_table(), bounds),
                                error);
    if (!error.empty()) return error;
    plan.rows = number(n);
    if (plan.correlations.largest * 2 >= plan.rows) {
      plan.most = true;
      plan.where = "1";
    }
  }
  return "";
}

std::string describe_plan(const FetchPlan& plan) {
  if (plan.everything) return "a single-event rule needs every event, so every row was fetched";
  const CorrelationCounts& c = plan.correlations;
  std::string out = fmt::format(
      "{} correlation rule{} aggregated on the server: {} group{} of {} returned, {} of {} "
      "matching rows pulled",
      c.aggregated, c.aggregated == 1 ? "" : "s", util::thousands(c.firing),
      c.firing == 1 ? "" : "s", util::thousands(c.groups), util::thousands(c.pulled),
      util::thousands(c.matching));
  if (!c.local.empty()) {
    out += fmt::format("; {} ran locally on all their candidate rows:", c.local.size());
    for (size_t i = 0; i < c.local.size(); ++i) out += (i ? ", " : " ") + c.local[i];
  }
  if (plan.most)
    out += fmt::format(
        "; the firing groups of one rule hold half or more of the {} rows, so every row was "
        "fetched (cheaper for the server than testing every rule's condition on each row)",
        util::thousands(plan.rows));
  else
    out += "; single-event rules and alerts: the server selected their candidate rows";
  return out;
}

}  // namespace eksir::backend
