// ES|QL pipeline → one filter plus an optional count / distinct-count correlation. Commands that
// only shape the output (KEEP, DROP, SORT, LIMIT at the end, EVAL columns nothing reads) are
// passed over; anything that changes which events or groups match is compiled exactly or
// reported with its line.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "rules/esql_cond.h"

namespace eksir::rules::esql {
namespace {

using Kind = Expr::Kind;

// KEEP / DROP column patterns: `*` matches any run of characters.
bool glob(std::string_view p, std::string_view s) {
  size_t star = std::string_view::npos, back = 0, i = 0, j = 0;
  while (j < s.size()) {
    if (i < p.size() && p[i] == '*') {
      star = i++;
      back = j;
    } else if (i < p.size() && p[i] == s[j]) {
      ++i;
      ++j;
    } else if (star != std::string_view::npos) {
      i = star + 1;
      j = ++back;
    } else {
      return false;
    }
  }
  while (i < p.size() && p[i] == '*') ++i;
  return i == p.size();
}

// `10 seconds` → 10 s; 0 when the unit is not of a fixed length.
TimeNs span_ns(const Expr& e) {
  if (e.kind != Kind::Span) return 0;
  std::string u;
  for (char c : e.unit) u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (u.size() > 1 && u.back() == 's') u.pop_back();
  static const std::map<std::string, TimeNs> units = {
      {"millisecond", 1'000'000},      {"m", 1'000'000},
      {"second", 1'000'000'000LL},     {"sec", 1'000'000'000LL},
      {"minute", 60'000'000'000LL},    {"min", 60'000'000'000LL},
      {"hour", 3'600'000'000'000LL},   {"h", 3'600'000'000'000LL},
      {"day", 86'400'000'000'000LL},   {"d", 86'400'000'000'000LL},
      {"week", 604'800'000'000'000LL}, {"w", 604'800'000'000'000LL}};
  auto it = units.find(u);
  if (it == units.end() || u == "m") return 0;  // "ms" without its s: ambiguous, not accepted
  char* end = nullptr;
  double n = std::strtod(e.text.c_str(), &end);
  if (n <= 0 || n > 1e6) return 0;
  return static_cast<TimeNs>(n * static_cast<double>(it->second));
}

// DATE_TRUNC(<span>, @timestamp) → the bucket; 0 when e is not that.
TimeNs bucket_of(const Expr& e) {
  if (e.kind != Kind::Call || e.text != "DATE_TRUNC" || e.args.size() != 2) return 0;
  if (e.args[1].kind != Kind::Field || e.args[1].text != "@timestamp") return 0;
  return span_ns(e.args[0]);
}

struct Aggregate {
  enum class Type : uint8_t { CountAll, CountField, Distinct, Other } type = Type::Other;
  std::string fn, field;
  uint32_t line = 0;
};

class Pipeline {
 public:
  explicit Pipeline(TimeNs lookback) : lookback_(lookback) {}

  Compiled run(const std::vector<Command>& cmds) {
    if (cmds[0].name != "FROM")
      throw Unsupported{cmds[0].line, fmt::format("source command `{}` is not supported "
                                                  "(FROM only)",
                                                  cmds[0].name)};
    out_.indices = cmds[0].indices;
    for (size_t i = 1; i < cmds.size(); ++i) command(cmds[i]);
    out_.match = filters_.empty() ? query::Node{}
                                  : query::combine(query::NodeKind::And, std::move(filters_));
    if (stats_) finish_stats();
    return std::move(out_);
  }

 private:
  void command(const Command& c) {
    const std::string& n = c.name;
    if (limit_ && (n == "WHERE" || n == "STATS"))
      throw Unsupported{limit_, "LIMIT before WHERE or STATS (it changes which rows match)"};
    if (n == "WHERE") {
      if (stats_) {
        post_where_.push_back(&c.cond);
        return;
      }
      CondCompiler cc([this](const std::string& col, uint32_t line) { return field(col, line); });
      filters_.push_back(cc(c.cond).t);
    } else if (n == "EVAL") {
      for (const auto& a : c.assigns) {
        if (a.name.empty()) continue;  // its column is named by its text: output only
        TimeNs b = stats_ ? 0 : bucket_of(a.value);
        columns_[a.name] = {a.line, b, stats_};
      }
    } else if (n == "STATS") {
      if (stats_)
        throw Unsupported{
            c.line,
            fmt::format("a second STATS (after the one at line {}) is not supported", stats_)};
      stats_ = c.line;
      stats(c);
    } else if (n == "KEEP" || n == "DROP") {
      if (!stats_) shapes_.push_back({n == "KEEP", c.line, c.columns});
    } else if (n == "LIMIT") {
      limit_ = c.line;
    } else if (n == "SORT") {
      // output order only
    } else if (n == "LOOKUP") {
      throw Unsupported{c.line, "ES|QL command `LOOKUP JOIN` is not supported"};
    } else {
      throw Unsupported{c.line, fmt::format("ES|QL command `{}` is not supported", n)};
    }
  }

