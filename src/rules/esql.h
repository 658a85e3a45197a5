// ES|QL detection queries (Elastic `type = "esql"` rules), internal to the rules stage: a reader
// of the pipeline and a compiler of the subset eksir runs, a filter alone or a filter with one
// `STATS COUNT(*) | COUNT_DISTINCT(f) BY fields` and a lower bound on that aggregate. Any other
// construct is reported with its line, never approximated. See docs/rules.md (Elastic, ES|QL).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/query.h"
#include "rules/rules.h"

namespace eksir::rules::esql {

// An expression of a command (WHERE, EVAL, STATS ... BY) as written.
struct Expr {
  enum class Kind : uint8_t {
    Field,    // text: the column name (backquotes removed)
    String,   // text: the value (escapes resolved)
    Number,   // text: as written
    Bool,     // text: "true" / "false"
    Null,     //
    Span,     // a time span `10 seconds`: text the number, unit the unit
    Star,     // `*` as the argument of COUNT
    Call,     // text: the function name, upper-cased; args
    Not,      // args[0]
    And,      // args (2)
    Or,       // args (2)
    Compare,  // text: == != < <= > >=; args (2)
    Arith,    // text: + - * / %; args (2), or one for a unary minus
    In,       // args[0] IN (args[1..]); negated for NOT IN
    Like,     // args[0] LIKE args[1]; negated for NOT LIKE
    RLike,    // args[0] RLIKE args[1]; negated for NOT RLIKE
    IsNull,   // args[0] IS NULL; negated for IS NOT NULL
  };
  Kind kind = Kind::Null;
  std::string text, unit;
  bool negated = false;
  std::vector<Expr> args;
  uint32_t line = 1;  // 1-based, in the query text
};

// `name = expr` (name "" when the expression stands alone), with an optional `WHERE` filter
// (STATS aggregates only).
struct Assign {
  std::string name;
  Expr value;
  std::unique_ptr<Expr> where;
  uint32_t line = 1;
};

struct Command {
  std::string name;  // upper-cased: FROM, WHERE, EVAL, STATS, KEEP, DROP, SORT, LIMIT, GROK...
  uint32_t line = 1;
  std::vector<std::string> indices;  // FROM
  Expr cond;                         // WHERE
  std::vector<Assign> assigns;       // EVAL; STATS aggregates
  std::vector<Assign> by;            // STATS ... BY
  std::vector<std::string> columns;  // KEEP, DROP: the patterns (may hold `*`)
};

// A problem at a line of the query: a syntax error, or a construct eksir does not run.
struct Issue {
  uint32_t line = 0;
  std::string message;
};

// Splits the query into commands and parses those eksir reads (FROM, WHERE, EVAL, STATS, KEEP,
// DROP, SORT, LIMIT); other commands keep their name and line only. On a syntax error, sets
// `error` and returns what was read before it. `first_line`: the line number of the query's
// first line (lines are counted in the file that holds it).
std::vector<Command> parse(std::string_view text, Issue& error, uint32_t first_line = 1);

struct Compiled {
  query::Node match;  // the filter
  Correlation correlation;
  std::vector<std::string> indices;  // FROM's index patterns
  std::vector<std::string> fields;   // fields the filter and the aggregation read
};

// Outcome of compiling one query: compiled, not supported (`issue` names the construct), or
// wrong (`issue` says what).
struct Result {
  enum class Status : uint8_t { Compiled, Unsupported, Error } status = Status::Error;
  Compiled compiled;
  Issue issue;
};

// `lookback`: the rule's look-back (`from = "now-6m"` → 6m), the window of a STATS without a
// DATE_TRUNC bucket.
Result compile(std::string_view text, TimeNs lookback, uint32_t first_line = 1);

}  // namespace eksir::rules::esql
