// Reading evidence: files and folders (recursively), plain or gzip, every form of every source,
// detected from content. The one public header of the sources stage.
//
// A scan splits the evidence into chunks (a small file, or a run of whole lines of a large one),
// processes chunks on all cores and hands each event to the caller's EventFn on the worker that
// parsed it. Whatever the EventFn appends to ChunkOutput::items is delivered to OutputFn on the
// calling thread in evidence order (file order, then position in file), so output is
// deterministic whatever the thread count. Memory stays bounded: only a few chunks are in flight.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "event/event.h"
#include "util/literals.h"
#include "util/sha256.h"

namespace eksir::sources {

class DigestAhead;

struct ScanOptions {
  unsigned threads = 0;              // 0 = all cores
  std::optional<Source> only;        // keep only events of this source
  TimeNs since = kNoTime;            // keep events at or after this time (kNoTime = no bound)
  TimeNs until = kNoTime;            // keep events before this time
  bool progress = false;             // draw a progress bar on stderr
  size_t chunk_bytes = 8u << 20;     // target size of one chunk of a large line-oriented file
  size_t max_recorded_skips = 1000;  // skips beyond this are counted but not kept one by one
  // SHA-256 of every file as stored, computed from the bytes as they are read (ScanStats::digests).
  bool digests = false;
  // The last bytes of the input, in scan order, are left unhashed by the scan: their digests are
  // finished by ScanStats::deferred, on a core the caller has free after the scan. How many: the
  // share digest_defer_share of the input, at most digest_defer.
  uint64_t digest_defer = 0;
  double digest_defer_share = 1.0;
  // Prefixes hashed before the scan began (stopped by then): the scan carries each one on.
  DigestAhead* ahead = nullptr;
  // The literal prefilter (query::text_literals): a line that reads as one JSON object and does
  // not hold them is not parsed, nor a whole small file that does not (ScanStats::unparsed_*).
  // Never the first record of a file, text holding a "\u" escape, a vulnerability report nor a
  // Security Hub finding (prefilter.h).
  // Empty: every record is parsed.
  util::LiteralClauses prefilter;
  // More text the prefilter must never pass over, besides what it knows: text that meets every
  // clause of one of these (a caller whose records of some sources count whatever their words:
  // detect's alerts, each told by the keys its shape needs). 64 literals in all.
  std::vector<util::LiteralClauses> prefilter_guards;
};

namespace detail {
struct PartialDigest;
}

// Hashes the first files of a scan, in the scan's order, on a thread of its own while the caller
// prepares the scan (loads rules): a core that would be idle. stop() before the scan starts.
class DigestAhead {
 public:
  explicit DigestAhead(std::vector<std::string> paths);
  ~DigestAhead();
  DigestAhead(const DigestAhead&) = delete;
  DigestAhead& operator=(const DigestAhead&) = delete;
  void stop();  // at the end of the block being hashed; waits for the thread
  // The prefix hashed of `path`, if any; once.
  std::unique_ptr<detail::PartialDigest> take(const std::string& path);

 private:
  void run(const std::vector<std::string>& paths);
  std::atomic<bool> stop_{false};
  std::map<std::string, std::unique_ptr<detail::PartialDigest>> parts_;
  std::thread thread_;
};

// Digests the scan left unfinished (ScanOptions::digest_defer). finish() reads the rest of each
// file again, from where hashing stopped, through the descriptor the scan opened.
class DeferredDigests {
 public:
  DeferredDigests();
  ~DeferredDigests();
  void add(std::unique_ptr<detail::PartialDigest> part);
  void absorb(DeferredDigests& other);
  size_t size() const;
  // The digests by path; once.
  std::map<std::string, FileDigest> finish();

 private:
  std::vector<std::unique_ptr<detail::PartialDigest>> parts_;
};

// One record (or file) that could not be read, with enough to find it.
struct Skip {
  std::string file;
  uint64_t line = 0;  // 0 when the problem concerns the whole file
  uint64_t record = 0;
  std::string reason;  // short category: "invalid JSON", "unrecognised format", "truncated gzip"...
  std::string detail;  // the specific message

