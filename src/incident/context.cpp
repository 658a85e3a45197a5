#include "incident/context.h"

#include "detect/detect.h"
#include "incident/graph.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace eksir::incident {
namespace {

// Text kept in memory when no temporary file can be made (a read-only or full TMPDIR).
constexpr uint64_t kMaxMemoryText = 256ull << 20;

// Field tags of the encoding: one tag byte, the value, a newline. Values never hold a newline
// (keys and addresses do not; user agents and verbs have theirs replaced).
enum : char {
  kCredential = 'c',
  kIdentity = 'i',
  kTarget = 't',
  kCreated = 'n',
  kChanged = 'h',
  kRevealed = 'r',
  kOwner = 'o',
  kGrantedBy = 'g',
  kIp = 'p',
  kAgent = 'u',
  kAccount = 'a',
  kVerb = 'v',
  kFlags = 'f',
  kAwsAuth = 'w',
  kDetail = 'd',
};

void put(std::string& out, char tag, std::string_view v) {
  if (v.empty()) return;
  out.push_back(tag);
  size_t at = out.size();
  out.append(v);
  if (std::memchr(v.data(), '\n', v.size()))
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(at), out.end(), '\n', ' ');
  out.push_back('\n');
}

}  // namespace

std::string encode_facets(const RecordFacets& f) {
  std::string out;
  out.reserve(256);
  for (const auto& k : f.credentials) put(out, kCredential, k);
  for (const auto& k : f.identities) put(out, kIdentity, k);
  for (const auto& k : f.targets) put(out, kTarget, k);
  for (const auto& k : f.created) put(out, kCreated, k);
  for (const auto& k : f.changed) put(out, kChanged, k);
  for (const auto& k : f.revealed) put(out, kRevealed, k);
  for (const auto& k : f.aws_auth) put(out, kAwsAuth, k);
  put(out, kOwner, f.owner);
  put(out, kGrantedBy, f.granted_by);
  put(out, kIp, f.source_ip);
  put(out, kAgent, f.user_agent);
  put(out, kAccount, f.actor_account);
  put(out, kVerb, f.verb);
  put(out, kDetail, f.detail);
  std::string flags;
  if (f.read_only) flags += 'r';
  if (f.failed) flags += 'f';
  if (f.aws_service) flags += 's';
  put(out, kFlags, flags);
  return out;
}

std::string activity_key(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view item = s.substr(0, nl == std::string_view::npos ? s.size() : nl + 1);
    s.remove_prefix(item.size());
    if (!item.empty() && item[0] != kCredential && item[0] != kAgent) out.append(item);
  }
  return out;
}

RecordFacets decode_facets(std::string_view s) {
  RecordFacets f;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view item = s.substr(0, nl);
    s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
    if (item.empty()) continue;
    std::string v(item.substr(1));
    switch (item[0]) {
      case kCredential:
        f.credentials.push_back(std::move(v));
        break;
      case kIdentity:
        f.identities.push_back(std::move(v));
        break;
      case kTarget:
        f.targets.push_back(std::move(v));
        break;
      case kCreated:
        f.created.push_back(std::move(v));
        break;
      case kChanged:
        f.changed.push_back(std::move(v));
        break;
      case kRevealed:
        f.revealed.push_back(std::move(v));
        break;
      case kAwsAuth:
        f.aws_auth.push_back(std::move(v));
        break;
      case kOwner:
        f.owner = std::move(v);
        break;
      case kGrantedBy:
        f.granted_by = std::move(v);
        break;
      case kIp:
        f.source_ip = std::move(v);
        break;
      case kAgent:
        f.user_agent = std::move(v);
        break;
      case kAccount:
        f.actor_account = std::move(v);
        break;
      case kVerb:
        f.verb = std::move(v);
        break;
      case kDetail:
        f.detail = std::move(v);
        break;
      case kFlags:
        f.read_only = v.find('r') != std::string::npos;
        f.failed = v.find('f') != std::string::npos;
        f.aws_service = v.find('s') != std::string::npos;
        break;
      default:
        break;
    }
  }
  return f;
}

