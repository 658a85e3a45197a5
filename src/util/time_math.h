// Arithmetic on TimeNs that cannot overflow, and which evidence times are plausible.
//
// Evidence may carry any time from 1678 to 2262 (all int64 nanoseconds hold), so the difference
// of two evidence times does not always fit in int64: one record dated 1700 beside records of
// 2026 wraps a plain `a - b` around to a negative span. Every span, duration and axis computed
// from evidence goes through these, which saturate instead of wrapping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/time.h"

namespace eksir::util {

inline constexpr int64_t kNsPerSecond = 1'000'000'000;

// to - from, pinned to [-INT64_MAX, INT64_MAX]; 0 when either is kNoTime.
int64_t span_ns(TimeNs from, TimeNs to);
// t + d, pinned to [INT64_MIN + 1, INT64_MAX] so that it is never kNoTime; kNoTime stays kNoTime.
TimeNs add_ns(TimeNs t, int64_t d);
// Whole seconds from `from` to `to` (negative when `to` is earlier); nullopt when either is
// kNoTime.
std::optional<int64_t> seconds_between(TimeNs from, TimeNs to);

// The wall clock, in nanoseconds since the epoch.
TimeNs now_ns();

// Parses --since/--until values: ISO 8601 / RFC 3339 times, or a duration before now such as
// 30m, 24h, 7d, 2w. Returns kNoTime and sets `error` when the text is neither.
TimeNs parse_time_bound(std::string_view text, TimeNs now, std::string& error);

// The usage error of a --since later than --until (or, with empty_too, at the same time: an
// empty window), naming both values as given and the times they stand for; "" when the window
// is fine or a bound is kNoTime.
std::string window_error(std::string_view since_text, TimeNs since, std::string_view until_text,
                         TimeNs until, bool empty_too = false);

// Times evidence can carry: not before 2006-01-01 (AWS's first service; nothing eksir reads is
// older) and not more than a day after the run's wall clock (clock skew between systems).
struct PlausibleRange {
  TimeNs from = 0, to = 0;
  bool contains(TimeNs t) const { return t != kNoTime && t >= from && t <= to; }
};
PlausibleRange plausible_range(TimeNs now);

// Why a time is not taken as a real time of the incident.
enum class Implausible : uint8_t {
  No,
  OutOfRange,  // outside plausible_range()
  Isolated,    // more than kIsolationGap away from the bulk of the evidence's times
};
// Gap in time that separates an isolated outlier from the rest, and how many times smaller its
// group must be than the largest one.
inline constexpr int64_t kIsolationGapNs = 365LL * 86400 * kNsPerSecond;
inline constexpr size_t kIsolationRatio = 10;

// For each time: whether it is plausible. kNoTime is No (it is unknown, not implausible). The
// plausible times are split into groups wherever two consecutive ones are more than
// kIsolationGapNs apart; a group at least kIsolationRatio times smaller than the largest group is
// Isolated. (A day of evidence with one record stamped a decade off: that record is Isolated; two
// archives of similar size years apart: neither is.)
std::vector<Implausible> implausible_times(const std::vector<TimeNs>& times, TimeNs now);

}  // namespace eksir::util
