// Regular-expression patterns (Sigma `|re`) run on RE2: linear time whatever the pattern or value.
#include <gtest/gtest.h>

#include "query/query.h"
#include "sample_events.h"

namespace eksir::query {
namespace {

Node regex_match(const std::string& field, const std::string& re, bool icase) {
  Node n;
  n.kind = NodeKind::Match;
  n.field = field;
  n.value.text = re;
  n.value.regex = true;
  n.value.icase = icase;
  return n;
}

TEST(Regex, SyntaxOutsideRe2IsReportedNotSilentlyUnmatched) {
  EXPECT_EQ(regex_error("^arn:aws:iam::[0-9]{12}:user/.*$", false), "");
  EXPECT_NE(regex_error("(?<=a)b", false), "");  // lookbehind
  EXPECT_NE(regex_error("(a)\\1", false), "");   // backreference
  EXPECT_NE(regex_error("([unclosed", true), "");
}

TEST(Regex, MatchesCaseRulesAndHugeValuesWithoutBlowingTheStack) {
  std::string big(1 << 20, 'a');
  auto events = test::SampleEvents::text(
      "{\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"eventTime\":\"2026-03-"
      "14T09:00:00Z\","
      "\"eventVersion\":\"1.08\",\"userAgent\":\"" +
          big + "c\"}",
      Source::CloudTrail);
  ASSERT_EQ(events->size(), 1u);
  const EventView& ev = (*events)[0];
  EXPECT_TRUE(compile(regex_match("eventName", "^Create(User|Role)$", false)).matches(ev));
  EXPECT_FALSE(compile(regex_match("eventName", "^createuser$", false)).matches(ev));
  EXPECT_TRUE(compile(regex_match("eventName", "^createuser$", true)).matches(ev));
  // A backtracking engine recurses once per repetition here; RE2 does not.
  EXPECT_TRUE(compile(regex_match("userAgent", "^(a|b)*c$", false)).matches(ev));
  EXPECT_FALSE(compile(regex_match("userAgent", "^(a|b)*d$", false)).matches(ev));
}

}  // namespace
}  // namespace eksir::query
