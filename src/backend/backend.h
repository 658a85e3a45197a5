// ClickHouse as a scale-out store: `eksir load` writes events into a table layout of typed
// columns plus the full event, and `hunt` / `detect` / `investigate` run against it with the same
// query language and rules. The one public header of the backend stage; the layout is in
// docs/clickhouse.md.
//
// Target URL: clickhouse://HOST:PORT/DB for one server (PORT is the HTTP interface, 8123 by
// default), clickhouse://HOST:PORT,HOST:PORT.../DB?cluster=NAME for shards: each shard holds
// `events_local` and the first one a `Distributed` table `events` over the server-side cluster
// NAME (its <remote_servers> entry lists the same shards in the same order).
//
// Queries: the KQL tree is translated to a WHERE clause that every matching event satisfies (a
// superset where the exact semantics cannot be said in the server's SQL); the rows it returns are
// re-checked with the local compiled query, so results equal a local run on the same evidence.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/detect.h"
#include "hunt/hunt.h"
#include "query/query.h"

namespace eksir::backend {

struct Endpoint {
  std::string host;
  uint16_t port = 8123;
};

struct Target {
  std::vector<Endpoint> shards;  // one for a single server
  std::string database;
  std::string cluster;  // server-side cluster name of the Distributed table ("" = one server)
  std::string url;      // as given
  bool distributed() const { return shards.size() > 1; }
};

// Parses clickhouse://HOST[:PORT][,HOST[:PORT]...]/DB[?cluster=NAME]; sets error on failure.
std::optional<Target> parse_target(std::string_view url, std::string& error);

// A KQL tree as SQL. `where` is "1" when nothing could be said on the server.
struct Translation {
  std::string where;
  bool exact = false;                  // where alone decides (no local re-check needed)
  std::vector<std::string> on_server;  // the query parts the server evaluates exactly
  std::vector<std::string> local;      // parts only the local engine decides (prefiltered)
};
Translation translate(const query::Node& root);

struct LoadOptions {
  std::vector<std::string> evidence;
  std::string to;                  // target URL
  size_t batch_bytes = 64u << 20;  // rows per INSERT, by size of their text
  unsigned threads = 0;
  bool progress = true;  // drawn only when stderr is a terminal
  bool quiet = false;
  bool strict = false;
};

// What a load did. errors (a line each, said as they may be printed): the target is unusable,
// the server unreachable or a batch rejected; the files recorded as loaded stay loaded.
struct Loaded {
  std::vector<std::string> errors;
  sources::ScanStats stats;
  uint64_t inserted = 0, files_loaded = 0, files_skipped = 0, batches = 0;
};
// Creates or checks the tables, inserts every event of the files not already loaded, records
// each file once all its rows are in.
Loaded load(const LoadOptions& options);

// The store at url as the scan of `eksir hunt QUERY --on URL`: the query translated to SQL, the
// server prefiltering (or, exact, deciding) and the local engine deciding on the rows it returns.
struct HuntStore {
  std::string error;        // set: the store cannot be used (said after "eksir hunt: ")
  bool translated = false;  // false: the query does not parse (the hunt says why); nothing is set
  bool exact = false;       // the server alone decides the query
  std::vector<std::string> plan;  // where the query runs: a headline, then indented lines
  sources::ScanFn scan;           // the candidate rows in evidence order (HuntOptions::scan)
  // exact: the matches counted on the server, nothing fetched; none when the store failed.
  struct Count {
    sources::ScanStats stats;
    uint64_t matched = 0;
  };
  std::function<std::optional<Count>(const sources::ScanOptions&)> count;
  std::function<std::string()> failure;  // after the scan: "" or why the store failed (said
                                         // after "eksir hunt: ")
};
HuntStore hunt_store(const std::string& url, const std::string& query);

// The events of a store as a scan for detect::DetectOptions::scan and
// incident::InvestigateOptions::scan: what the rules need fetched (correlation rules aggregated on
// the server, see docs/clickhouse.md), and for investigate the audit pods/binding events the
// incident places pods on nodes with.
struct StoreScan {
  std::function<sources::ScanFn(const std::vector<rules::Rule>&)> scan;
  std::function<std::string()> failure;  // after the scan: "" or why the store failed
  std::function<std::string()> summary;  // after the scan: the line saying what ran where
};
// For `eksir detect --on URL`: checks that the store answers and holds the tables; else error
// says why (after "eksir detect: "). failure() names the store.
std::optional<StoreScan> detect_scan(const std::string& url, std::string& error);
// For `eksir investigate --on URL`: as detect_scan (error after "eksir investigate: ").
std::optional<StoreScan> investigate_scan(const std::string& url, std::string& error);

}  // namespace eksir::backend
