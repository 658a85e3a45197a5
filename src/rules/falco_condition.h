// Private to rules/: Falco's filter language (rule and macro conditions) parsed into a small tree,
// before macros and lists are expanded.
//
// Grammar: `or` over `and` over `not`; parentheses; a check is `field op value`, `field op (a, b,
// "c")` or `field exists`; a bare identifier is a macro name. Fields may carry an argument in
// brackets (`ka.uri.param[command]`, `jevt.value[/stage]`). Values are "double" or 'single'
// quoted (with \ escapes) or bare words ending at a blank, a comma or a parenthesis.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eksir::rules::falco {

struct Value {
  std::string text;
  bool quoted = false;  // a quoted item is never a list name
};

struct Expr {
  enum class Kind : uint8_t { And, Or, Not, Check, Macro };
  Kind kind = Kind::Check;
  std::vector<Expr> children;  // And, Or (two or more), Not (one)
  std::string field;           // Check: the field with its [argument]
  std::string op;              // Check: "=", "!=", "exists", "in", "startswith"...
  std::vector<Value> values;   // Check: the right-hand side
  bool list = false;           // Check: the right-hand side was written as ( ... )
  std::string name;            // Macro
};

// The binary operators Falco's language has (besides the unary `exists`).
bool is_operator(std::string_view op);

// Parses a condition; on a syntax error returns false with `error` naming the offset.
bool parse_condition(std::string_view text, Expr& out, std::string& error);

}  // namespace eksir::rules::falco
