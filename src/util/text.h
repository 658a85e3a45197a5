// Small text helpers shared by the output writers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eksir::util {

// Appends s as a JSON string literal, quotes included; bytes that are not UTF-8 become \ufffd.
void append_json_string(std::string& out, std::string_view s);
// s with ASCII letters lower-cased (other bytes as they are).
std::string ascii_lower(std::string_view s);
// Appends s as one CSV field for a spreadsheet: control and invisible characters made visible
// (util::visible), a field starting with = + - @ tab or CR prefixed with ' so that no spreadsheet
// reads it as a formula (OWASP's rule for CSV injection), then RFC 4180 quoting when needed.
void append_csv_field(std::string& out, std::string_view s);
// visible(s) shortened to at most width terminal columns, the cut marked with "…". A character or
// an escape is kept or dropped whole, never cut.
std::string fit(std::string_view s, size_t width);
// Appends fit(s, width) to out; returns the columns it takes.
size_t append_fit(std::string& out, std::string_view s, size_t width);
// A line already made visible cut to at most width terminal columns, the cut marked with "…";
// SGR colour sequences (ESC [ ... m, which only eksir writes: evidence arrives here escaped) take
// no columns and are kept, with a reset after a cut. width 0: the line as it is.
std::string fit_line(std::string_view line, size_t width);
// fit(s, width) padded with spaces to exactly width columns.
std::string pad(std::string_view s, size_t width);
// Terminal columns visible(s) takes (wide characters 2, combining marks 0).
size_t display_width(std::string_view s);
// "1.2 GB", "340 MB", "12 KB", "900 B".
std::string human_bytes(uint64_t bytes);
// 1234567 -> "1,234,567".
std::string thousands(uint64_t n);

// Edits (insert, delete, replace a byte, or swap two adjacent bytes) that turn a into b: the
// optimal string alignment distance, so "investgate" is 1 from "investigate", "plna" 1 from "plan".
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to word by edit_distance when it is close enough to be what was meant (at
// most 1 edit for names up to 5 characters, 2 beyond); the first such on a tie; "" when none is.
std::string closest_name(std::string_view word, const std::vector<std::string>& candidates);

// s with %XX escapes decoded (CloudTrail writes some request parameters URL-encoded); with
// plus_is_space, '+' decodes to a space as in a query string. Malformed escapes stay as they are.
std::string percent_decode(std::string_view s, bool plus_is_space = false);

// A duration for people: 45s, 9m 20s, 2h 5m, 3d 4h.
std::string human_duration(int64_t seconds);

}  // namespace eksir::util
