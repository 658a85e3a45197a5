#include "util/time_math.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace eksir::util {

namespace {
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
// 2006-01-01T00:00:00Z
constexpr TimeNs kAwsEpoch = 1136073600LL * kNsPerSecond;
constexpr int64_t kClockSkew = 86400LL * kNsPerSecond;
}  // namespace

int64_t span_ns(TimeNs from, TimeNs to) {
  if (from == kNoTime || to == kNoTime) return 0;
  int64_t d = 0;
  if (__builtin_sub_overflow(to, from, &d)) return to > from ? kMax : -kMax;
  return d == kMin ? -kMax : d;
}

TimeNs add_ns(TimeNs t, int64_t d) {
  if (t == kNoTime) return kNoTime;
  int64_t r = 0;
  if (__builtin_add_overflow(t, d, &r)) return d > 0 ? kMax : kMin + 1;
  return r == kMin ? kMin + 1 : r;
}

std::optional<int64_t> seconds_between(TimeNs from, TimeNs to) {
  if (from == kNoTime || to == kNoTime) return std::nullopt;
  return span_ns(from, to) / kNsPerSecond;
}

TimeNs now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TimeNs parse_time_bound(std::string_view text, TimeNs now, std::string& error) {
  if (TimeNs t = parse_time(text); t != kNoTime) return t;
  if (TimeNs span = parse_duration(text); span > 0) return add_ns(now, -span);
  error = fmt::format(
      "'{}' is neither a time (2026-03-14T09:00:00Z) nor a duration before now (30m, 24h, 7d)",
      text);
  return kNoTime;
}

std::string window_error(std::string_view since_text, TimeNs since, std::string_view until_text,
                         TimeNs until, bool empty_too) {
  if (since == kNoTime || until == kNoTime) return {};
  if (since < until || (since == until && !empty_too)) return {};
  auto shown = [](std::string_view text, TimeNs t) {
    std::string time = format_time(t);
    return text == time ? time : fmt::format("{} ({})", text, time);
  };
  return fmt::format("--since {} is {} --until {}", shown(since_text, since),
                     since == until ? "the same time as" : "later than", shown(until_text, until));
}

PlausibleRange plausible_range(TimeNs now) {
  return {kAwsEpoch, add_ns(std::max(now, kAwsEpoch), kClockSkew)};
}

std::vector<Implausible> implausible_times(const std::vector<TimeNs>& times, TimeNs now) {
  std::vector<Implausible> out(times.size(), Implausible::No);
  PlausibleRange range = plausible_range(now);
  std::vector<size_t> order;
  for (size_t i = 0; i < times.size(); ++i) {
    if (times[i] == kNoTime) continue;
    if (!range.contains(times[i]))
      out[i] = Implausible::OutOfRange;
    else
      order.push_back(i);
  }
  if (order.empty()) return out;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return times[a] < times[b]; });
  // Groups as [begin, end) ranges of `order`.
  std::vector<std::pair<size_t, size_t>> groups;
  size_t begin = 0;
  for (size_t k = 1; k <= order.size(); ++k)
    if (k == order.size() || span_ns(times[order[k - 1]], times[order[k]]) > kIsolationGapNs) {
      groups.emplace_back(begin, k);
      begin = k;
    }
  size_t largest = 0;
  for (const auto& [b, e] : groups) largest = std::max(largest, e - b);
  for (const auto& [b, e] : groups)
    if ((e - b) * kIsolationRatio <= largest)
      for (size_t k = b; k < e; ++k) out[order[k]] = Implausible::Isolated;
  return out;
}

}  // namespace eksir::util