  // The event field a column reads before STATS; throws for an EVAL column or a removed one.
  std::string field(const std::string& col, uint32_t line, const char* by = "WHERE") {
    auto it = columns_.find(col);
    if (it != columns_.end() && !it->second.after_stats)
      throw Unsupported{line, fmt::format("{} on an EVAL column (`{}`, line {}) is not supported",
                                          by, col, it->second.line)};
    for (const auto& s : shapes_) {
      bool listed = std::any_of(s.columns.begin(), s.columns.end(),
                                [&](const std::string& p) { return glob(p, col); });
      if (listed != s.keep)
        throw Invalid{line, fmt::format("column `{}` was removed by the {} at line {}", col,
                                        s.keep ? "KEEP" : "DROP", s.line)};
    }
    if (std::find(out_.fields.begin(), out_.fields.end(), col) == out_.fields.end())
      out_.fields.push_back(col);
    return col;
  }

  void stats(const Command& c) {
    for (const auto& a : c.assigns) {
      if (a.where)
        throw Unsupported{a.line, "`STATS … WHERE` (an aggregate over some rows) is not supported"};
      Aggregate g;
      g.line = a.line;
      const Expr& v = a.value;
      if (v.kind != Kind::Call) {
        aggregates_[a.name] = g;
        continue;
      }
      g.fn = v.text;
      bool one_field = v.args.size() == 1 && v.args[0].kind == Kind::Field;
      if (v.text == "COUNT" && (v.args.empty() || v.args[0].kind == Kind::Star)) {
        g.type = Aggregate::Type::CountAll;
      } else if (v.text == "COUNT" && one_field) {
        g.type = Aggregate::Type::CountField;
        g.field = v.args[0].text;
      } else if (v.text == "COUNT_DISTINCT" && !v.args.empty() && v.args[0].kind == Kind::Field &&
                 (v.args.size() == 1 || (v.args.size() == 2 && v.args[1].kind == Kind::Number))) {
        g.type = Aggregate::Type::Distinct;
        g.field = v.args[0].text;
      }
      if (!a.name.empty()) aggregates_[a.name] = g;
    }
    for (const auto& b : c.by) {
      const Expr& v = b.value;
      TimeNs bucket = bucket_of(v);
      if (!bucket && v.kind == Kind::Field) {
        auto it = columns_.find(v.text);
        if (it != columns_.end()) {
          if (!it->second.bucket)
            throw Unsupported{b.line, fmt::format("`STATS … BY` on an EVAL column (`{}`, line {}) "
                                                  "is not supported",
                                                  v.text, it->second.line)};
          bucket = it->second.bucket;
        }
      }
      if (v.kind == Kind::Call && v.text == "DATE_TRUNC" && !bucket)
        throw Unsupported{b.line, "DATE_TRUNC other than of @timestamp by a fixed span"};
      if (bucket) {
        if (out_.correlation.window) throw Unsupported{b.line, "two DATE_TRUNC buckets in BY"};
        out_.correlation.window = bucket;
        keys_.push_back(b.name.empty() ? v.text : b.name);
        continue;
      }
      if (v.kind != Kind::Field)
        throw Unsupported{b.line, "`STATS … BY` on an expression is not supported"};
      out_.correlation.group_by.push_back(field(v.text, b.line, "`STATS … BY`"));
      keys_.push_back(b.name.empty() ? v.text : b.name);
    }
    if (out_.correlation.group_by.empty())
      throw Unsupported{c.line,
                        "STATS without a BY field (one group of every event) is not "
                        "supported"};
  }

  // One lower bound `agg >= n` or `agg > n` of the condition after STATS.
  struct Bound {
    std::string agg;
    uint64_t n;
  };

