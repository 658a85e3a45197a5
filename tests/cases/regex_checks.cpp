// The regular expressions of Sigma's `|re` (RE2): a pattern accepted or reported, and a field
// matched against one on events.
#include <gtest/gtest.h>

#include "checks.h"
#include "query/query.h"
#include "query/sample_events.h"

namespace eksir::test {
namespace {

bool icase(const Case& c) {
  return c.has("icase") && c.fields["icase"].as<bool>();
}

// `valid`: whether RE2 takes the pattern; a pattern it does not take must say why.
void regex_error(const Case& c) {
  const std::string error = query::regex_error(c.text("pattern"), icase(c));
  if (c.fields["valid"].as<bool>()) {
    EXPECT_EQ(error, "");
  } else {
    EXPECT_NE(error, "");
  }
}

void regex_match(const Case& c) {
  query::Node n;
  n.kind = query::NodeKind::Match;
  n.field = c.text("field");
  n.value.text = c.text("pattern");
  n.value.regex = true;
  n.value.icase = icase(c);
  query::CompiledQuery q = query::compile(n);
  size_t matches = 0;
  for (const auto& item : sample_events(c))
    if (q.matches(item.view)) ++matches;
  EXPECT_EQ(matches, c.number("matches"));
}

}  // namespace

void add_regex_checks(Checks& checks) {
  checks["regex-error"] = regex_error;
  checks["regex-match"] = regex_match;
}

}  // namespace eksir::test
