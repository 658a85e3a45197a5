// The compact form of RecordFacets kept for every scope candidate: one item per line, a tag
// byte then the value. Values never hold a newline (keys and addresses do not; user agents and
// verbs have theirs replaced).
#include <algorithm>
#include <cstring>

#include "incident/context.h"
#include "incident/facets.h"
#include "incident/scope.h"

namespace eksir::incident {
namespace {

using T = FacetTag;

void put(std::string& out, FacetTag tag, std::string_view v) {
  if (v.empty()) return;
  out.push_back(static_cast<char>(tag));
  size_t at = out.size();
  out.append(v);
  if (std::memchr(v.data(), '\n', v.size()))
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(at), out.end(), '\n', ' ');
  out.push_back('\n');
}

void put_who(std::string& out, const RecordFacets& f) {
  for (const auto& k : f.credentials) put(out, T::Credential, k);
  for (const auto& k : f.identities) put(out, T::Identity, k);
  put(out, T::Ip, f.source_ip);
  put(out, T::Agent, f.user_agent);
  put(out, T::Account, f.actor_account);
}

void put_what(std::string& out, const RecordFacets& f) {
  for (const auto& k : f.targets) put(out, T::Target, k);
  for (const auto& k : f.created) put(out, T::Created, k);
  for (const auto& k : f.changed) put(out, T::Changed, k);
  for (const auto& k : f.revealed) put(out, T::Revealed, k);
  for (const auto& k : f.aws_auth) put(out, T::AwsAuth, k);
  put(out, T::Owner, f.owner);
  put(out, T::GrantedBy, f.granted_by);
}

void put_how(std::string& out, const RecordFacets& f) {
  put(out, T::Verb, f.verb);
  put(out, T::Detail, f.detail);
  char flags[3];
  size_t n = 0;
  if (f.read_only) flags[n++] = 'r';
  if (f.failed) flags[n++] = 'f';
  if (f.aws_service) flags[n++] = 's';
  put(out, T::Flags, std::string_view(flags, n));
}

// The items of an encoding that `keep` accepts, interned parts written out: the same bytes
// whether or not (and by which interner) who acted was interned.
template <class Keep>
std::string expanded(std::string_view s, Keep&& keep) {
  std::string out;
  out.reserve(s.size());
  for_each_facet(s, [&](FacetTag tag, std::string_view v) {
    if (!keep(tag, v)) return;
    out.push_back(static_cast<char>(tag));
    out.append(v);
    out.push_back('\n');
  });
  return out;
}

}  // namespace

std::string_view FacetInterner::intern(std::string_view who) {
  Shard& shard = shards_[Hash{}(who) % shards_.size()];
  std::lock_guard<std::mutex> hold(shard.lock);
  auto it = shard.held.find(who);
  if (it == shard.held.end()) it = shard.held.emplace(who).first;
  return *it;
}

size_t FacetInterner::size() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard<std::mutex> hold(shard.lock);
    n += shard.held.size();
  }
  return n;
}

void FacetInterner::clear() {
  for (auto& shard : shards_) {
    std::lock_guard<std::mutex> hold(shard.lock);
    decltype(shard.held)().swap(shard.held);
  }
}

std::string encode_facets(const RecordFacets& f, FacetInterner* who) {
  // Made in a buffer of the thread's, then copied at its size: millions are kept.
  thread_local std::string out;
  out.clear();
  put_who(out, f);
  if (who && !out.empty()) {
    std::string_view held = who->intern(out);
    const char* at = held.data();
    const auto n = static_cast<uint32_t>(held.size());
    out.clear();
    out.push_back(kWhoRef);
    out.append(reinterpret_cast<const char*>(&at), sizeof at);
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
  }
  put_what(out, f);
  put_how(out, f);
  return std::string(out);
}

std::string canonical_facets(std::string_view s) {
  return expanded(s, [](FacetTag, std::string_view) { return true; });
}

std::string activity_key(std::string_view s) {
  // The address is its own item; the client is not who acted.
  return expanded(s, [](FacetTag tag, std::string_view v) {
    return tag != T::Agent && !(tag == T::Credential && v.substr(0, 3) == "ip:");
  });
}

