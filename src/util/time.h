// Evidence time: nanoseconds since the Unix epoch, UTC, and how it is read and written. Below
// every stage (util): the event, the writers and the time arithmetic all use it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eksir {

// Nanoseconds since the Unix epoch, UTC. kNoTime when the event carries no usable timestamp.
using TimeNs = int64_t;
inline constexpr TimeNs kNoTime = INT64_MIN;

// ISO 8601 UTC with millisecond precision ("2026-03-14T09:12:31.250Z"); "-" for kNoTime.
std::string format_time(TimeNs t);
// Parses RFC 3339 / ISO 8601 (with or without fraction and zone), "YYYY-MM-DD HH:MM:SS[.fff]"
// (taken as UTC), and plain dates. Returns kNoTime on failure.
TimeNs parse_time(std::string_view text);
// A span written as a count and a unit — 30s, 5m, 24h, 7d, 2w — in nanoseconds; 0 otherwise.
TimeNs parse_duration(std::string_view text);
// 300 s → "5m", 7 d → "7d", 90 s → "1m30s", 4 d 3 h → "4d3h"; "0s" below a second.
std::string format_duration(TimeNs ns);
// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace eksir