  std::string message() const;  // "file:line: reason: detail"
};

// Skip reasons that mark input which is not event evidence rather than bad evidence.
bool is_ignorable(std::string_view reason);

struct ScanStats {
  uint64_t files = 0;
  uint64_t events = 0;
  uint64_t bytes = 0;          // bytes of evidence read (decompressed)
  uint64_t bytes_on_disk = 0;  // bytes of the files as stored
  uint64_t skipped = 0;        // records or files skipped as bad or unrecognised input
  // Files that are not event evidence at all — text (READMEs, licences) and cluster snapshots —
  // and records read but not about what eksir looks at (vulnerability findings on EC2 instances,
  // Lambda functions, network paths: "not an image vulnerability") are reported and counted
  // here, apart from skips: they do not fail a --strict run.
  uint64_t ignored = 0;
  std::map<std::string, uint64_t> ignored_by_reason;
  std::vector<Skip> ignored_files;
  uint64_t filtered = 0;  // events outside --since/--until/--source (not errors)
  // Passed over by ScanOptions::prefilter, unparsed: their events are not in `events` (nor any
  // damage inside them in the skips).
  uint64_t unparsed_lines = 0, unparsed_files = 0;
  uint64_t samples = 0;  // GuardDuty sample findings seen
  std::map<std::string, uint64_t> skipped_by_reason;
  std::vector<Skip> skips;  // the first max_recorded_skips, in evidence order
  std::map<Source, uint64_t> events_by_source;
  std::map<std::string, FileDigest> digests;  // by path, when ScanOptions::digests
  std::shared_ptr<DeferredDigests> deferred;  // digests still to finish (ScanOptions::digest_defer)
  double seconds = 0;
};

// The files a scan passed over as not event evidence (kubectl JSON, manifests, YAML, a licence):
// where a cluster snapshot is read from, without reading the event files a second time. Sorted,
// each once. Needs the scan's every skip (ScanOptions::max_recorded_skips).
std::vector<std::string> passed_over_files(const ScanStats& stats);

struct ChunkOutput {
  unsigned worker = 0;             // 0..threads-1, for per-thread state
  std::vector<std::string> items;  // appended by EventFn, delivered in evidence order
};

using EventFn = std::function<void(const EventView&, ChunkOutput&)>;
// Return false to stop the scan early (e.g. --limit reached).
using OutputFn = std::function<bool(std::vector<std::string>& items)>;

// Scans every path; never throws for bad evidence (it becomes a Skip). Returns an error string
// only when nothing could be attempted (e.g. no path given).
ScanStats scan(const std::vector<std::string>& paths, const ScanOptions& options,
               const EventFn& on_event, const OutputFn& on_output);

// Where events come from when not from files (a database, for instance): called like scan()
// without the paths, it hands events to on_event and delivers items through on_output.
using ScanFn = std::function<ScanStats(const ScanOptions& options, const EventFn& on_event,
                                       const OutputFn& on_output)>;

// Convenience for tests and small inputs: every event of the paths, owned, in evidence order.
std::vector<Event> read_all(const std::vector<std::string>& paths, ScanStats* stats = nullptr,
                            const ScanOptions& options = {});

// Reads records back from where the scan found them: for each slice (EventView::offset, the size
// of raw and checksum(raw)) of the file's content, its text, in texts (same order); "" for a
// slice whose text is no longer what the scan read (the file changed since). A compressed file
// is inflated once, up to the last slice. Returns "" or why the file could not be read.
struct Slice {
  uint64_t offset = 0;
  uint32_t length = 0;
  uint32_t checksum = 0;
};
uint32_t checksum(std::string_view text);  // CRC-32, at memory speed
std::string read_back(const std::string& path, const std::vector<Slice>& slices,
                      std::vector<std::string>& texts);

// The files scan() reads for these paths, in its order (folders walked as it walks them).
std::vector<std::string> list_files(const std::vector<std::string>& paths);

// The evidence paths given that cannot be read at all, each as "PATH: the system's reason": a
// path that does not exist, or a file or folder that cannot be opened.
std::vector<std::string> unreadable_paths(const std::vector<std::string>& paths);
// What hunt, detect and investigate say of them before reading anything: each, then what
// follows. Without keep_going the command stops (exit 2), since a verdict on part of the evidence
// the responder meant to give would be wrong; with it, the rest is read and the scan reports them
// as skipped.
struct PathCheck {
  std::vector<std::string> lines;  // each said after "eksir <command>: "
  bool stop = false;
};
PathCheck check_paths(const std::vector<std::string>& paths, bool keep_going);

// What every command that reads evidence says on stderr after the scan, lines ending in a newline:
// one summary line ("eksir hunt: 3 files, 120 events (...), 1.2 MB, <result>, 0 skipped, 0.10 s,
// 12 MB/s"), then events filtered out, files passed over, samples, skips by reason and the first
// skips (all of them under strict).
std::string scan_summary(std::string_view command, const ScanStats& st, std::string_view result,
                         bool strict);
// The input checks shared by those commands: why the result cannot stand when nothing was found,
// nothing could be read, or (strict) something was skipped (said after "eksir <command>: "; the
// command exits 2); else "".
std::string evidence_problem(const ScanStats& st, bool strict);

}  // namespace eksir::sources
