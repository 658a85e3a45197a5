// KQL (Kibana Query Language): parser, backend-neutral tree, local evaluator. The one public
// header of the query stage.
//
// Syntax (Kibana's grammar, with the deviations noted):
//   field:value            value unquoted (may contain spaces: `message:hello world`) or "quoted"
//   field:"a \"b\""        quoted phrase; escapes \" \\ \t \r \n \uXXXX (other backslashes kept)
//   field:(a or b and c)   value lists with and/or/not and parentheses
//   a and b, a or b, not a keywords in any letter case; precedence not > and > or; parentheses
//   field:*                exists
//   field:Li*t, *x, x*     wildcards in unquoted values; `\*` is a literal star
//   field >= 400           range: < <= > >= on numbers, timestamps ("2026-03-14T09:00:00Z") and
//                          date math (now, now-24h, now-7d/d); else strings
//   field:{ a:1 and b:2 }  nested: one element of field satisfies the whole subquery
//   value                  bare value: free text
//   escapes in unquoted values: \: \( \) \\ \" \* \< \> \{ \} \t \r \n \uXXXX, \and \or \not, and
//                          `\ ` (a space; spaces need no escape unless `and`/`or`/`not` follow)
// Deviations from Kibana: a trailing `and`/`or` is an error (Kibana would read it as part of the
// value); `not(...)` and `or(`... need no space before '('; `not` inside a word (`cannot`) is
// not a keyword; `not not x` is allowed; wildcards in field names are an error.
//
// Evaluation semantics (local evaluator, CompiledQuery::matches):
//   - A field is named by its ECS name or native path (see event/fields.h and docs/fields.md).
//     Arrays are flattened: a field matches when any of its values matches.
//   - String match is exact and case-sensitive (like Elastic keyword fields). Wildcards: `*`
//     matches any run of characters, also case-sensitive.
//   - A value that parses as a number matches JSON numbers numerically and strings equal to its
//     text (403 matches 403 and "403"). true/false match JSON booleans and the strings "true" /
//     "false". Quoting does not change this (only wildcards: a quoted `*` is a literal star).
//   - A wildcard pattern matches numbers and booleans through their JSON text.
//   - On time fields (@timestamp, eventTime, stageTimestamp...), a value that parses as a
//     timestamp also matches a string holding the same instant in another format.
//   - Objects never match a value; they exist. Exists (`field:*`) is true when the field has a
//     non-null value.
//   - Range: numerically when both sides are numbers (a numeric string counts as a number);
//     as instants when the value is a timestamp or date math and the field's string parses as
//     a timestamp (JSON numbers on time fields are ignored); else the field's strings are
//     compared with the value byte-wise (lexicographically).
//   - not x is true when x is false, so `not field:v` is true when the field is absent (as in
//     Elastic).
//   - Free text (a bare value) matches when some string value anywhere in the event contains
//     it, ignoring ASCII case (keys are not searched); with wildcards, when some string value
//     matches the whole pattern ignoring case; a numeric value also matches equal numbers.
//   - Nested `field:{ sub }`: true when some object reached by field (each element of an
//     array) satisfies sub, whose fields are native paths relative to that object.
//   - An empty query matches everything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "event/event.h"
#include "event/fields.h"
#include "util/literals.h"

namespace eksir::query {

// A value as written in the query.
struct Pattern {
  std::string text;  // escapes resolved
  bool quoted = false;
  // Byte offsets in text of the wildcard '*'s (a '*' not listed is a literal star).
  std::vector<uint32_t> wildcards;
  // Set by rule translators (Sigma), never by the KQL parser: compare strings ignoring ASCII
  // case; `regex`: text is an RE2 regular expression searched in string values.
  // `fieldref`: text names another field; matches when a value of the field equals a value of
  // that one (compared as text; top-level fields only).
  bool icase = false;
  bool regex = false;
  bool fieldref = false;
  // `cidr`: text is an IPv4 or IPv6 prefix (10.0.0.0/8, 2001:db8::/32); matches string values
  // holding an address inside it. Set by Sigma's |cidr, and by the KQL parser for a prefix on an
  // address field (event/fields.h is_ip_field).
  bool cidr = false;
  // A wildcard pattern also matches an object through its minified JSON text (allocates).
  bool objects = false;

  bool has_wildcards() const { return !wildcards.empty(); }
  // A plain value: equal text is the only way to match (no wildcard, regex, case folding or
  // field reference), so routing and prefilters may key on it.
  bool plain() const { return wildcards.empty() && !icase && !regex && !fieldref && !cidr; }
  bool is_wildcard(size_t offset) const;
  // The literal runs between wildcards (with a leading/trailing "" when the pattern starts/ends
  // with a wildcard): "a*b*" → {"a", "b", ""}.
  std::vector<std::string> segments() const;
};

enum class NodeKind : uint8_t { All, And, Or, Not, Match, Exists, Range, Nested, FreeText, Custom };
enum class RangeOp : uint8_t { Lt, Le, Gt, Ge };
std::string_view range_op_text(RangeOp op);  // "<", "<=", ">", ">="

// A test a rule translator supplies for semantics no other node has (Falco's filter fields):
// evaluated on the whole event (also inside a nested query), never routed or prefiltered.
class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual bool matches(const EventView& ev) const = 0;
  // False when no event of that source can satisfy it.
  virtual bool applies_to(Source s) const = 0;
  virtual std::string text() const = 0;  // for to_string
};

