// hunt and detect on ClickHouse: the translated WHERE runs on the server, the rows it returns
// become events again and go through the same local engine and writers as events from files.
#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "backend/fetch_plan.h"
#include "backend/store.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::backend {
namespace {

constexpr const char* kRowColumns = "source, time, file, line, record, sample, raw, norm";
constexpr size_t kRowFields = 8;
constexpr size_t kItemsPerDelivery = 1024;

std::string bounds_sql(const sources::ScanOptions& so) {
  std::string out;
  if (so.only) out += fmt::format(" AND source = {}", sql_string(source_name(*so.only)));
  if (so.since != kNoTime) out += fmt::format(" AND time >= {}", so.since);
  if (so.until != kNoTime) out += fmt::format(" AND time < {}", so.until);
  return out;
}

// Streams the rows of each query (in order) into on_event, delivering items like a scan.
class Fetcher {
 public:
  Fetcher(const Store& store, const sources::EventFn& on_event, const sources::OutputFn& on_output,
          sources::ScanStats& st)
      : store_(store), on_event_(on_event), on_output_(on_output), st_(st) {}

  // Returns "" or the error; stops quietly when on_output asks to.
  std::string run(const std::string& sql) {
    std::string pending;
    std::string failure;
    std::string e = store_.exec(sql, 0, [&](std::string_view piece) {
      pending.append(piece);
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (!row(std::string_view(pending).substr(start, nl - start), failure)) {
          pending.erase(0, nl + 1);
          return false;
        }
      }
      pending.erase(0, start);
      return true;
    });
    if (!failure.empty()) return failure;
    if (!e.empty()) return e;
    if (!pending.empty() && !stopped_)
      return fmt::format("the reply ended inside a row: {}", pending.substr(0, 200));
    return deliver() ? "" : "";
  }

  bool stopped() const { return stopped_; }

 private:
  bool row(std::string_view line, std::string& failure) {
    if (stopped_) return false;
    std::vector<std::string_view> f;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1)
      f.push_back(line.substr(start, tab - start));
    f.push_back(line.substr(start));
    if (f.size() != kRowFields) {
      failure = fmt::format("the server's reply broke off: {}", line.substr(0, 300));
      return false;
    }
    auto src = parse_source(f[0]);
    if (!src) {
      failure = fmt::format("row of unknown source '{}'", f[0]);
      return false;
    }
    std::string file = unescape_tsv(f[2]);
    raw_ = unescape_tsv(f[6]);
    std::string norm = unescape_tsv(f[7]);
    const std::string& json = norm.empty() ? raw_ : norm;
    auto doc = parser_.parse(json);
    if (doc.error()) {
      failure = fmt::format("{}:{}: stored event is not JSON: {}", file, f[3],
                            simdjson::error_message(doc.error()));
      return false;
    }
    EventView ev;
    ev.source = *src;
    ev.file = file;
    ev.time = std::strtoll(std::string(f[1]).c_str(), nullptr, 10);
    ev.line = std::strtoull(std::string(f[3]).c_str(), nullptr, 10);
    ev.record = std::strtoull(std::string(f[4]).c_str(), nullptr, 10);
    ev.sample = f[5] == "1";
    ev.raw = raw_;
    ev.doc = doc.value();
    ++st_.events;
    ++st_.events_by_source[*src];
    st_.bytes += raw_.size();
    on_event_(ev, chunk_);
    if (chunk_.items.size() >= kItemsPerDelivery && !deliver()) return false;
    return true;
  }

  bool deliver() {
    if (chunk_.items.empty() || stopped_) return !stopped_;
    if (!on_output_(chunk_.items)) stopped_ = true;
    chunk_.items.clear();
    return !stopped_;
  }

  const Store& store_;
  const sources::EventFn& on_event_;
  const sources::OutputFn& on_output_;
  sources::ScanStats& st_;
  sources::ChunkOutput chunk_;
  simdjson::dom::parser parser_;
  std::string raw_;
  bool stopped_ = false;
};

// The stats of a run against the store, with the files the table holds.
sources::ScanStats base_stats(const Store& store, std::string& error) {
  sources::ScanStats st;
  std::string n =
      store.query(fmt::format("SELECT count() FROM {} FINAL", store.files_table()), error);
  st.files = std::strtoull(n.c_str(), nullptr, 10);
  return st;
}

