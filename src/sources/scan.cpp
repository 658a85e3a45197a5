#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "sources/chunk.h"
#include "sources/progress.h"
#include "sources/sources.h"
#include "sources/unwrap_vulnerability.h"
#include "sources/walk.h"

namespace eksir::sources {
using namespace detail;

namespace {

constexpr size_t kSniffBytes = 64 * 1024;
// Files whose digests are left unfinished (deferred, or hashed ahead) hold a descriptor each.
constexpr size_t kMaxDeferredFiles = 256, kMaxAheadFiles = 256;

// True when some line of text is a whole, non-empty JSON object (one failing only on a number
// is one too: the reader rewrites integers wider than 64 bits).
bool has_json_object_line(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] == '{') {
      size_t key = line.find_first_not_of(" \t\r", first + 1);
      simdjson::dom::element doc;
      if (key != std::string_view::npos && line[key] == '"') {
        auto err = parser.parse(line.data() + first, line.size() - first, false).get(doc);
        if (!err || err == simdjson::NUMBER_ERROR) return true;
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

// Decides, from the first bytes of a file, whether it can hold JSON evidence at all.
std::optional<Skip> sniff(const std::string& file, std::string_view head, bool complete) {
  std::string_view h = head.substr(0, kSniffBytes);
  if (h.size() >= 3 && static_cast<unsigned char>(h[0]) == 0xEF &&
      static_cast<unsigned char>(h[1]) == 0xBB && static_cast<unsigned char>(h[2]) == 0xBF)
    h.remove_prefix(3);
  if (h.find_first_not_of(" \t\r\n") == std::string_view::npos && complete)
    return Skip{file, 0, 0, "empty file", "no records"};
  if (h.find('\0') != std::string_view::npos)
    return Skip{file, 0, 0, "binary file", "contains NUL bytes; not JSON evidence"};
  // JSON evidence mostly starts like JSON.
  size_t lead = h.find_first_not_of(" \t\r\n");
  if (lead == std::string_view::npos) lead = h.size() - 1;  // blank so far, the file goes on
  if (h[lead] == '{') return std::nullopt;
  if (h[lead] == '[') {
    // "[" opens a JSON array only if a JSON value or "]" follows; "[see below]" is prose.
    size_t next = h.find_first_not_of(" \t\r\n", lead + 1);
    if (next == std::string_view::npos ||
        std::string_view("{[]\"-0123456789").find(h[next]) != std::string_view::npos)
      return std::nullopt;
  }
  // Otherwise the file is read if any line in what was read so far (not only the first 64 KiB:
  // a rotated log may begin with a long partial line) holds a whole JSON object: its other lines
  // become counted skips, so a banner before JSON alerts hides nothing. A YAML, Markdown or
  // licence file has no such line and is reported as passed over.
  if (has_json_object_line(head)) return std::nullopt;
  return Skip{file, 0, 0, "not JSON", "no line holds a JSON object; not evidence eksir reads"};
}

std::string_view first_line(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  size_t nl = text.find('\n', start);
  std::string_view l =
      text.substr(start, nl == std::string_view::npos ? text.size() - start : nl - start);
  while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
    l.remove_suffix(1);
  return l;
}

}  // namespace

bool is_ignorable(std::string_view reason) {
  return reason == "not JSON" || reason == "cluster snapshot" || reason == "eksir case" ||
         reason == kNotImageVulnerability;
}

std::vector<std::string> passed_over_files(const ScanStats& stats) {
  std::vector<std::string> files;
  for (const auto& f : stats.ignored_files)
    if (f.reason != "eksir case" && f.reason != kNotImageVulnerability) files.push_back(f.file);
  // A file rejected at its first record is not a log in a known format: it may be a snapshot
  // object (a single-document JSON, YAML). A bad record further in is bad evidence, not that.
  for (const auto& f : stats.skips)
    if (f.line <= 1 && f.reason != "unreadable" && f.reason != "not a JSON line" &&
        f.reason != "incomplete finding")
      files.push_back(f.file);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

namespace {

class Scanner {
 public:
  Scanner(const ScanOptions& options, const EventFn& on_event, const OutputFn& on_output)
      : options_(options), on_event_(on_event), on_output_(on_output) {
    threads_ =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    max_in_flight_ = threads_ * 2 + 2;
    prefilter_ = Prefilter::make(options.prefilter, options.prefilter_guards);
  }

  ScanStats run(const std::vector<std::string>& paths) {
    auto start = std::chrono::steady_clock::now();
    std::vector<Skip> problems;
    files_ = walk(paths, problems);
    for (auto& p : problems) record_skip(std::move(p));
    uint64_t total = 0;
    for (const auto& f : files_) total += f.size;
    const uint64_t defer =
        std::min(options_.digest_defer,
                 static_cast<uint64_t>(static_cast<double>(total) *
                                       std::clamp(options_.digest_defer_share, 0.0, 1.0)));
    digest_from_ = total - std::min(total, defer);
    progress_.start(options_.progress, total);

    if (threads_ > 1) {
      for (unsigned i = 0; i < threads_; ++i) workers_.emplace_back([this, i] { work(i); });
    } else {
      inline_parser_ = std::make_unique<ChunkParser>(options_, on_event_, prefilter_.get());
    }
    for (const auto& f : files_) {
      if (stopped()) break;
      read_file(f);
      stats_.files++;
      walked_ += f.size;
    }
    finish();
    progress_.finish();
    stats_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(stats_);
  }

 private:
  bool stopped() const { return stop_.load(std::memory_order_relaxed); }

  void record_skip(Skip&& s) {
    if (is_ignorable(s.reason)) {
      stats_.ignored++;
      stats_.ignored_by_reason[s.reason]++;
      if (stats_.ignored_files.size() < options_.max_recorded_skips)
        stats_.ignored_files.push_back(std::move(s));
      return;
    }
    stats_.skipped++;
    stats_.skipped_by_reason[s.reason]++;
    if (stats_.skips.size() < options_.max_recorded_skips) stats_.skips.push_back(std::move(s));
  }

  std::unique_ptr<Buffer> take_buffer() {
    std::lock_guard lock(mu_);
    if (pool_.empty()) return std::make_unique<Buffer>();
    auto b = std::move(pool_.back());
    pool_.pop_back();
    b->clear();
    return b;
  }

  void read_file(const FileEntry& f) {
    std::string error;
    auto in = Input::open(f.path, error);
    if (!in) {
      record_skip(Skip{f.path, 0, 0, "unreadable", error});
      if (options_.digests) stats_.digests[f.path].error = error;
      return;
    }
    if (!options_.digests) {
      read_content(f, *in);
      return;
    }
    // Bytes past digest_from_ (counted over the whole input) are left for the deferred digests,
    // each of which holds its file open: a bounded number.
    uint64_t stop = UINT64_MAX;
    if (!stats_.deferred || stats_.deferred->size() < kMaxDeferredFiles)
      stop = digest_from_ > walked_ ? digest_from_ - walked_ : 0;
    in->keep_digest(stop, options_.ahead ? options_.ahead->take(f.path) : nullptr);
    read_content(f, *in);
    if (auto d = in->finish_digest()) {
      stats_.digests[f.path] = std::move(*d);
      return;
    }
    if (!stats_.deferred) stats_.deferred = std::make_shared<DeferredDigests>();
    stats_.deferred->add(in->take_partial_digest(f.path));
  }

  void read_content(const FileEntry& f, Input& in) {
    const size_t chunk_bytes = std::max<size_t>(options_.chunk_bytes, 4096);
    auto buf = take_buffer();
    uint64_t before = in.disk_bytes();
    while (buf->size() < chunk_bytes && in.read(*buf, chunk_bytes - buf->size())) {
    }
    bool complete = !in.error().empty() || buf->size() < chunk_bytes;
    auto note_disk = [&] {
      progress_.advance(in.disk_bytes() - before);
      stats_.bytes_on_disk += in.disk_bytes() - before;
      before = in.disk_bytes();
    };
    if (buf->empty() && !in.error().empty()) {
      note_disk();
      for (auto& s : file_error(f, in, 1)) record_skip(std::move(s));
      return;
    }
    if (auto bad = sniff(f.path, buf->view(), complete && in.error().empty())) {
      if (!in.error().empty()) bad->detail += "; " + in.error();
      note_disk();
      record_skip(std::move(*bad));
      return;
    }
    std::string_view head = first_line(buf->view());
    bool whole_document = head == "{" || head == "[";
    if (whole_document || complete) {
      // Small file, or one large pretty-printed document: read it whole and parse it as a stream of
      // documents, falling back to lines.
      while (in.read(*buf, std::max<size_t>(chunk_bytes, buf->size()))) note_disk();
      note_disk();
      uint64_t end_line = 1 + count_newlines(buf->data(), buf->size());
      submit(f.path, 1, ChunkMode::Auto, std::move(buf), file_error(f, in, end_line));
      return;
    }
    uint64_t line = 1, offset = 0;
    std::vector<Skip> changed;
    map_lines(f, in, *buf, line, offset, changed, note_disk);
    if (stopped()) return;
    for (;;) {
      // Cut after the last complete line; a line longer than a chunk grows the buffer.
      bool more = true;
      const char* nl = nullptr;
      while (more) {
        nl = buf->empty() ? nullptr
                          : static_cast<const char*>(memrchr(buf->data(), '\n', buf->size()));
        if (nl && buf->size() >= chunk_bytes) break;
        more = in.read(*buf, std::max(chunk_bytes, buf->size() / 2));
      }
      note_disk();
      if (!more) {
        uint64_t lines = count_newlines(buf->data(), buf->size());
        auto trailing = file_error(f, in, line + lines);
        trailing.insert(trailing.begin(), changed.begin(), changed.end());
        submit(f.path, line, ChunkMode::Lines, std::move(buf), std::move(trailing), offset);
        return;
      }
      size_t cut = static_cast<size_t>(nl - buf->data()) + 1;
      auto next = take_buffer();
      next->append(buf->data() + cut, buf->size() - cut);
      uint64_t lines = count_newlines(buf->data(), cut);
      buf->resize(cut);
      submit(f.path, line, ChunkMode::Lines, std::move(buf), {}, offset);
      line += lines;
      offset += cut;
      buf = std::move(next);
      if (stopped()) return;
    }
  }

  // The lines of a large plain file from `offset` on (`carry` holds what was read of them), parsed
  // where they lie in the file mapped whole: chunks cut after the last line that ends before each
  // chunk's end, none copied. What the mapping cannot give is left to read(), from the returned
  // offset: the last chunk (the padding simdjson reads past a line would run past the file),
  // whatever the file grew by since, and everything from where the file was found shorter.
  void map_lines(const FileEntry& f, Input& in, Buffer& carry, uint64_t& line, uint64_t& offset,
                 std::vector<Skip>& changed, const auto& note_disk) {
    const size_t chunk_bytes = std::max<size_t>(options_.chunk_bytes, 4096);
    const size_t pad = simdjson::SIMDJSON_PADDING;
    auto map = in.map();
    if (!map || map->size() < offset + 2 * chunk_bytes) return;
    const char* p = map->data();
    uint64_t at = offset;
    auto chain = std::make_shared<LineChain>(line);
    size_t chunks = 0;
    while (!stopped() && at + chunk_bytes + pad <= map->size()) {
      const uint64_t want = at + chunk_bytes;
      const void* nl = memrchr(p + at, '\n', want - at);
      if (!nl) nl = std::memchr(p + want, '\n', map->size() - pad - want);  // a longer line
      if (!nl) break;
      const uint64_t cut = static_cast<uint64_t>(static_cast<const char*>(nl) - p) + 1;
      if (map->damaged()) break;
      in.take_mapped(p + at, at, cut - at);
      note_disk();
      Chunk c;
      c.map = map;
      c.mapped_size = cut - at;
      c.chain = chain;
      c.chain_index = chunks++;
      dispatch(std::move(c), f.path, 0, ChunkMode::Lines, {}, at);
      at = cut;
    }
    const uint64_t lines = chain->first_line(chunks);
    if (map->claim_damage(0, map->size())) changed.push_back(file_changed(f.path, lines));
    // carry holds [offset, offset + carry.size()), and read() goes on after it.
    if (at - offset < carry.size()) {
      carry.consume(at - offset);
    } else {
      in.seek(at);  // should it fail, its error ends the reading, after what was submitted
      carry.clear();
    }
    line = lines;
    offset = at;
  }

  static std::vector<Skip> file_error(const FileEntry& f, const Input& in, uint64_t line) {
    if (in.error().empty()) return {};
    std::string reason = in.error().rfind("truncated gzip", 0) == 0 ? "truncated gzip"
                         : in.error().rfind("corrupt gzip", 0) == 0 ? "corrupt gzip"
                                                                    : "read error";
    std::vector<Skip> v;
    v.push_back(
        Skip{f.path, line, 0, reason, in.error() + "; records before this point were read"});
    return v;
  }

  void submit(const std::string& file, uint64_t first_line, ChunkMode mode,
              std::unique_ptr<Buffer> buf, std::vector<Skip> trailing, uint64_t offset = 0) {
    Chunk c;
    c.buf = std::move(buf);
    dispatch(std::move(c), file, first_line, mode, std::move(trailing), offset);
  }

  void dispatch(Chunk&& c, const std::string& file, uint64_t first_line, ChunkMode mode,
                std::vector<Skip> trailing, uint64_t offset) {
    c.offset = offset;
    c.seq = next_seq_++;
    c.file = file;
    c.first_line = first_line;
    c.mode = mode;
    c.trailing_skips = std::move(trailing);
    if (!inline_parser_) {
      std::unique_lock lock(mu_);
      queue_.push_back(std::move(c));
      work_cv_.notify_one();
      // Deliver what is ready while too much is in flight.
      for (;;) {
        deliver_ready(lock);
        if (next_seq_ - delivered_ < max_in_flight_ || stopped()) break;
        done_cv_.wait(lock);
      }
      return;
    }
    ChunkResult r;
    inline_parser_->parse(c, r);
    release_map(c);
    if (c.buf) pool_.push_back(std::move(c.buf));
    deliver(r);
    ++delivered_;
  }

  // A mapped chunk's pages leave the process's memory once it is parsed.
  static void release_map(Chunk& c) {
    if (!c.map) return;
    c.map->done_with(c.offset, c.mapped_size);
    c.map.reset();
  }

  void work(unsigned worker) {
    ChunkParser parser(options_, on_event_, prefilter_.get());
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      Chunk c = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      ChunkResult r;
      r.out.worker = worker;
      if (!stopped())
        parser.parse(c, r);
      else if (c.chain)
        c.chain->publish(c.chain_index, 0);
      release_map(c);
      lock.lock();
      if (c.buf) pool_.push_back(std::move(c.buf));
      results_.emplace(c.seq, std::move(r));
      done_cv_.notify_all();
    }
  }

  // Called with mu_ held; releases it while calling the user's OutputFn.
  void deliver_ready(std::unique_lock<std::mutex>& lock) {
    for (;;) {
      auto it = results_.find(delivered_);
      if (it == results_.end()) return;
      ChunkResult r = std::move(it->second);
      results_.erase(it);
      lock.unlock();
      deliver(r);
      lock.lock();
      ++delivered_;
    }
  }

  void deliver(ChunkResult& r) {
    stats_.events += r.events;
    stats_.bytes += r.bytes;
    stats_.filtered += r.filtered;
    stats_.samples += r.samples;
    stats_.unparsed_lines += r.unparsed_lines;
    stats_.unparsed_files += r.unparsed_files;
    for (int i = 0; i < kSourceCount; ++i)
      if (r.by_source[i]) stats_.events_by_source[static_cast<Source>(i)] += r.by_source[i];
    for (auto& s : r.skips) record_skip(std::move(s));
    if (!r.out.items.empty() && !stopped() && !on_output_(r.out.items)) stop_ = true;
  }

  void finish() {
    if (inline_parser_) return;
    std::unique_lock lock(mu_);
    while (delivered_ < next_seq_) {
      deliver_ready(lock);
      if (delivered_ >= next_seq_) break;
      done_cv_.wait(lock);
    }
    closing_ = true;
    work_cv_.notify_all();
    lock.unlock();
    for (auto& t : workers_) t.join();
  }

  const ScanOptions& options_;
  const EventFn& on_event_;
  const OutputFn& on_output_;
  unsigned threads_ = 1;
  uint64_t max_in_flight_ = 4;
  std::vector<FileEntry> files_;
  ScanStats stats_;
  Progress progress_;

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Chunk> queue_;
  std::map<uint64_t, ChunkResult> results_;
  std::vector<std::unique_ptr<Buffer>> pool_;
  std::vector<std::thread> workers_;
  std::unique_ptr<Prefilter> prefilter_;
  std::unique_ptr<ChunkParser> inline_parser_;
  uint64_t next_seq_ = 0, delivered_ = 0;
  uint64_t walked_ = 0;       // sizes of the files read so far
  uint64_t digest_from_ = 0;  // where, over the whole input, hashing is left to the deferred
  bool closing_ = false;
  std::atomic<bool> stop_{false};
};

}  // namespace

DigestAhead::DigestAhead(std::vector<std::string> paths)
    : thread_([this, paths = std::move(paths)] { run(paths); }) {}

DigestAhead::~DigestAhead() {
  stop();
}

void DigestAhead::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DigestAhead::run(const std::vector<std::string>& paths) {
  std::vector<Skip> problems;
  for (const auto& f : walk(paths, problems)) {
    if (stop_.load(std::memory_order_relaxed) || parts_.size() >= kMaxAheadFiles) return;
    if (auto part = PartialDigest::start(f.path, stop_)) parts_[f.path] = std::move(part);
  }
}

std::unique_ptr<detail::PartialDigest> DigestAhead::take(const std::string& path) {
  if (thread_.joinable()) return nullptr;  // still hashing: stop() first
  auto it = parts_.find(path);
  if (it == parts_.end()) return nullptr;
  auto p = std::move(it->second);
  parts_.erase(it);
  return p;
}

DeferredDigests::DeferredDigests() = default;
DeferredDigests::~DeferredDigests() = default;

void DeferredDigests::add(std::unique_ptr<detail::PartialDigest> part) {
  parts_.push_back(std::move(part));
}

void DeferredDigests::absorb(DeferredDigests& other) {
  for (auto& p : other.parts_) parts_.push_back(std::move(p));
  other.parts_.clear();
}

size_t DeferredDigests::size() const {
  return parts_.size();
}

std::map<std::string, FileDigest> DeferredDigests::finish() {
  std::map<std::string, FileDigest> out;
  for (auto& p : parts_) out[p->path] = p->finish();
  parts_.clear();
  return out;
}

ScanStats scan(const std::vector<std::string>& paths, const ScanOptions& options,
               const EventFn& on_event, const OutputFn& on_output) {
  Scanner s(options, on_event, on_output);
  return s.run(paths);
}

std::vector<Event> read_all(const std::vector<std::string>& paths, ScanStats* stats,
                            const ScanOptions& options) {
  ScanOptions opts = options;
  unsigned threads =
      opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  opts.threads = threads;
  // Each event becomes one item holding its index in a per-worker store, so order is kept.
  std::vector<std::deque<Event>> store(threads);
  std::mutex store_mu;
  std::vector<Event> out;
  ScanStats s = scan(
      paths, opts,
      [&](const EventView& ev, ChunkOutput& o) {
        Event e = Event::from_view(ev);
        std::lock_guard lock(store_mu);
        store[o.worker].push_back(std::move(e));
        o.items.push_back(fmt::format("{}:{}", o.worker, store[o.worker].size() - 1));
      },
      [&](std::vector<std::string>& items) {
        std::lock_guard lock(store_mu);
        for (const auto& it : items) {
          size_t colon = it.find(':');
          unsigned w = static_cast<unsigned>(std::stoul(it.substr(0, colon)));
          size_t idx = std::stoull(it.substr(colon + 1));
          out.push_back(std::move(store[w][idx]));
        }
        return true;
      });
  if (stats) *stats = std::move(s);
  return out;
}

}  // namespace eksir::sources
