#include "backend/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "util/hash.h"

namespace eksir::backend {

const std::vector<TypedField>& typed_fields() {
  static const std::vector<TypedField> fields = {
      {"f_action", "event.action", 0},
      {"f_provider", "event.provider", 1},
      {"f_outcome", "event.outcome", 2},
      {"f_dataset", "event.dataset", 3},
      {"f_event_id", "event.id", 4},
      {"f_source_ip", "source.ip", 5},
      {"f_user", "user.name", 6},
      {"f_access_key", "aws.cloudtrail.user_identity.access_key_id", 7},
      {"f_arn", "aws.cloudtrail.user_identity.arn", 8},
      {"f_account", "cloud.account.id", 9},
      {"f_region", "cloud.region", 10},
      {"f_cluster", "orchestrator.cluster.name", 11},
      {"f_k8s_user", "kubernetes.audit.user.username", 12},
      {"f_k8s_verb", "kubernetes.audit.verb", 13},
      {"f_k8s_resource", "kubernetes.audit.objectRef.resource", 14},
      {"f_k8s_subresource", "kubernetes.audit.objectRef.subresource", 15},
      {"f_k8s_namespace", "kubernetes.audit.objectRef.namespace", 16},
      {"f_k8s_name", "kubernetes.audit.objectRef.name", 17},
      {"f_status_code", "http.response.status_code", 18},
      // The group_by fields of the built-in first_seen rules (aggregated only on exact keys).
      {"f_user_agent", "user_agent.original", 19},
      {"f_source_address", "source.address", 20},
      {"f_k8s_canonical_arn", "kubernetes.audit.user.extra.canonicalArn", 21},
  };
  return fields;
}

const TypedField* typed_field_for(const FieldRef& field) {
  static const std::vector<FieldRef> refs = [] {
    std::vector<FieldRef> r;
    for (const auto& t : typed_fields()) r.emplace_back(t.field);
    return r;
  }();
  if (field.is_time()) return nullptr;
  for (size_t i = 0; i < refs.size(); ++i) {
    bool same = true;
    for (int s = 0; s < kSourceCount && same; ++s)
      same = refs[i].describe(static_cast<Source>(s)) == field.describe(static_cast<Source>(s));
    if (same) return &typed_fields()[i];
  }
  return nullptr;
}

const std::vector<std::pair<std::string, std::string>>& event_columns() {
  static const std::vector<std::pair<std::string, std::string>> cols = [] {
    std::vector<std::pair<std::string, std::string>> c = {
        {"source", "String"},   {"time", "Int64"},      {"uid", "String"},
        {"file_key", "UInt64"}, {"file_seq", "UInt64"}, {"file", "String"},
        {"line", "UInt64"},     {"record", "UInt64"},   {"sample", "UInt8"},
        {"actor", "String"},    {"action", "String"},   {"target", "String"},
        {"outcome", "String"},  {"present", "UInt64"},  {"irregular", "UInt64"},
    };
    for (const auto& t : typed_fields()) c.emplace_back(t.column, "Array(String)");
    c.emplace_back("raw", "String");
    c.emplace_back("norm", "String");
    c.emplace_back("loaded_at", "UInt64");
    return c;
  }();
  return cols;
}

std::optional<Target> parse_target(std::string_view url, std::string& error) {
  Target t;
  t.url = std::string(url);
  constexpr std::string_view scheme = "clickhouse://";
  if (url.substr(0, scheme.size()) != scheme) {
    error = fmt::format("'{}' is not a clickhouse://HOST:PORT/DB address", url);
    return std::nullopt;
  }
  url.remove_prefix(scheme.size());
  std::string_view query;
  if (size_t q = url.find('?'); q != std::string_view::npos) {
    query = url.substr(q + 1);
    url = url.substr(0, q);
  }
  size_t slash = url.find('/');
  std::string_view hosts = url.substr(0, slash);
  t.database = slash == std::string_view::npos ? "eksir" : std::string(url.substr(slash + 1));
  if (t.database.empty()) t.database = "eksir";
  for (char c : t.database)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      error = fmt::format("database name '{}': letters, digits and '_' only", t.database);
      return std::nullopt;
    }
  while (!hosts.empty()) {
    size_t comma = hosts.find(',');
    std::string_view h = hosts.substr(0, comma);
    hosts = comma == std::string_view::npos ? std::string_view() : hosts.substr(comma + 1);
    Endpoint e;
    size_t colon = h.rfind(':');
    size_t bracket = h.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
      std::string_view p = h.substr(colon + 1);
      unsigned port = 0;
      auto r = std::from_chars(p.data(), p.data() + p.size(), port);
      if (r.ec != std::errc() || r.ptr != p.data() + p.size() || port == 0 || port > 65535) {
        error = fmt::format("bad port '{}' in '{}'", p, t.url);
        return std::nullopt;
      }
      e.port = static_cast<uint16_t>(port);
      h = h.substr(0, colon);
    }
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.empty()) {
      error = fmt::format("no host in '{}'", t.url);
      return std::nullopt;
    }
    e.host = std::string(h);
    t.shards.push_back(std::move(e));
  }
  if (t.shards.empty()) {
    error = fmt::format("no host in '{}'", t.url);
    return std::nullopt;
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.substr(0, 8) == "cluster=") {
      t.cluster = std::string(kv.substr(8));
    } else {
      error = fmt::format("unknown parameter '{}' in '{}' (cluster=NAME)", kv, t.url);
      return std::nullopt;
    }
  }
  if (t.shards.size() > 1 && t.cluster.empty()) {
    error = fmt::format(
        "'{}' names {} shards: add ?cluster=NAME, the server-side cluster that lists them", t.url,
        t.shards.size());
    return std::nullopt;
  }
  return t;
}

