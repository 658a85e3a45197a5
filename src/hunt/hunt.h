// `eksir hunt`: one KQL query over every event of the evidence, rows out in evidence order.
// The one public header of the hunt stage; the CLI only parses flags into HuntOptions.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "event/event.h"
#include "sources/sources.h"

namespace eksir::hunt {

enum class Format { Table, Json, Ndjson, Csv };
std::optional<Format> parse_format(std::string_view name);

struct HuntOptions {
  std::string query;
  std::vector<std::string> evidence;
  Format format = Format::Table;
  std::vector<std::string> fields;  // columns for table/csv, keys for json; default: the gist
  uint64_t limit = 0;               // 0 = no limit
  bool count_only = false;          // print the number of matches alone
  bool strict = false;              // any skipped record or file makes the run fail (exit 2)
  bool keep_going = false;          // an evidence path that cannot be read is skipped, not fatal
  std::optional<Source> only;
  TimeNs since = kNoTime, until = kNoTime;
  unsigned threads = 0;
  bool progress = true;  // drawn only when stderr is a terminal
  bool quiet = false;    // no summary on stderr
  size_t width = 0;      // the table's terminal columns (lines fit, cells cut); 0: nothing cut
  sources::ScanFn scan;  // when set, events come from it instead of the evidence files
};

// Runs the hunt, writing rows to `out` and the summary, warnings and errors to `err`.
// Returns the exit code, as grep's: 0 something matched, 1 nothing matched, 2 query error,
// unreadable evidence, or a skip under --strict.
int run(const HuntOptions& options, std::ostream& out, std::ostream& err);

// Parses --since/--until values: ISO 8601 / RFC 3339 times, or a duration before now such as
// 30m, 24h, 7d, 2w. Returns kNoTime and sets `error` when the text is neither.
TimeNs parse_time_bound(std::string_view text, TimeNs now, std::string& error);

// The usage error of a --since later than --until (or, with empty_too, at the same time: an
// empty window), naming both values as given and the times they stand for; "" when the window
// is fine or a bound is kNoTime.
std::string window_error(std::string_view since_text, TimeNs since, std::string_view until_text,
                         TimeNs until, bool empty_too = false);

}  // namespace eksir::hunt