std::string select_sql(const Store& store, const std::string& where, const std::string& bounds,
                       const std::string& order) {
  // Rows come back sorted with their text: past 256 MB the server sorts on disk instead of
  // failing on its memory limit.
  return fmt::format(
      "SELECT {} FROM {} WHERE ({}){} {} SETTINGS max_bytes_before_external_sort = 268435456 "
      "FORMAT TabSeparated",
      kRowColumns, store.events_table(), where, bounds, order);
}

std::string describe_parts(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + util::visible(p);
  return out;
}

// The store at url, when it answers and holds the events table; else error says why, as it may
// be printed after "eksir COMMAND: ".
std::optional<Store> open_store(const std::string& url, std::string& error) {
  std::string why;
  auto target = parse_target(url, why);
  if (!target) {
    error = "--on: " + util::visible(why);
    return std::nullopt;
  }
  Store store(*target);
  std::string exists = store.query(fmt::format("EXISTS TABLE {}", store.events_table()), why);
  if (why.empty() && exists.substr(0, 1) != "1")
    why = fmt::format("no table {} (run `eksir load EVIDENCE --to {}` first)", store.events_table(),
                      url);
  if (!why.empty()) {
    error = fmt::format("{}: {}", util::visible(url), util::visible(why));
    return std::nullopt;
  }
  return store;
}

}  // namespace

HuntStore hunt_store(const std::string& url, const std::string& query) {
  HuntStore h;
  auto store = open_store(url, h.error);
  if (!store) return h;
  auto parsed = query::parse(query);
  if (!parsed) return h;  // the hunt reports the query error the usual way
  h.translated = true;
  struct State {
    explicit State(Store s) : store(std::move(s)) {}
    Store store;
    Translation t;
    std::string failure;
  };
  auto state = std::make_shared<State>(std::move(*store));
  state->t = translate(parsed->root);
  const Translation& t = state->t;
  const auto shards = state->store.target().shards.size();
  h.exact = t.exact;
  h.plan.push_back(fmt::format("on {} ({} shard{}): {}", util::visible(url), shards,
                               shards == 1 ? "" : "s",
                               t.exact ? "the whole query runs on the server"
                                       : "the server prefilters, the local engine decides"));
  if (!t.on_server.empty())
    h.plan.push_back("  on the server, exactly: " + describe_parts(t.on_server));
  if (!t.local.empty())
    h.plan.push_back("  locally, on the rows the server returns: " + describe_parts(t.local));
  h.plan.push_back("  SQL: WHERE " + util::visible(t.where));
  h.scan = [state](const sources::ScanOptions& so, const sources::EventFn& on_event,
                   const sources::OutputFn& on_output) {
    sources::ScanStats st = base_stats(state->store, state->failure);
    if (!state->failure.empty()) return st;
    Fetcher f(state->store, on_event, on_output, st);
    state->failure = f.run(select_sql(state->store, state->t.where, bounds_sql(so),
                                      "ORDER BY file_seq, line, record"));
    return st;
  };
  h.count = [state](const sources::ScanOptions& so) -> std::optional<HuntStore::Count> {
    HuntStore::Count c;
    c.stats = base_stats(state->store, state->failure);
    if (!state->failure.empty()) return std::nullopt;
    std::string n =
        state->store.query(fmt::format("SELECT count() FROM {} WHERE ({}){} FORMAT TabSeparated",
                                       state->store.events_table(), state->t.where, bounds_sql(so)),
                           state->failure);
    if (!state->failure.empty()) return std::nullopt;
    c.matched = std::strtoull(n.c_str(), nullptr, 10);
    c.stats.events = c.matched;
    return c;
  };
  h.failure = [state, url] {
    return state->failure.empty()
               ? std::string()
               : fmt::format("{}: {}", util::visible(url), util::visible(state->failure));
  };
  return h;
}

