// Test helper: an EQL query's tree as text, with the pattern flags query::to_string does not show.
#pragma once

#include <string>

#include "query/query.h"

namespace eksir::test {

// A tree as text, with the pattern's flags: i (ignore case), w (wildcard offsets), re (regex).
inline std::string show_tree(const query::Node& n) {
  std::string out;
  switch (n.kind) {
    case query::NodeKind::All:
      return "all";
    case query::NodeKind::And:
    case query::NodeKind::Or:
      out = n.kind == query::NodeKind::And ? "(and" : "(or";
      for (const auto& c : n.children) out += " " + show_tree(c);
      return out + ")";
    case query::NodeKind::Not:
      return "(not " + show_tree(n.children.at(0)) + ")";
    case query::NodeKind::Exists:
      return "(exists " + n.field + ")";
    case query::NodeKind::Range:
      return "(" + n.field + " " + std::string(query::range_op_text(n.op)) + " " + n.value.text +
             ")";
    case query::NodeKind::Match: {
      out = "(" + n.field + " " + (n.value.quoted ? "\"" + n.value.text + "\"" : n.value.text);
      if (n.value.icase) out += " i";
      if (n.value.regex) out += " re";
      if (n.value.cidr) out += " cidr";
      if (!n.value.wildcards.empty()) {
        out += " ";
        for (uint32_t w : n.value.wildcards) out += "w" + std::to_string(w);
      }
      return out + ")";
    }
    case query::NodeKind::Custom:
      return "(custom " + n.predicate->text() + ")";
    default:
      return "?";
  }
}

}  // namespace eksir::test
