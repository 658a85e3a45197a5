// `eksir hunt`: one KQL query over every event of the evidence, rows out in time or evidence
// order, each record once however many exports of it the evidence holds; each match also handed
// over, for the pins that put results on a case's timeline. The one public header of the hunt
// stage; the commands (app/) fill HuntOptions.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "event/event.h"
#include "sources/sources.h"

namespace eksir::hunt {

enum class Format { Table, Json, Ndjson, Csv };
std::optional<Format> parse_format(std::string_view name);

// Time: oldest first, records without a time last, ties in evidence order. Evidence: file order,
// then position in the file (streams: nothing is held).
enum class Order { Default, Time, Evidence };  // Default: time for table, evidence otherwise
std::optional<Order> parse_order(std::string_view name);

// One matching record as `--pin` and `case pin` keep it.
struct Match {
  TimeNs time = kNoTime;
  Source source{};
  std::string event_id;  // detect::event_id: "" when the record has none
  std::string file;
  uint64_t line = 0, record = 0;
  std::string actor, action, target, outcome;
  std::string raw;      // the record as in the evidence (the inner event if wrapped)
  uint64_t copies = 0;  // other exports of the same record that were folded into this one
};

struct HuntOptions {
  std::string query;
  std::vector<std::string> evidence;
  Format format = Format::Table;
  std::vector<std::string> fields;  // columns for table/csv, keys for json; default: the gist
  uint64_t limit = 0;               // 0 = no limit
  bool count_only = false;          // print the number of matches alone
  bool strict = false;              // any skipped record or file makes the run fail (exit 2)
  // Lines (and whole small files) without the query's literals are not parsed
  // (sources::ScanOptions::prefilter): the same matches, sooner. Off under strict (every record
  // is checked) and for json (its summary counts every event), and for events from `scan`.
  bool prefilter = true;
  bool keep_going = false;  // an evidence path that cannot be read is skipped, not fatal
  std::optional<Source> only;
  TimeNs since = kNoTime, until = kNoTime;
  unsigned threads = 0;
  bool progress = true;  // drawn only when stderr is a terminal
  bool quiet = false;    // no summary on stderr
  size_t width = 0;      // the table's terminal columns (lines fit, cells cut); 0: nothing cut
  bool colour = false;   // the table's header bold, severity columns coloured (util/colour.h)
  sources::ScanFn scan;  // when set, events come from it instead of the evidence files
  Order order = Order::Default;
  // The same record exported more than once (an S3 CloudTrail object and lookup-events output,
  // an audit log and filter-log-events, findings.json and EventBridge: the same source and event
  // id) is shown once, the first copy in evidence order, and the others are counted.
  bool keep_duplicates = false;
  // Bytes of matches held in memory to sort by time; beyond it they are sorted in runs written to
  // temporary files ($TMPDIR, else /tmp) and merged.
  size_t sort_memory = size_t{256} << 20;
  // When set, each match is also handed to it, in output order.
  std::function<void(Match&&)> on_match;
  // SHA-256 of every evidence file from the bytes the scan reads (ScanStats::digests), and the
  // scan's figures handed to on_stats before the summary is printed.
  bool digests = false;
  std::function<void(const sources::ScanStats&)> on_stats;
};

// Runs the hunt, writing rows to `out` and the summary, warnings and errors to `err`.
// Returns the exit code, as grep's: 0 something matched, 1 nothing matched, 2 query error,
// unreadable evidence, or a skip under --strict.
int run(const HuntOptions& options, std::ostream& out, std::ostream& err);

}  // namespace eksir::hunt