namespace {

// A run's reads from the store: the plan of the fetch, the rows fetched, a failure.
struct ScanState {
  explicit ScanState(Store s) : store(std::move(s)) {}
  Store store;
  std::string extra;  // rows fetched besides the rules' (OR-ed into the plan)
  FetchPlan plan;
  uint64_t rows = 0;
  std::string failure;
};

// The events detect and investigate read from the store: the fetch is planned for the loaded
// rules (the correlation rules aggregated on the server), then the rows stream in evidence order.
std::function<sources::ScanFn(const std::vector<rules::Rule>&)> store_scan(
    std::shared_ptr<ScanState> state) {
  return [state](const std::vector<rules::Rule>& rules) -> sources::ScanFn {
    return [state, rules](const sources::ScanOptions& so, const sources::EventFn& on_event,
                          const sources::OutputFn& on_output) {
      ScanState& s = *state;
      // A failure is also a skip of the scan: whatever is built from the rows read before it
      // (an incident, a case) says that the store's evidence is incomplete.
      auto failed = [&](sources::ScanStats& st) {
        st.skipped++;
        st.skipped_by_reason["store error"]++;
        st.skips.push_back({s.store.target().url, 0, 0, "store error", s.failure});
        return st;
      };
      sources::ScanStats st = base_stats(s.store, s.failure);
      if (!s.failure.empty()) return failed(st);
      std::string bounds = bounds_sql(so);
      s.failure = plan_fetch(s.store, rules, bounds, s.extra, s.plan);
      if (!s.failure.empty()) return failed(st);
      Fetcher f(s.store, on_event, on_output, st);
      // Unsorted: the engine orders what it found itself (its scan of files is parallel too),
      // and sorting the rows with their text would cost the server more than the query.
      s.failure = f.run(select_sql(s.store, s.plan.where, bounds, ""));
      s.rows = st.events;
      return s.failure.empty() ? st : failed(st);
    };
  };
}

// What ran where: one line, then one per correlation rule aggregated on the server.
std::string plan_line(std::string_view command, const std::string& url, const ScanState& s) {
  std::string out =
      fmt::format("eksir {}: on {}: {}; {} rows fetched in all\n", command, util::visible(url),
                  util::visible(describe_plan(s.plan)), util::thousands(s.rows));
  for (const auto& line : s.plan.correlations.per_rule) out += "  " + util::visible(line) + "\n";
  return out;
}

}  // namespace

std::optional<StoreScan> detect_scan(const std::string& url, std::string& error) {
  auto store = open_store(url, error);
  if (!store) return std::nullopt;
  auto state = std::make_shared<ScanState>(std::move(*store));
  StoreScan s;
  s.scan = store_scan(state);
  s.failure = [state, url] {
    return state->failure.empty()
               ? std::string()
               : fmt::format("{}: {}", util::visible(url), util::visible(state->failure));
  };
  s.summary = [state, url] { return plan_line("detect", url, *state); };
  return s;
}

std::optional<StoreScan> investigate_scan(const std::string& url, std::string& error) {
  auto store = open_store(url, error);
  if (!store) return std::nullopt;
  auto state = std::make_shared<ScanState>(std::move(*store));
  // Audit pods/binding writes: the incident places pods on nodes with them. And the records the
  // scope may pull from (incident::scope_candidate, which filters them again exactly): CloudTrail
  // calls, and audit requests by anyone but the cluster's machinery — controllers making pods and
  // jobs, kubelets running pods, anonymous requests included.
  state->extra =
      "(source = 'k8s_audit' AND has(f_k8s_subresource, 'binding'))"
      " OR source = 'cloudtrail'"
      " OR (source = 'k8s_audit' AND (has(f_k8s_user, 'system:anonymous')"
      " OR NOT arrayExists(u -> u LIKE 'system:%' OR u LIKE 'eks:%', f_k8s_user)"
      " OR (arrayExists(u -> u LIKE 'system:serviceaccount:kube-system:%', f_k8s_user)"
      " AND has(f_k8s_verb, 'create') AND hasAny(f_k8s_resource, ['pods', 'jobs', 'replicasets']))"
      " OR (arrayExists(u -> u LIKE 'system:node:%', f_k8s_user)"
      " AND (has(f_k8s_resource, 'pods') OR has(f_k8s_subresource, 'token')))))";
  StoreScan s;
  s.scan = store_scan(state);
  s.failure = [state] { return state->failure; };
  s.summary = [state, url] { return plan_line("investigate", url, *state); };
  return s;
}

}  // namespace eksir::backend
