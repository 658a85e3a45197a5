// `eksir hunt`: one KQL query over every event of the evidence, rows out in time or evidence
// order, each record once however many exports of it the evidence holds; each match also handed
// over, for the pins that put results on a case's timeline. The one public header of the hunt
// stage: prepare() checks the query and the evidence paths, scan() hands the rows to a Sink and
// returns what the run found; the commands (app/) print its notes and summary and choose the exit
// code.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "query/query.h"
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
  Format format = Format::Table;    // how each row is rendered (Sink::row)
  std::vector<std::string> fields;  // columns for table/csv, keys for json; default: the gist
  uint64_t limit = 0;               // 0 = no limit
  bool count_only = false;          // only the number of matches: no rows
  bool strict = false;              // every record is checked (no prefilter)
  // Lines (and whole small files) without the query's literals are not parsed
  // (sources::ScanOptions::prefilter): the same matches, sooner. Off under strict (every record
  // is checked) and for json (its summary counts every event), and for events from `scan`.
  bool prefilter = true;
  bool keep_going = false;  // an evidence path that cannot be read is skipped, not fatal
  std::optional<Source> only;
  TimeNs since = kNoTime, until = kNoTime;
  unsigned threads = 0;
  bool progress = true;  // the scan's progress, drawn only when stderr is a terminal
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
  // SHA-256 of every evidence file from the bytes the scan reads (ScanStats::digests).
  bool digests = false;
};

// The query checked and the evidence paths looked at, before any scan. Not ok: query_error (the
// query does not parse; nothing else is set) or unreadable (an evidence path cannot be read,
// without keep_going).
struct Prepared {
  std::optional<query::ParseError> query_error;
  bool unreadable = false;
  // Each said after "eksir hunt: ": the query's warnings, --fields that name no known field, the
  // evidence paths that cannot be read.
  std::vector<std::string> notes;
  query::Query query;
  query::CompiledQuery compiled;
  bool ok() const { return !query_error && !unreadable; }
};
Prepared prepare(const HuntOptions& options);

// Where the rows go, one call per match in output order (none when count_only). What a row holds
// is the format's: ndjson the record on one line, csv one line of fields, json the match as one
// object, table its cells (table_cells() splits them). copies: the other exports of the record
// folded into it, when known.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void row(std::string_view row, uint64_t copies) = 0;
};
std::vector<std::string> table_cells(std::string_view row);

// What a scan found.
struct Hunt {
  sources::ScanStats stats;
  uint64_t matched = 0;  // records matched, copies counted once (count_only: at most the limit)
  uint64_t shown = 0;    // rows handed to the sink (to on_match when count_only)
  uint64_t folded = 0;   // copies folded into the first export of their record
  Order order = Order::Evidence;        // the order the rows went in (Time: sorted)
  std::vector<std::string> duplicates;  // json: each copy folded, cited as a JSON object
  // Each said after "eksir hunt: " after the scan: fields of the query no event had.
  std::vector<std::string> notes;
  // Matches sorted by time through temporary files: how many and their size.
  size_t sort_runs = 0;
  uint64_t sort_bytes = 0;
  bool sort_failed = false;  // sorting by time failed: rows are missing
  std::string sort_error;    // why
};
// Runs the prepared query over the evidence (or options.scan). prepared must be ok().
Hunt scan(const HuntOptions& options, const Prepared& prepared, Sink& sink);

// The rows written to out as `eksir hunt` shows them: a table that fits width (0: nothing cut;
// colour: the header bold, severity and priority columns coloured), csv under its header, ndjson,
// or one JSON document {"events":[...],"duplicates":[...],"summary":{...}}, an element a line.
class Writer final : public Sink {
 public:
  Writer(std::ostream& out, const HuntOptions& options, size_t width = 0, bool colour = false);
  ~Writer() override;
  void row(std::string_view row, uint64_t copies) override;
  // After the scan: the table, the count alone, or the rest of the JSON document.
  void finish(const Hunt& hunt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eksir::hunt
