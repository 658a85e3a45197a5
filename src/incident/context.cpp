#include "incident/context.h"

#include "detect/detect.h"
#include "incident/graph.h"
#include "sources/sources.h"
#include "util/hash.h"
#include "util/read_at.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>

namespace eksir::incident {
namespace {

// Text kept in memory when no temporary file can be made (a read-only or full TMPDIR).
constexpr uint64_t kMaxMemoryText = 256ull << 20;
constexpr size_t kSpillBuffer = 1u << 20;

}  // namespace

RepeatTable::Entry* RepeatTable::find(uint64_t hash) {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    Entry& e = slots_[at];
    if (e.copies == 0) return nullptr;
    if (e.hash == hash) return &e;
  }
}

void RepeatTable::grow() {
  std::vector<Entry> slots(slots_.empty() ? 4096 : slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (const Entry& e : slots_) {
    if (e.copies == 0) continue;
    size_t at = e.hash & mask;
    while (slots[at].copies != 0) at = (at + 1) & mask;
    slots[at] = e;
  }
  slots_.swap(slots);
}

void RepeatTable::insert(const Entry& e) {
  // At most three quarters full, so that a miss ends soon.
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();
  const size_t mask = slots_.size() - 1;
  size_t at = e.hash & mask;
  while (slots_[at].copies != 0) at = (at + 1) & mask;
  slots_[at] = e;
  ++size_;
}

void RepeatTable::clear() {
  std::vector<Entry>().swap(slots_);
  size_ = 0;
}

ContextStore::ContextStore(unsigned workers, size_t max_records)
    : workers_(std::max(1u, workers)), max_per_worker_(max_records / std::max(1u, workers)) {}

ContextStore::~ContextStore() {
  for (auto& w : workers_)
    if (w.spill) std::fclose(w.spill);
}

void ContextStore::offer(const EventView& ev, unsigned worker) {
  if (scope_candidate(ev)) keep(ev, worker, false, UINT32_MAX);
}

void ContextStore::offer_hit(const EventView& ev, unsigned worker, uint32_t rule) {
  keep(ev, worker, true, rule);
}

void ContextStore::keep(const EventView& ev, unsigned worker, bool hit, uint32_t rule) {
  Worker& w = workers_[worker % workers_.size()];
  ++w.candidates;
  // A node's session through an address several nodes use: the VPC's egress, the node's own call
  // (not kept unless a rule matched it).
  std::string_view ip;
  bool node_session = false;
  if (std::string instance = node_session_of(ev, ip); !instance.empty() && is_public_ip(ip)) {
    auto& nodes = w.node_addresses[std::string(ip)];
    if (nodes.size() >= kEgressNodes && !hit) {
      ++w.egress_skipped[std::string(ip)];
      return;
    }
    if (nodes.size() < kEgressNodes) nodes.insert(std::move(instance));
    node_session = true;
  }
  std::string facets = encode_facets(record_facets(ev), &interner_);
  // The same request again: counted on the copies kept. Keyed by a hash of the facets, checked
  // with a second (a collision of the first is kept as a record of its own, untracked).
  const uint64_t hash = std::hash<std::string_view>{}(facets);
  const uint64_t check = util::fnv1a(facets);  // independent of std::hash's
  RepeatTable::Entry* seen = w.seen.find(hash);
  const bool same = seen && seen->check == check;
  if (same && seen->copies >= kCopiesKept) {
    Record& kept = w.records[seen->first];
    if (kept.rule == UINT32_MAX) kept.rule = rule;
    if (!kept.repeated) kept.repeated = std::make_unique<Repeats>();
    Repeats& more = *kept.repeated;
    ++more.count;
    if (more.ids.size() < kRepeatIdsKept) more.ids.emplace_back(detect::event_id(ev));
    if (ev.time != kNoTime && (more.last == kNoTime || ev.time > more.last)) more.last = ev.time;
    if (ev.time != kNoTime && (more.first == kNoTime || ev.time < more.first)) more.first = ev.time;
    ++w.repeats;
    return;
  }
  if (w.records.size() >= max_per_worker_) {
    ++w.dropped;
    return;
  }
  std::string_view text = ev.raw;
  // A slice of the evidence file is read back from there; other text goes to the spill.
  const bool in_evidence = ev.offset != kNoOffset && !ev.file.empty();
  if (!in_evidence && w.written == 0 && !w.spill && w.error.empty()) {
    w.spill = std::tmpfile();
    if (!w.spill)
      w.error = fmt::format("temporary file: {}", std::strerror(errno));
    else  // a write per MiB rather than per 4 KiB: the spill is tens of megabytes
      std::setvbuf(w.spill, nullptr, _IOFBF, kSpillBuffer);
  }
  Record r;
  r.source = ev.source;
  r.worker = static_cast<uint16_t>(worker % workers_.size());
  if (w.files.empty() || w.last_file != ev.file) {
    w.last_file.assign(ev.file);
    auto it = std::find(w.files.begin(), w.files.end(), w.last_file);
    w.last_index = static_cast<uint32_t>(it - w.files.begin());
    if (it == w.files.end()) w.files.push_back(w.last_file);
  }
  r.file = w.last_index;
  r.line = ev.line;
  r.record = ev.record;
  r.time = ev.time;
  r.offset = w.written;
  r.length = static_cast<uint32_t>(text.size());
  if (in_evidence) {
    r.in_evidence = true;
    r.offset = ev.offset;
    r.checksum = sources::checksum(text);
  } else if (w.spill) {
    if (std::fwrite(text.data(), 1, text.size(), w.spill) != text.size()) {
      ++w.dropped;
      if (w.error.empty()) w.error = fmt::format("temporary file: {}", std::strerror(errno));
      return;
    }
  } else {
    if (w.memory.size() + text.size() > kMaxMemoryText) {
      ++w.dropped;
      return;
    }
    w.memory.append(text);
  }
  if (!in_evidence) w.written += text.size();
  const FacetFile::Ref at = w.facets.append(facets);
  r.facets_at = at.offset;
  r.facets_length = at.length;
  r.facets_hash = hash;
  r.event_id = Id(detect::event_id(ev));
  r.node_session = node_session;
  r.rule = rule;
  if (!seen)
    w.seen.insert({hash, check, static_cast<uint32_t>(w.records.size()), 1});
  else if (same)
    ++seen->copies;
  w.records.push_back(std::move(r));
}

void ContextStore::seal() {
  order_.clear();
  candidates_ = dropped_ = repeats_ = 0;
  egress_.clear();
  // Files in one order for all workers, so that records sort by integers.
  std::vector<std::string> names;
  for (auto& w : workers_) names.insert(names.end(), w.files.begin(), w.files.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<std::vector<uint32_t>> rank(workers_.size());
  std::unordered_map<std::string, std::set<std::string>> nodes_at;
  for (size_t k = 0; k < workers_.size(); ++k) {
    Worker& w = workers_[k];
    if (w.spill) std::fflush(w.spill);
    w.facets.flush();
    candidates_ += w.candidates;
    dropped_ += w.dropped;
    repeats_ += w.repeats;
    for (const auto& f : w.files)
      rank[k].push_back(
          static_cast<uint32_t>(std::lower_bound(names.begin(), names.end(), f) - names.begin()));
    for (auto& r : w.records) {
      // A repeated request's ids grew by doubling: the room left over goes before the
      // correlation, where memory peaks.
      if (r.repeated) r.repeated->ids.shrink_to_fit();
      order_.push_back(&r);
    }
    for (const auto& [ip, nodes] : w.node_addresses)
      nodes_at[ip].insert(nodes.begin(), nodes.end());
    for (const auto& [ip, n] : w.egress_skipped) egress_[ip] += n;
  }
  for (const auto& [ip, nodes] : nodes_at)
    if (nodes.size() >= kEgressNodes) egress_.try_emplace(ip, 0);
  // A worker learns that an address is the egress only after its own first few nodes' calls
  // through it, which it kept: those are the nodes' own calls too, taken out here, so that what
  // is kept does not depend on how the evidence was split among workers.
  if (!egress_.empty())
    std::erase_if(order_, [&](const Record* r) {
      if (!r->node_session) return false;
      std::string_view ip;
      for_each_facet(workers_[r->worker].facets.read({r->facets_at, r->facets_length}),
                     [&](FacetTag tag, std::string_view v) {
                       if (tag == FacetTag::Ip) ip = v;
                     });
      auto it = egress_.find(std::string(ip));
      if (it == egress_.end()) return false;
      it->second += 1 + r->repeats();
      repeats_ -= r->repeats();
      return true;
    });
  // Each worker keeps its own first copies of a request: the requests that repeated an earlier
  // one are all copies but the first of each distinct request, whatever the workers kept.
  std::unordered_set<uint64_t> distinct;
  distinct.reserve(order_.size());
  for (const Record* r : order_) distinct.insert(r->facets_hash);
  repeats_ = repeats_ + order_.size() - distinct.size();
  std::sort(order_.begin(), order_.end(), [&](const Record* a, const Record* b) {
    uint32_t fa = rank[a->worker][a->file], fb = rank[b->worker][b->file];
    if (fa != fb) return fa < fb;
    if (a->line != b->line) return a->line < b->line;
    return a->record < b->record;
  });
  for (auto& w : workers_) {
    w.seen.clear();
    decltype(w.node_addresses)().swap(w.node_addresses);
  }
}

const std::vector<ContextStore::Id>& ContextStore::Record::repeat_ids() const {
  static const std::vector<Id> none;
  return repeated ? repeated->ids : none;
}

std::string_view ContextStore::facets(size_t i) const {
  const Record& r = *order_[i];
  const FacetFile& file = workers_[r.worker].facets;
  std::string_view v = file.read({r.facets_at, r.facets_length});
  if (v.size() != r.facets_length) {
    ++facets_unread_;
    if (facets_error_.empty()) facets_error_ = file.error();
  }
  return v;
}

const std::string& ContextStore::file_of(size_t i) const {
  const Record& r = *order_[i];
  return workers_[r.worker].files[r.file];
}

Event ContextStore::load(size_t i, bool& ok) const {
  const Record& r = *order_[i];
  const Worker& w = workers_[r.worker];
  Event e;
  e.source = r.source;
  e.file = w.files[r.file];
  e.line = r.line;
  e.record = r.record;
  e.time = r.time;
  ok = true;
  if (r.in_evidence) {
    auto it = fetched_.find(i);
    if (it == fetched_.end()) {
      prefetch({i});
      it = fetched_.find(i);
    }
    ok = it != fetched_.end() && it->second.has_value();
    if (ok) {  // taken once; an unreadable one stays, counted once
      e.raw = std::move(*it->second);
      fetched_.erase(it);
    }
    return e;
  }
  if (w.spill) {
    e.raw.resize(r.length);
    ok = util::read_at(fileno(w.spill), r.offset, e.raw.data(), r.length).empty();
  } else {
    e.raw.assign(w.memory, r.offset, r.length);
  }
  return e;
}

void ContextStore::prefetch(const std::vector<size_t>& indices) const {
  // By file, in the order of the records within it.
  std::map<std::pair<uint32_t, uint32_t>, std::vector<size_t>> by_file;
  for (size_t i : indices) {
    if (i >= order_.size() || fetched_.count(i)) continue;
    const Record& r = *order_[i];
    if (r.in_evidence) by_file[{r.worker, r.file}].push_back(i);
  }
  for (auto& [file, records] : by_file) {
    const std::string& path = workers_[file.first].files[file.second];
    std::vector<sources::Slice> slices;
    slices.reserve(records.size());
    for (size_t i : records)
      slices.push_back({order_[i]->offset, order_[i]->length, order_[i]->checksum});
    std::vector<std::string> texts;
    std::string error = sources::read_back(path, slices, texts);
    for (size_t k = 0; k < records.size(); ++k) {
      if (error.empty() && (!texts[k].empty() || slices[k].length == 0)) {
        fetched_[records[k]] = std::move(texts[k]);
        continue;
      }
      fetched_[records[k]] = std::nullopt;
      ++unread_;
      if (unread_error_.empty())
        unread_error_ =
            fmt::format("{}: {}", path, error.empty() ? "changed since it was read" : error);
    }
  }
}

void ContextStore::release() {
  std::vector<const Record*>().swap(order_);
  decltype(fetched_)().swap(fetched_);
  for (auto& w : workers_) {
    if (w.spill) std::fclose(w.spill);
    w.spill = nullptr;
    std::deque<Record>().swap(w.records);
    std::string().swap(w.memory);
    w.facets.clear();
    w.seen.clear();
    decltype(w.node_addresses)().swap(w.node_addresses);
  }
  interner_.clear();
}

std::string ContextStore::error() const {
  for (const auto& w : workers_)
    if (!w.error.empty()) return w.error;
  return {};
}

}  // namespace eksir::incident