  void bounds(const Expr& e, std::vector<Bound>& out) {
    if (e.kind == Kind::And) {
      bounds(e.args[0], out);
      bounds(e.args[1], out);
      return;
    }
    if (e.kind != Kind::Compare)
      throw Unsupported{e.line, "a condition after STATS other than lower bounds joined by AND"};
    const Expr* col = &e.args[0];
    const Expr* num = &e.args[1];
    std::string op = e.text;
    if (col->kind == Kind::Number) {
      std::swap(col, num);
      if (op[0] == '<' || op[0] == '>') op = (op[0] == '<' ? ">" : "<") + op.substr(1);
    }
    if (col->kind != Kind::Field)
      throw Unsupported{e.line, "a condition after STATS on an expression is not supported"};
    if (std::find(keys_.begin(), keys_.end(), col->text) != keys_.end())
      throw Unsupported{e.line, fmt::format("a condition on the group key `{}` after STATS is not "
                                            "supported",
                                            col->text)};
    auto col_it = columns_.find(col->text);
    if (col_it != columns_.end() && col_it->second.after_stats)
      throw Unsupported{e.line, fmt::format("a condition on the EVAL column `{}` after STATS is "
                                            "not supported",
                                            col->text)};
    auto it = aggregates_.find(col->text);
    if (it == aggregates_.end())
      throw Invalid{e.line, fmt::format("unknown column `{}` after STATS", col->text)};
    const Aggregate& g = it->second;
    if (g.type == Aggregate::Type::Other)
      throw Unsupported{e.line, fmt::format("a condition on the aggregate `{}` is not supported "
                                            "(COUNT and COUNT_DISTINCT only)",
                                            g.fn.empty() ? col->text : g.fn + "()")};
    if (num->kind != Kind::Number ||
        num->text.find_first_not_of("0123456789") != std::string::npos || num->text.size() > 9)
      throw Unsupported{e.line, "a bound on a count other than a whole number"};
    uint64_t n = std::stoull(num->text);
    if (op == ">")
      ++n;
    else if (op != ">=")
      throw Unsupported{e.line,
                        fmt::format("`{}` on a count is not a threshold (only `>=`, `>`)", op)};
    out.push_back({col->text, std::max<uint64_t>(n, 1)});
  }

  void finish_stats() {
    std::vector<Bound> bs;
    for (const Expr* w : post_where_) bounds(*w, bs);
    // The deciding aggregate: the one bound that is not on COUNT(*); a bound on COUNT(*) is
    // implied by one at least as high on COUNT(f) or COUNT_DISTINCT(f) (rows >= values).
    std::optional<Bound> decide;
    uint64_t count_all = 1;
    for (const auto& b : bs) {
      const Aggregate& g = aggregates_.at(b.agg);
      if (g.type == Aggregate::Type::CountAll) {
        count_all = std::max(count_all, b.n);
        continue;
      }
      if (decide && aggregates_.at(decide->agg).field != g.field)
        throw Unsupported{g.line, "a condition on several aggregates is not supported"};
      if (decide && aggregates_.at(decide->agg).type != g.type)
        throw Unsupported{g.line, "a condition on several aggregates is not supported"};
      if (!decide || b.n > decide->n) decide = b;
    }
    Correlation& c = out_.correlation;
    if (!c.window) c.window = lookback_;
    if (!decide) {
      c.type = CorrelationType::Count;
      c.threshold = count_all;
      return;
    }
    const Aggregate& g = aggregates_.at(decide->agg);
    if (count_all > decide->n)
      throw Unsupported{g.line, "a condition on several aggregates is not supported"};
    std::string f = field(g.field, g.line, "`STATS` of a count");
    c.threshold = decide->n;
    if (g.type == Aggregate::Type::Distinct) {
      c.type = CorrelationType::DistinctCount;
      c.field = f;
    } else {
      c.type = CorrelationType::Count;  // COUNT(f) counts the rows where f has a value
      out_.match = query::combine(query::NodeKind::And, {out_.match, query::exists_node(f)});
    }
  }

  struct Column {
    uint32_t line;
    TimeNs bucket;  // > 0: DATE_TRUNC(span, @timestamp)
    uint32_t after_stats;
  };
  struct Shape {
    bool keep;
    uint32_t line;
    std::vector<std::string> columns;
  };

  TimeNs lookback_;
  Compiled out_;
  std::vector<query::Node> filters_;
  std::map<std::string, Column> columns_;
  std::vector<Shape> shapes_;
  std::map<std::string, Aggregate> aggregates_;
  std::vector<std::string> keys_;
  std::vector<const Expr*> post_where_;
  uint32_t stats_ = 0, limit_ = 0;
};

}  // namespace

Result compile(std::string_view text, TimeNs lookback, uint32_t first_line) {
  Result r;
  std::vector<Command> cmds = parse(text, r.issue, first_line);
  if (!r.issue.message.empty()) return r;
  try {
    r.compiled = Pipeline(lookback).run(cmds);
    r.status = Result::Status::Compiled;
  } catch (const Unsupported& u) {
    r.status = Result::Status::Unsupported;
    r.issue = {u.line, u.message};
  } catch (const Invalid& i) {
    r.issue = {i.line, i.message};
  }
  return r;
}

}  // namespace eksir::rules::esql
