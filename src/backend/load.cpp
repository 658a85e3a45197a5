// `eksir load`: evidence files into the ClickHouse tables, in batches, each file recorded as
// loaded only once all of its rows are in.
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <unordered_map>

#include "backend/batch_sender.h"
#include "backend/store.h"
#include "detect/detect.h"
#include "event/summary.h"
#include "sources/sources.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::backend {
namespace {

const std::vector<FieldRef>& typed_refs() {
  static const std::vector<FieldRef> refs = [] {
    std::vector<FieldRef> r;
    for (const auto& t : typed_fields()) r.emplace_back(t.field);
    return r;
  }();
  return refs;
}

// The columns after uid up to the end, minus file_key and file_seq (added in evidence order).
std::string row_tail(const EventView& ev, uint64_t loaded_at) {
  std::string out;
  append_tsv(out, ev.file);
  out += fmt::format("\t{}\t{}\t{}\t", ev.line, ev.record, ev.sample ? 1 : 0);
  EventSummary s = summarize(ev);
  for (const std::string* v : {&s.actor, &s.action, &s.target, &s.outcome}) {
    append_tsv(out, *v);
    out.push_back('\t');
  }
  uint64_t present = 0, irregular = 0;
  std::string arrays;
  const auto& fields = typed_fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    arrays.push_back('[');
    bool first = true;
    typed_refs()[i].any(ev, [&](const FieldValue& v) {
      if (v.type == FieldValue::Type::Null) return false;
      present |= 1ULL << fields[i].bit;
      if (v.type != FieldValue::Type::String) {
        irregular |= 1ULL << fields[i].bit;
        return false;
      }
      if (!first) arrays.push_back(',');
      first = false;
      arrays.push_back('\'');
      append_tsv(arrays, v.str);
      arrays.push_back('\'');
      return false;
    });
    arrays += "]\t";
  }
  out += fmt::format("{}\t{}\t", present, irregular);
  out += arrays;
  append_tsv(out, ev.raw);
  out.push_back('\t');
  std::string normalised = simdjson::minify(ev.doc);
  if (normalised != ev.raw) append_tsv(out, normalised);
  out += fmt::format("\t{}\n", loaded_at);
  return out;
}

std::string row_head(const EventView& ev, std::string& uid) {
  uid = detect::event_id(ev);
  if (uid.empty()) uid = fmt::format("raw:{:016x}", stable_hash(ev.raw));
  std::string out(source_name(ev.source));
  out += fmt::format("\t{}\t", ev.time);
  append_tsv(out, uid);
  return out;
}

struct FileIdentity {
  uint64_t key = 0, size = 0;
  int64_t mtime = 0;
};

FileIdentity identify(const std::string& path) {
  FileIdentity id;
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  id.key = stable_hash(ec ? path : canonical.string());
  struct stat sb {};
  if (::stat(path.c_str(), &sb) == 0) {
    id.size = static_cast<uint64_t>(sb.st_size);
    id.mtime = static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000LL + sb.st_mtim.tv_nsec;
  }
  return id;
}

struct FileState {
  uint64_t key = 0, size = 0, seq = 0, events = 0;
  int64_t mtime = 0;
  std::string path;
};

}  // namespace

