// KQL evaluator: date math, source routing, the empty query, copies. The cases of a query on sample
// events are data: tests/cases/query/kql_eval*.yaml.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "query/query.h"
#include "query/sample_events.h"

namespace eksir::query {
namespace {

using test::SampleEvents;

const SampleEvents& exec_pod() {
  static std::shared_ptr<SampleEvents> events =
      SampleEvents::file(std::string(test::kAuditDir) + "exec_pod.json", Source::K8sAudit);
  return *events;
}

constexpr Source CT = Source::CloudTrail;
constexpr Source K8S = Source::K8sAudit;
constexpr Source GD = Source::GuardDuty;
constexpr Source FALCO = Source::Falco;
constexpr Source OCSF = Source::Ocsf;

TEST(KqlEval, DateMathUsesNow) {
  const SampleEvents& ev = exec_pod();
  CompileOptions opts;
  opts.now = parse_time("2018-10-27T00:00:00Z");
  auto q = [&](const char* text) { return compile(parse(text)->root, opts).matches(ev[0]); };
  EXPECT_TRUE(q("@timestamp > now-1d"));
  EXPECT_FALSE(q("@timestamp > now-10h"));
  EXPECT_TRUE(q("@timestamp >= now-1d/d"));
  EXPECT_TRUE(q("@timestamp < now"));
  EXPECT_FALSE(q("@timestamp >= now/d"));
}

TEST(KqlEval, DateMath) {
  const TimeNs now = parse_time("2026-03-31T10:20:30.5Z");
  EXPECT_EQ(parse_date_math("now", now), now);
  EXPECT_EQ(parse_date_math("now-24h", now), parse_time("2026-03-30T10:20:30.5Z"));
  EXPECT_EQ(parse_date_math("now+1d", now), parse_time("2026-04-01T10:20:30.5Z"));
  EXPECT_EQ(parse_date_math("now-7d/d", now), parse_time("2026-03-24T00:00:00Z"));
  EXPECT_EQ(parse_date_math("now/h", now), parse_time("2026-03-31T10:00:00Z"));
  EXPECT_EQ(parse_date_math("now-1M", now), parse_time("2026-02-28T10:20:30.5Z"));  // clamped
  EXPECT_EQ(parse_date_math("now-1y/y", now), parse_time("2025-01-01T00:00:00Z"));
  EXPECT_EQ(parse_date_math("now/w", now), parse_time("2026-03-30T00:00:00Z"));  // a Monday
  EXPECT_EQ(parse_date_math("now-15m", now), parse_time("2026-03-31T10:05:30.5Z"));
  EXPECT_EQ(parse_date_math("now-1x", now), kNoTime);
  EXPECT_EQ(parse_date_math("2026-01-01", now), kNoTime);
}

// Found by fuzzing (kql_fuzz): `now-77777777d` multiplied past int64 (undefined behaviour, and a
// wrapped instant in practice). Date math beyond the instants a TimeNs holds saturates.
TEST(KqlEval, DateMathSaturatesInsteadOfOverflowing) {
  const TimeNs now = parse_time("2026-03-31T10:20:30.5Z");
  const TimeNs earliest = INT64_MIN + 1, latest = INT64_MAX;
  EXPECT_EQ(parse_date_math("now-77777777d", now), earliest);
  EXPECT_EQ(parse_date_math("now-999999999s", now), parse_time("1994-07-23T08:33:51.5Z"));
  EXPECT_EQ(parse_date_math("now+999999999w", now), latest);
  EXPECT_EQ(parse_date_math("now+999999999h", now), latest);
  EXPECT_EQ(parse_date_math("now+999999999y", now), latest);
  EXPECT_EQ(parse_date_math("now-999999999M", now), earliest);
  EXPECT_EQ(parse_date_math("now-400y", now), earliest);
  EXPECT_EQ(parse_date_math("now-300y", now), parse_time("1726-03-31T10:20:30.5Z"));
  EXPECT_EQ(parse_date_math("now+300y", now), latest);
  // Rounding down stays at the earliest instant, and takes the latest to the start of its unit.
  for (const char* round : {"/s", "/m", "/h", "/d", "/w", "/M", "/y"}) {
    EXPECT_EQ(parse_date_math(std::string("now-999999999d") + round, now), earliest) << round;
    EXPECT_GE(parse_date_math(std::string("now+999999999d") + round, now),
              parse_time("2261-12-29T00:00:00Z"))
        << round;
  }
  EXPECT_EQ(parse_date_math("now-999999999d+1d", now), earliest + 86400LL * 1000000000LL);
  EXPECT_EQ(parse_date_math("now", kNoTime), kNoTime);

  const SampleEvents& ev = exec_pod();
  CompileOptions opts;
  opts.now = now;
  auto q = [&](const char* text) { return compile(parse(text)->root, opts).matches(ev[0]); };
  EXPECT_TRUE(q("@timestamp >= now-77777777d"));
  EXPECT_FALSE(q("@timestamp >= now+999999999y"));
  EXPECT_TRUE(q("@timestamp < now+999999999w/w"));
}

TEST(KqlEval, MayMatch) {
  auto q = [](const char* text) { return compile(parse(text)->root); };
  EXPECT_TRUE(q("verb:create").may_match(K8S));
  EXPECT_FALSE(q("verb:create").may_match(CT));
  EXPECT_FALSE(q("event.source:x").may_match(K8S));
  EXPECT_TRUE(q("event.action:x").may_match(FALCO));
  EXPECT_TRUE(q("verb:create or eventName:x").may_match(CT));
  EXPECT_FALSE(q("verb:create and eventName:x").may_match(CT));
  EXPECT_TRUE(q("not verb:create").may_match(CT));
  EXPECT_TRUE(q("anything").may_match(GD));
  EXPECT_TRUE(CompiledQuery().may_match(OCSF));
}

TEST(KqlEval, DefaultMatchesEverything) {
  const SampleEvents& ev = exec_pod();
  EXPECT_TRUE(CompiledQuery().matches(ev[0]));
  EXPECT_TRUE(compile(parse("")->root).matches(ev[0]));
  EXPECT_EQ(to_string(CompiledQuery().root()), "(all)");
}

TEST(KqlEval, CopiesShareAndOutliveTheTree) {
  CompiledQuery copy;
  {
    ParseResult r = parse("verb:create and objectRef.resource:pods");
    copy = compile(r->root);
  }
  const SampleEvents& ev = exec_pod();
  CompiledQuery again = copy;
  EXPECT_TRUE(again.matches(ev[0]));
}

}  // namespace
}  // namespace eksir::query