ContextStore::ContextStore(unsigned workers, size_t max_records)
    : workers_(std::max(1u, workers)), max_per_worker_(max_records / std::max(1u, workers)) {}

ContextStore::~ContextStore() {
  for (auto& w : workers_)
    if (w.spill) std::fclose(w.spill);
}

void ContextStore::offer(const EventView& ev, unsigned worker) {
  if (!scope_candidate(ev)) return;
  Worker& w = workers_[worker % workers_.size()];
  ++w.candidates;
  // A node's session through an address several nodes use: the VPC's egress, the node's own call.
  std::string_view ip;
  if (std::string instance = node_session_of(ev, ip); !instance.empty() && is_public_ip(ip)) {
    auto& nodes = w.node_addresses[std::string(ip)];
    if (nodes.size() >= kEgressNodes) {
      ++w.egress_skipped[std::string(ip)];
      return;
    }
    nodes.insert(std::move(instance));
  }
  w.scratch = encode_facets(record_facets(ev));
  // The same request again: counted on the copies kept.
  auto [seen, first] = w.seen.try_emplace(w.scratch, w.records.size(), 0);
  if (!first && seen->second.second >= kCopiesKept) {
    Record& kept = w.records[seen->second.first];
    ++kept.repeats;
    if (kept.repeat_ids.size() < kRepeatIdsKept) kept.repeat_ids.push_back(detect::event_id(ev));
    if (ev.time != kNoTime && (kept.last == kNoTime || ev.time > kept.last)) kept.last = ev.time;
    if (ev.time != kNoTime && (kept.first == kNoTime || ev.time < kept.first)) kept.first = ev.time;
    ++w.repeats;
    return;
  }
  if (w.records.size() >= max_per_worker_) {
    ++w.dropped;
    return;
  }
  std::string_view text = ev.raw;
  if (w.written == 0 && !w.spill && w.error.empty()) {
    w.spill = std::tmpfile();
    if (!w.spill) w.error = fmt::format("temporary file: {}", std::strerror(errno));
  }
  Record r;
  r.source = ev.source;
  r.worker = worker % workers_.size();
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
  if (w.spill) {
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
  w.written += text.size();
  r.facets = w.scratch;
  r.event_id = detect::event_id(ev);
  if (first) seen->second.first = w.records.size();
  ++seen->second.second;
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
    candidates_ += w.candidates;
    dropped_ += w.dropped;
    repeats_ += w.repeats;
    for (const auto& f : w.files)
      rank[k].push_back(
          static_cast<uint32_t>(std::lower_bound(names.begin(), names.end(), f) - names.begin()));
    for (const auto& r : w.records) order_.push_back(&r);
    for (const auto& [ip, nodes] : w.node_addresses)
      nodes_at[ip].insert(nodes.begin(), nodes.end());
    for (const auto& [ip, n] : w.egress_skipped) egress_[ip] += n;
  }
  for (const auto& [ip, nodes] : nodes_at)
    if (nodes.size() >= kEgressNodes) egress_.try_emplace(ip, 0);
  std::sort(order_.begin(), order_.end(), [&](const Record* a, const Record* b) {
    uint32_t fa = rank[a->worker][a->file], fb = rank[b->worker][b->file];
    if (fa != fb) return fa < fb;
    if (a->line != b->line) return a->line < b->line;
    return a->record < b->record;
  });
  for (auto& w : workers_) {
    w.seen = {};
    w.node_addresses = {};
  }
}

RecordFacets ContextStore::facets(size_t i) const {
  return decode_facets(order_[i]->facets);
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
  if (w.spill) {
    e.raw.resize(r.length);
    size_t done = 0;
    while (done < r.length) {
      ssize_t n = ::pread(fileno(w.spill), e.raw.data() + done, r.length - done,
                          static_cast<off_t>(r.offset + done));
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        ok = false;
        break;
      }
      done += static_cast<size_t>(n);
    }
  } else {
    e.raw.assign(w.memory, r.offset, r.length);
  }
  return e;
}

std::string ContextStore::error() const {
  for (const auto& w : workers_)
    if (!w.error.empty()) return w.error;
  return {};
}

}  // namespace eksir::incident
