// ES|QL conditions into the query tree (internal to the ES|QL compiler).
#pragma once

#include <functional>
#include <string>

#include "rules/esql.h"

namespace eksir::rules::esql {

// Thrown inside the compiler, returned as a Result: a construct eksir does not run, or a query
// that is wrong.
struct Unsupported {
  uint32_t line;
  std::string message;
};
struct Invalid {
  uint32_t line;
  std::string message;
};

// Where a condition is true (t) and where it is false (f); elsewhere it is null.
struct Cond {
  query::Node t, f;
};

class CondCompiler {
 public:
  // field(name, line) returns the field a column name reads, or throws when the column is not a
  // field of the events (an EVAL column, one KEEP or DROP removed).
  explicit CondCompiler(std::function<std::string(const std::string&, uint32_t)> field)
      : field_(std::move(field)) {}
  Cond operator()(const Expr& e);

 private:
  struct Operand {
    std::string field;
    char fold = 0;  // 'l': TO_LOWER(field), 'u': TO_UPPER(field)
  };
  Operand operand(const Expr& e);
  query::Pattern literal_pattern(const Operand& o, const Expr& v, bool& lit_ok);
  Cond compare(const Expr& e);
  Cond in(const Expr& e);
  Cond like(const Expr& e);
  Cond call(const Expr& e);

  std::function<std::string(const std::string&, uint32_t)> field_;
};

}  // namespace eksir::rules::esql