std::string Store::exec(std::string_view sql, size_t shard, const BodyFn& on_body) const {
  const Endpoint& e = t_.shards.at(shard);
  // Lists of firing groups make long statements: allow 64 MB (the default is 256 KB).
  HttpReply r = http_post(e.host, e.port, "/?max_query_size=67108864", sql, on_body);
  if (r.ok()) return "";
  if (r.status == 0) return r.error;
  return fmt::format("{}:{} rejected the statement (HTTP {}): {}", e.host, e.port, r.status,
                     r.error);
}

std::string Store::insert(std::string_view table, std::string_view rows, size_t shard) const {
  const Endpoint& e = t_.shards.at(shard);
  std::string target =
      "/?query=" + url_encode(fmt::format("INSERT INTO {} FORMAT TabSeparated", table));
  HttpReply r = http_post(e.host, e.port, target, rows, {});
  if (r.ok()) return "";
  if (r.status == 0) return r.error;
  return fmt::format("{}:{} rejected the batch (HTTP {}): {}", e.host, e.port, r.status, r.error);
}

std::string Store::query(std::string_view sql, std::string& error, size_t shard) const {
  std::string out;
  error = exec(sql, shard, [&](std::string_view piece) {
    out.append(piece);
    return true;
  });
  return out;
}

namespace {

std::string columns_ddl() {
  std::string out;
  for (const auto& [name, type] : event_columns())
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, type);
  return out;
}

// Checks that an existing table has the columns eksir writes.
std::string check_columns(const Store& store, size_t shard, const std::string& table,
                          const std::vector<std::pair<std::string, std::string>>& want) {
  std::string error;
  std::string db = store.target().database;
  std::string have = store.query(
      fmt::format("SELECT name, type FROM system.columns WHERE database = {} AND table = {} "
                  "FORMAT TabSeparated",
                  sql_string(db), sql_string(table)),
      error, shard);
  if (!error.empty()) return error;
  std::vector<std::string> lines;
  for (size_t start = 0; start < have.size();) {
    size_t nl = have.find('\n', start);
    if (nl == std::string::npos) nl = have.size();
    lines.push_back(have.substr(start, nl - start));
    start = nl + 1;
  }
  for (const auto& [name, type] : want)
    if (std::find(lines.begin(), lines.end(), name + "\t" + type) == lines.end())
      return fmt::format(
          "table {}.{} on shard {} exists with another layout: no column {} {} (load into "
          "another database, or drop the table)",
          db, table, shard + 1, name, type);
  return "";
}

}  // namespace

