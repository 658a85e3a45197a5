// util::span_ns / add_ns / seconds_between saturate instead of wrapping; implausible_times finds
// the times no evidence can carry and the isolated outliers.
#include <gtest/gtest.h>

#include <limits>

#include "util/text.h"
#include "util/time_math.h"

namespace eksir::util {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
const TimeNs k1700 = parse_time("1700-03-14T09:00:00Z");
const TimeNs k2026 = parse_time("2026-03-14T09:00:00Z");
const TimeNs k2261 = parse_time("2261-12-31T00:00:00Z");

TEST(TimeMath, SpansOfCenturiesSaturateInsteadOfWrapping) {
  ASSERT_NE(k1700, kNoTime);
  ASSERT_NE(k2261, kNoTime);
  // 561 years of nanoseconds do not fit in int64: a plain subtraction wraps negative.
  EXPECT_EQ(span_ns(k1700, k2261), kMax);
  EXPECT_EQ(span_ns(k2261, k1700), -kMax);
  EXPECT_EQ(span_ns(k2026, k2026 + 5), 5);
  EXPECT_EQ(span_ns(kNoTime, k2026), 0);
  EXPECT_EQ(add_ns(k2261, kMax), kMax);
  EXPECT_EQ(add_ns(k1700, -kMax), kNoTime + 1);  // never kNoTime itself
  EXPECT_EQ(add_ns(kNoTime, 5), kNoTime);
  EXPECT_EQ(seconds_between(k2026, k2026 + 90 * kNsPerSecond), 90);
  EXPECT_EQ(seconds_between(k1700, k2261), kMax / kNsPerSecond);
  EXPECT_FALSE(seconds_between(kNoTime, k2026));
  EXPECT_FALSE(seconds_between(k2026, kNoTime));
}

TEST(TimeMath, HumanDurationOfTheExtremes) {
  EXPECT_EQ(human_duration(560), "9m 20s");
  EXPECT_FALSE(human_duration(std::numeric_limits<int64_t>::min()).empty());
  EXPECT_FALSE(human_duration(kMax).empty());
}

TEST(TimeMath, OutOfRangeAndIsolatedTimes) {
  TimeNs now = k2026 + 3600 * kNsPerSecond;
  std::vector<TimeNs> times;
  for (int i = 0; i < 30; ++i) times.push_back(k2026 + i * 60 * kNsPerSecond);
  times.push_back(k1700);                               // before AWS
  times.push_back(now + 2 * 86400 * kNsPerSecond);      // after the run
  times.push_back(parse_time("2015-06-01T00:00:00Z"));  // a decade off, alone
  times.push_back(kNoTime);                             // unknown, not implausible
  times.push_back(now + 3600 * kNsPerSecond);           // clock skew under a day
  auto v = implausible_times(times, now);
  ASSERT_EQ(v.size(), times.size());
  for (int i = 0; i < 30; ++i) EXPECT_EQ(v[i], Implausible::No) << i;
  EXPECT_EQ(v[30], Implausible::OutOfRange);
  EXPECT_EQ(v[31], Implausible::OutOfRange);
  EXPECT_EQ(v[32], Implausible::Isolated);
  EXPECT_EQ(v[33], Implausible::No);
  EXPECT_EQ(v[34], Implausible::No);
}

TEST(TimeMath, TwoArchivesOfSimilarSizeYearsApartAreBothKept) {
  TimeNs now = k2026;
  TimeNs old = parse_time("2019-01-01T00:00:00Z");
  std::vector<TimeNs> times;
  for (int i = 0; i < 5; ++i) times.push_back(old + i * kNsPerSecond);
  for (int i = 0; i < 8; ++i) times.push_back(k2026 - 86400 * kNsPerSecond + i * kNsPerSecond);
  for (auto v : implausible_times(times, now)) EXPECT_EQ(v, Implausible::No);
}

}  // namespace
}  // namespace eksir::util