Loaded load(const LoadOptions& o) {
  Loaded result;
  auto failed = [&result](std::string line) {
    result.errors.push_back(std::move(line));
    return std::move(result);
  };
  std::string error;
  auto target = parse_target(o.to, error);
  if (!target) return failed("--to: " + util::visible(error));
  Store store(*target);
  if (std::string e = store.ensure_schema(); !e.empty())
    return failed(fmt::format("{}: {}", util::visible(o.to), util::visible(e)));
  // Files already loaded: key → (size, mtime).
  std::map<uint64_t, std::pair<uint64_t, int64_t>> known;
  std::string listing =
      store.query(fmt::format("SELECT file_key, size, mtime FROM {} FINAL FORMAT TabSeparated",
                              store.files_table()),
                  error);
  if (!error.empty())
    return failed(fmt::format("{}: {}", util::visible(o.to), util::visible(error)));
  uint64_t max_seq = 0;
  for (size_t start = 0; start < listing.size();) {
    size_t nl = listing.find('\n', start);
    if (nl == std::string::npos) nl = listing.size();
    unsigned long long key = 0, size = 0;
    long long mtime = 0;
    if (std::sscanf(listing.substr(start, nl - start).c_str(), "%llu\t%llu\t%lld", &key, &size,
                    &mtime) == 3)
      known[key] = {size, mtime};
    start = nl + 1;
  }
  // Files with rows in the table but not recorded as loaded: an earlier load stopped inside them.
  // Loading them again duplicates rows until the table is merged (done at the end of this load).
  std::set<uint64_t> unrecorded;
  for (size_t s = 0; s < target->shards.size(); ++s) {
    std::string keys = store.query(
        fmt::format("SELECT DISTINCT file_key FROM {}.{} FORMAT TabSeparated", target->database,
                    target->distributed() ? "events_local" : "events"),
        error, s);
    if (!error.empty())
      return failed(fmt::format("{}: {}", util::visible(o.to), util::visible(error)));
    for (size_t start = 0; start < keys.size();) {
      size_t nl = keys.find('\n', start);
      if (nl == std::string::npos) nl = keys.size();
      uint64_t key = std::strtoull(keys.c_str() + start, nullptr, 10);
      if (!known.count(key)) unrecorded.insert(key);
      start = nl + 1;
    }
  }
  bool merge_needed = false;
  std::string seq_text =
      store.query(fmt::format("SELECT max(file_seq) FROM {}", store.files_table()), error);
  max_seq = std::strtoull(seq_text.c_str(), nullptr, 10);

  const uint64_t loaded_at = static_cast<uint64_t>(util::now_ns());
  const size_t shards = target->shards.size();
  const std::string table =
      target->database + (target->distributed() ? ".events_local" : ".events");

  // Worker: one item per event: shard byte, file, '\0', head, '\0', tail.
  // Whether a file is already loaded, decided once per file (workers share the answer).
  std::mutex loaded_mutex;
  std::unordered_map<std::string, bool> already_loaded;
  auto is_loaded = [&](std::string_view path) {
    std::lock_guard lock(loaded_mutex);
    auto [it, fresh] = already_loaded.try_emplace(std::string(path), false);
    if (fresh) {
      FileIdentity id = identify(it->first);
      auto k = known.find(id.key);
      it->second = k != known.end() && k->second == std::make_pair(id.size, id.mtime);
    }
    return it->second;
  };

  auto on_event = [&](const EventView& ev, sources::ChunkOutput& chunk) {
    if (is_loaded(ev.file)) {  // one marker per chunk, so the file is counted as skipped
      std::string marker = std::string(1, '\xff') + std::string(ev.file) + '\0';
      if (chunk.items.empty() || chunk.items.back() != marker) chunk.items.push_back(marker);
      return;
    }
    std::string uid;
    std::string head = row_head(ev, uid);
    std::string item(1, static_cast<char>(stable_hash(uid) % shards));
    item.append(ev.file);
    item.push_back('\0');
    item += head;
    item.push_back('\0');
    item += row_tail(ev, loaded_at);
    chunk.items.push_back(std::move(item));
  };

  std::vector<std::string> batches(shards);
  size_t batch_size = 0;
  std::string current_path;
  FileState current;
  bool have_current = false, skipping = false;
  std::vector<FileState> pending;  // finished files whose rows may still be unsent
  uint64_t inserted = 0, files_skipped = 0;
  std::string failure;
  BatchSender sender(store, table);

  // Hands the batches to the sender with the files they complete; the next batch is built
  // meanwhile.
  auto flush = [&]() -> bool {
    std::string rows;
    for (const auto& f : pending) {
      rows += fmt::format("{}\t", f.key);
      append_tsv(rows, f.path);
      rows += fmt::format("\t{}\t{}\t{}\t{}\t{}\n", f.size, f.mtime, f.events, f.seq, loaded_at);
    }
    bool ok = sender.submit(batches, std::move(rows), pending.size());
    pending.clear();
    batch_size = 0;
    return ok;
  };
  auto finish_file = [&] {
    if (have_current && !skipping) pending.push_back(current);
    have_current = false;
  };
  auto start_file = [&](const std::string& path) {
    finish_file();
    have_current = true;
    current = FileState();
    current.path = path;
    FileIdentity id = identify(path);
    current.key = id.key;
    current.size = id.size;
    current.mtime = id.mtime;
    auto it = known.find(current.key);
    skipping = it != known.end() && it->second == std::make_pair(current.size, current.mtime);
    if (skipping) {
      ++files_skipped;
    } else {
      current.seq = ++max_seq;
      // A changed file, or one an earlier load stopped inside: its old rows share keys with
      // the new ones.
      if (it != known.end() || unrecorded.count(current.key)) merge_needed = true;
    }
  };

  auto on_output = [&](std::vector<std::string>& items) {
    for (const auto& item : items) {
      size_t z1 = item.find('\0', 1);
      size_t z2 = item.find('\0', z1 + 1);
      std::string_view path(item.data() + 1, z1 - 1);
      if (!have_current || path != current.path) start_file(std::string(path));
      if (skipping || z2 == std::string::npos) continue;
      std::string& b = batches[static_cast<unsigned char>(item[0])];
      size_t before = b.size();
      b.append(item, z1 + 1, z2 - z1 - 1);
      b += fmt::format("\t{}\t{}\t", current.key, current.seq);
      b.append(item, z2 + 1, std::string::npos);
      batch_size += b.size() - before;
      ++current.events;
      ++inserted;
    }
    if (batch_size >= o.batch_bytes && !flush()) return false;
    return true;
  };

  sources::ScanOptions so;
  so.threads = o.threads;
  so.progress = o.progress && !o.quiet;
  sources::ScanStats st = sources::scan(o.evidence, so, on_event, on_output);
  finish_file();
  flush();
  failure = sender.finish();
  const uint64_t files_loaded = sender.files_recorded();
  // Rows of the same event at the same place collapse when parts merge; queries read without
  // FINAL, so merge now when this load may have added such rows.
  for (size_t s = 0; failure.empty() && merge_needed && s < shards; ++s)
    failure = store.exec(fmt::format("OPTIMIZE TABLE {} FINAL", table), s);
  result.stats = st;
  result.inserted = inserted;
  result.files_loaded = files_loaded;
  result.files_skipped = files_skipped;
  result.batches = sender.batches_sent();
  if (!failure.empty()) {
    result.errors.push_back(fmt::format("{}: {}", util::visible(o.to), util::visible(failure)));
    result.errors.push_back(fmt::format(
        "stopped; {} files were recorded as loaded, the rest were not (loading again resumes "
        "without duplicates)",
        files_loaded));
  }
  return result;
}

}  // namespace eksir::backend