RecordFacets decode_facets(std::string_view s) {
  RecordFacets f;
  for_each_facet(s, [&](FacetTag tag, std::string_view item) {
    std::string v(item);
    switch (tag) {
      case T::Credential:
        f.credentials.push_back(std::move(v));
        break;
      case T::Identity:
        f.identities.push_back(std::move(v));
        break;
      case T::Target:
        f.targets.push_back(std::move(v));
        break;
      case T::Created:
        f.created.push_back(std::move(v));
        break;
      case T::Changed:
        f.changed.push_back(std::move(v));
        break;
      case T::Revealed:
        f.revealed.push_back(std::move(v));
        break;
      case T::AwsAuth:
        f.aws_auth.push_back(std::move(v));
        break;
      case T::Owner:
        f.owner = std::move(v);
        break;
      case T::GrantedBy:
        f.granted_by = std::move(v);
        break;
      case T::Ip:
        f.source_ip = std::move(v);
        break;
      case T::Agent:
        f.user_agent = std::move(v);
        break;
      case T::Account:
        f.actor_account = std::move(v);
        break;
      case T::Verb:
        f.verb = std::move(v);
        break;
      case T::Detail:
        f.detail = std::move(v);
        break;
      case T::Flags:
        f.read_only = v.find('r') != std::string::npos;
        f.failed = v.find('f') != std::string::npos;
        f.aws_service = v.find('s') != std::string::npos;
        break;
    }
  });
  return f;
}

ScopeRecord::ScopeRecord(const RecordFacets& facets, TimeNs t, Source s)
    : ScopeRecord(owning(encode_facets(facets), t, s)) {}

ScopeRecord::ScopeRecord(std::string_view encoded, TimeNs t, Source s)
    : time(t), source(s), size_or_index_(static_cast<uint32_t>(encoded.size())) {
  if (encoded.size() > UINT32_MAX) {  // beyond 32 bits: a copy of its own
    where_ = Where::Owned;
    at_ = new std::string(encoded);
    return;
  }
  at_ = encoded.data();
}

ScopeRecord::ScopeRecord(const ContextStore& store, size_t index)
    : time(store.at(index).time),
      source(store.at(index).source),
      where_(Where::Store),
      size_or_index_(static_cast<uint32_t>(index)),
      at_(&store) {}

ScopeRecord ScopeRecord::owning(std::string encoded, TimeNs t, Source s) {
  ScopeRecord r;
  r.time = t;
  r.source = s;
  r.where_ = Where::Owned;
  r.at_ = new std::string(std::move(encoded));
  return r;
}

ScopeRecord::ScopeRecord(const ScopeRecord& other)
    : time(other.time),
      source(other.source),
      where_(other.where_),
      decoded_(other.decoded_),
      size_or_index_(other.size_or_index_),
      at_(other.where_ == Where::Owned ? new std::string(*other.own()) : other.at_) {}

ScopeRecord::ScopeRecord(ScopeRecord&& other) noexcept
    : time(other.time),
      source(other.source),
      where_(other.where_),
      decoded_(other.decoded_),
      size_or_index_(other.size_or_index_),
      at_(other.at_) {
  other.where_ = Where::View;  // what it owned is this record's now
  other.at_ = nullptr;
  other.size_or_index_ = 0;
}

ScopeRecord& ScopeRecord::operator=(ScopeRecord other) noexcept {
  std::swap(time, other.time);
  std::swap(source, other.source);
  std::swap(where_, other.where_);
  std::swap(decoded_, other.decoded_);
  std::swap(size_or_index_, other.size_or_index_);
  std::swap(at_, other.at_);
  return *this;
}

ScopeRecord::~ScopeRecord() {
  if (where_ == Where::Owned) delete own();
}

std::string_view ScopeRecord::encoded() const {
  switch (where_) {
    case Where::Store:
      return static_cast<const ContextStore*>(at_)->facets(size_or_index_);
    case Where::Owned:
      return *own();
    case Where::View:
      break;
  }
  return {static_cast<const char*>(at_), size_or_index_};
}

RecordFacets ScopeRecord::facets() const {
  decoded_ = true;
  return decode_facets(encoded());
}

}  // namespace eksir::incident