std::string Store::ensure_schema() const {
  const std::string& db = t_.database;
  const std::string engine =
      "ENGINE = ReplacingMergeTree(loaded_at) "
      "PARTITION BY toYYYYMM(toDateTime(greatest(intDiv(time, 1000000000), 0))) "
      "ORDER BY (source, time, uid, file_key, line, record) "
      // Small granules: a selective query reads the raw text of few rows, not of whole blocks.
      "SETTINGS index_granularity = 1024";
  for (size_t s = 0; s < t_.shards.size(); ++s) {
    if (auto e = exec(fmt::format("CREATE DATABASE IF NOT EXISTS {}", db), s); !e.empty()) return e;
    std::string local = t_.distributed() ? "events_local" : "events";
    if (auto e = exec(fmt::format("CREATE TABLE IF NOT EXISTS {}.{} ({}) {}", db, local,
                                  columns_ddl(), engine),
                      s);
        !e.empty())
      return e;
    if (auto e = check_columns(*this, s, local, event_columns()); !e.empty()) return e;
    if (t_.distributed()) {
      if (auto e = exec(fmt::format("CREATE TABLE IF NOT EXISTS {0}.events AS {0}.events_local "
                                    "ENGINE = Distributed({1}, {0}, events_local, cityHash64(uid))",
                                    db, t_.cluster),
                        s);
          !e.empty())
        return e;
    }
  }
  static const std::vector<std::pair<std::string, std::string>> file_cols = {
      {"file_key", "UInt64"}, {"file", "String"},     {"size", "UInt64"},     {"mtime", "Int64"},
      {"events", "UInt64"},   {"file_seq", "UInt64"}, {"loaded_at", "UInt64"}};
  std::string cols;
  for (const auto& [name, type] : file_cols)
    cols += fmt::format("{}{} {}", cols.empty() ? "" : ", ", name, type);
  if (auto e = exec(fmt::format("CREATE TABLE IF NOT EXISTS {}.files ({}) ENGINE = "
                                "ReplacingMergeTree(loaded_at) ORDER BY file_key",
                                db, cols));
      !e.empty())
    return e;
  return check_columns(*this, 0, "files", file_cols);
}

void append_tsv(std::string& out, std::string_view value) {
  // Runs of characters that need no escape are copied at once (most of an event's text).
  static constexpr auto escape = [] {
    std::array<char, 256> e{};
    e[static_cast<unsigned char>('\\')] = '\\';
    e[static_cast<unsigned char>('\'')] = '\'';
    e[static_cast<unsigned char>('\t')] = 't';
    e[static_cast<unsigned char>('\n')] = 'n';
    e[static_cast<unsigned char>('\r')] = 'r';
    e[0] = '0';
    e[static_cast<unsigned char>('\b')] = 'b';
    e[static_cast<unsigned char>('\f')] = 'f';
    return e;
  }();
  out.reserve(out.size() + value.size() + value.size() / 16);
  const char* p = value.data();
  const char* end = p + value.size();
  const char* run = p;
  for (; p != end; ++p) {
    char e = escape[static_cast<unsigned char>(*p)];
    if (!e) continue;
    out.append(run, p);
    out.push_back('\\');
    out.push_back(e);
    run = p + 1;
  }
  out.append(run, end);
}

std::string unescape_tsv(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  size_t i = 0;
  for (size_t slash; (slash = field.find('\\', i)) != std::string_view::npos; i = slash + 2) {
    out.append(field.data() + i, slash - i);
    if (slash + 1 == field.size()) {
      out.push_back('\\');
      return out;
    }
    char n = field[slash + 1];
    switch (n) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case '0':
        out.push_back('\0');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'a':
        out.push_back('\a');
        break;
      case 'v':
        out.push_back('\v');
        break;
      default:
        out.push_back(n);
    }
  }
  out.append(field.data() + i, field.size() - i);
  return out;
}

std::string sql_string(std::string_view text) {
  std::string out = "'";
  append_tsv(out, text);
  out += "'";
  return out;
}

uint64_t stable_hash(std::string_view text) {
  return util::fnv1a(text);
}

}  // namespace eksir::backend