// The backend-neutral tree. And/Or have two or more children, Not and Nested one.
struct Node {
  NodeKind kind = NodeKind::All;
  uint32_t column = 1;       // 1-based column (in characters) where the node starts in the query
  std::string field;         // Match, Exists, Range, Nested (inside Nested: relative to it)
  Pattern value;             // Match, Range, FreeText
  RangeOp op = RangeOp::Lt;  // Range
  std::vector<Node> children;
  std::shared_ptr<const Predicate> predicate;  // Custom
};

// Building trees (rule translators): `kind` (And or Or) over the children, flattening children of
// the same kind ((a and (b and c)) is (a and b and c)); one child is returned as it is.
Node combine(NodeKind kind, std::vector<Node> children);
Node negate(Node child);
Node exists_node(const std::string& field);

// Debugging/tests: (and (match verb create) (not (exists x)) (range code >= 400) ...).
std::string to_string(const Node& node);
// Field names in order of first use, without repeats; a field inside a nested query is given
// with the nested field's name in front (`requestObject.spec.containers.image`).
std::vector<std::string> fields(const Node& node);

struct ParseError {
  size_t column = 0;    // 1-based, in characters
  std::string message;  // "column 17: expected ')' to close the '(' at column 3"
};

struct Query {
  std::string text;
  Node root;
  std::vector<std::string> unknown_fields;  // fields for which FieldRef(name).known() is false
  std::vector<std::string> warnings;        // one human-readable line per unknown field
};

class ParseResult {
 public:
  ParseResult(Query q) : v_(std::move(q)) {}
  ParseResult(ParseError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const Query& value() const { return std::get<0>(v_); }
  Query& value() { return std::get<0>(v_); }
  const Query& operator*() const { return value(); }
  const Query* operator->() const { return &value(); }
  const ParseError& error() const { return std::get<1>(v_); }

 private:
  std::variant<Query, ParseError> v_;
};

struct ParseOptions {
  size_t max_depth = 64;  // nesting of parentheses, not, value lists and nested queries
};

// Never throws for bad input: a syntax error is a ParseError.
ParseResult parse(std::string_view text, const ParseOptions& options = {});

struct CompileOptions {
  TimeNs now = kNoTime;  // the instant `now` in date math stands for; kNoTime = the clock
};

// A query bound to fields once; matching allocates nothing. Copies share the compiled form;
// matches() is safe to call from several threads at once.
class CompiledQuery {
 public:
  CompiledQuery();  // matches everything
  bool matches(const EventView& ev) const;
  // False when no event of that source can match (e.g. every field of an AND is absent there).
  bool may_match(Source s) const;
  // Prefilter for scanners: byte strings that the raw text of every matching event contains
  // (from exact or wildcard string values of native-path fields on the AND path; not from
  // numbers, booleans, timestamps, computed fields, free text, NOT or OR). They hold only
  // printable ASCII that JSON encoders never escape (no quote, backslash, slash, < > & '),
  // so they are found even in an event carried as an escaped JSON string. Empty when nothing
  // is safe; then every event must be parsed.
  const std::vector<std::string>& required_literals() const;
  const Node& root() const;

  struct Impl;

 private:
  friend CompiledQuery compile(const Node& root, const CompileOptions& options);
  explicit CompiledQuery(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

CompiledQuery compile(const Node& root, const CompileOptions& options = {});

// For the readers' prefilter (sources::ScanOptions::prefilter): literals that the raw text around
// every record `root` can match contains (the line, or the whole document), stricter than
// required_literals(): every AND branch adds its clauses; an OR joins one clause of each side, or
// requires nothing when a side does; NOT, exists, ranges, numbers, booleans, timestamps on time
// fields, regexes, address prefixes and fields whose values are computed require nothing; a
// wildcard gives its literal runs, and free text and case-insensitive values give literals found
// ignoring case. Only the longest run of characters that JSON never escapes (printable ASCII but
// " \ / < > & ') of each value is taken, so a record embedded in a JSON string is found too.
util::LiteralClauses text_literals(const Node& root);

// Why a Pattern::regex would not compile (RE2 syntax: no backreferences or lookaround); empty
// when it compiles. Loaders report such rules instead of running a pattern that never matches.
std::string regex_error(const std::string& pattern, bool icase);

// Date math: "now", "now-24h", "now+1d", "now-7d/d" (units y M w d h H m s; /unit rounds down).
// Returns kNoTime when the text is not date math (or now is kNoTime). Past the instants a TimeNs
// holds (about 1677 to 2262) the result saturates at the earliest or latest one.
TimeNs parse_date_math(std::string_view text, TimeNs now);

}  // namespace eksir::query
