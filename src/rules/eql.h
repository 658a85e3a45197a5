// Elastic EQL (Event Query Language) into the backend-neutral query tree; internal to the rules
// stage (the Elastic loader's). See docs/rules.md (Elastic, EQL) for the syntax and semantics.
//
// `<category> where <condition>` is one tree: the condition and-ed with a test of the category
// field (none for `any`). `sequence` gives one tree per step plus the join fields. Case rules are
// Elastic's: `==`, `!=`, `in`, `like`, `regex` and the string functions are case-sensitive; `:`
// and the `~` forms ignore case. Parsing never throws: bad input is an Error naming the line and
// column; a construct eksir does not run is an Error with `unsupported` set.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "event/event.h"
#include "query/query.h"
#include "rules/rules.h"

namespace eksir::rules::eql {

struct Step {
  std::string category;         // "any", "iam", "process", ...
  query::Node match;            // the condition and the category test
  std::vector<std::string> by;  // the step's own join fields (after the sequence's)
  uint32_t line = 1;            // 1-based line of the step in the query text
};

struct Query {
  bool sequence = false;
  std::vector<std::string> by;  // sequence: join fields common to every step
  TimeNs maxspan = 0;           // sequence: 0 when the query sets none
  std::vector<Step> steps;      // one for an event query
  bool has_until = false;
  Step until;
};

struct Error {
  uint32_t line = 1, column = 1;  // in the query text, 1-based
  std::string message;
  bool unsupported = false;  // valid EQL eksir does not run (vs. a syntax error)
};

struct Options {
  std::string category_field = "event.category";  // the rule's event_category_override
  size_t max_depth = 64;
};

using Result = std::variant<Query, Error>;
Result parse(std::string_view text, const Options& options = {});

// Categories of Elastic Defend (endpoint) events: eksir reads no such evidence.
bool is_endpoint_category(std::string_view category);

// An Elastic EQL rule's query into `r` (condition, match, correlation, subject).
struct Compiled {
  enum Outcome : uint8_t { Loaded, Skipped, Failed } outcome = Loaded;
  std::string message;  // Skipped: the reason; Failed: the syntax error
  uint64_t line = 0;    // line of the file the message is about (0: the query's first)
  std::vector<std::string> warnings;
};
// first_line: the file's line holding the query's first line. No maxspan: no time limit.
Compiled compile_rule(std::string_view query, const std::string& category_field,
                      uint64_t first_line, Rule& r);

// The window of a sequence without maxspan.
inline constexpr TimeNs kNoMaxspan = INT64_MAX;

}  // namespace eksir::rules::eql
