// Literals a text must contain: what a query says about the raw text of the records it can match,
// handed from the query stage to the readers, which skip text that cannot hold a match.
#pragma once

#include <string>
#include <vector>

namespace eksir::util {

struct Literal {
  std::string text;    // printable ASCII that JSON encoders never escape
  bool icase = false;  // found ignoring ASCII case

  bool operator==(const Literal&) const = default;
};

// A conjunction of disjunctions: every clause must hold, and a clause holds when one of its
// literals occurs. No clause: nothing is required (every text may match).
using LiteralClauses = std::vector<std::vector<Literal>>;

}  // namespace eksir::util
