// Regular-expression patterns (Sigma `|re`) run on RE2: linear time whatever the pattern or value.
// Patterns accepted or reported, and matches with and without case, are data:
// tests/cases/query/regex_patterns.yaml and regex_matches.yaml.
#include <gtest/gtest.h>

#include "query/query.h"
#include "sample_events.h"

namespace eksir::query {
namespace {

Node regex_match(const std::string& field, const std::string& re) {
  Node n;
  n.kind = NodeKind::Match;
  n.field = field;
  n.value.text = re;
  n.value.regex = true;
  return n;
}

TEST(Regex, MatchesHugeValuesWithoutBlowingTheStack) {
  std::string big(1 << 20, 'a');
  auto events = test::SampleEvents::text(
      "{\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"eventTime\":\"2026-03-"
      "14T09:00:00Z\","
      "\"eventVersion\":\"1.08\",\"userAgent\":\"" +
          big + "c\"}",
      Source::CloudTrail);
  ASSERT_EQ(events->size(), 1u);
  const EventView& ev = (*events)[0];
  // A backtracking engine recurses once per repetition here; RE2 does not.
  EXPECT_TRUE(compile(regex_match("userAgent", "^(a|b)*c$")).matches(ev));
  EXPECT_FALSE(compile(regex_match("userAgent", "^(a|b)*d$")).matches(ev));
}

}  // namespace
}  // namespace eksir::query
