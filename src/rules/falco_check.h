// Private to rules/: a parsed Falco condition compiled to the query tree, with macros and lists
// expanded, and a rule's output string bound to its fields.
//
// Checks on fields that read one native string (ka.verb, ka.target.resource, ka.user.name,
// jevt.value[/stage]...) with = != in intersects exists startswith endswith contains become
// ordinary Match / Exists nodes, so the engine routes and prefilters on them; every other check
// is a Custom node evaluating Falco's semantics (falco_fields.h): a missing field fails every
// operator; list fields take only exists, `in` (every value in the set) and `intersects` (some
// value in the set); on one value, in and intersects test membership; < <= > >= compare numbers
// when both sides are numbers, else bytes; glob and iglob are fnmatch patterns; pmatch is a path
// prefix; regex is an RE2 full match.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "query/query.h"
#include "rules/falco_condition.h"
#include "rules/falco_fields.h"

namespace eksir::rules::falco {

// Why a rule cannot load: the feature eksir does not support, or an error in the rule.
struct Unsupported {
  std::string feature;
};

struct Definitions {
  std::map<std::string, std::vector<std::string>> lists;
  std::map<std::string, std::string> macros;  // name → condition text
};

class Compiler {
 public:
  // source: the rule's event source (k8s_audit or aws_cloudtrail); a field of the other source
  // is Unsupported, as Falco rejects it.
  Compiler(const Definitions& defs, FieldSource source) : defs_(defs), source_(source) {}
  // Throws Unsupported.
  query::Node compile(const Expr& e);
  // Items of the values, with list names expanded (recursively).
  std::vector<std::string> expand(const std::vector<Value>& values);

 private:
  query::Node check(const Expr& e);
  void expand_into(const std::string& item, std::vector<std::string>& out, int depth);
  const Definitions& defs_;
  FieldSource source_;
  std::map<std::string, Expr> parsed_;
  std::set<std::string> visiting_;
};

// A rule's output with its %fields rendered for one event: list fields as (a,b), a missing
// value as <NA>. Unknown fields are listed in `unknown` and render as <NA>.
std::function<std::string(const EventView&)> compile_output(const std::string& output,
                                                            std::vector<std::string>& unknown);

}  // namespace eksir::rules::falco
