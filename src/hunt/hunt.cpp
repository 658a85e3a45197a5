#include "hunt/hunt.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>

#include "detect/detect.h"
#include "event/fields.h"
#include "event/summary.h"
#include "hunt/item.h"
#include "hunt/time_order.h"
#include "query/query.h"
#include "sources/sources.h"
#include "util/json_writer.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::hunt {

std::optional<Order> parse_order(std::string_view name) {
  if (name == "time") return Order::Time;
  if (name == "evidence") return Order::Evidence;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "ndjson" || name == "jsonl") return Format::Ndjson;
  if (name == "csv") return Format::Csv;
  return std::nullopt;
}

namespace {

std::vector<std::string> default_cells(const EventView& ev) {
  EventSummary s = summarize(ev);
  return {format_time(ev.time),
          std::string(source_name(ev.source)),
          s.actor,
          s.action,
          s.target,
          s.outcome};
}

class Renderer {
 public:
  Renderer(const HuntOptions& o) : o_(o) {
    for (const auto& f : o.fields) fields_.emplace_back(f);
  }

  std::vector<std::string> cells(const EventView& ev) const {
    if (fields_.empty()) return default_cells(ev);
    std::vector<std::string> c;
    for (const auto& f : fields_) c.push_back(field_text(f, ev));
    return c;
  }

  // One item per match, built on the worker that parsed the event.
  std::string item(const EventView& ev, std::string_view event_id) const {
    std::string out;
    switch (o_.format) {
      case Format::Ndjson:
        // One record per line: a record pretty-printed in the evidence is written compactly.
        if (ev.raw.find('\n') == std::string_view::npos) {
          out.append(ev.raw);
        } else {
          size_t at = out.size(), n = 0;
          out.resize(at + ev.raw.size());
          if (simdjson::minify(ev.raw.data(), ev.raw.size(), out.data() + at, n)) n = 0;
          out.resize(at + n);
          if (n == 0) out += simdjson::minify(ev.doc);
        }
        break;
      case Format::Table:
        // Each cell as "<bytes>:<text>": any byte of the evidence may be in the text.
        for (const auto& c : cells(ev)) {
          out += std::to_string(c.size());
          out.push_back(':');
          out += c;
        }
        break;
      case Format::Csv: {
        bool first = true;
        for (const auto& c : cells(ev)) {
          if (!first) out.push_back(',');
          first = false;
          util::append_csv_field(out, c);
        }
        break;
      }
      case Format::Json: {
        util::JsonWriter j;
        j.open('{');
        j.kv("time", format_time(ev.time));
        j.kv("source", source_name(ev.source));
        j.kv("file", ev.file);
        j.kv_num("line", ev.line);
        j.kv_num("record", ev.record);
        if (!event_id.empty()) j.kv("event_id", event_id);
        if (ev.sample) j.kv_bool("sample", true);
        if (fields_.empty()) {
          j.key("event");
          j.raw(ev.raw);
        } else {
          j.key("fields");
          j.open('{');
          for (const auto& f : fields_) j.kv(f.name(), field_text(f, ev));
          j.close('}');
        }
        j.close('}');
        out += j.o;
        break;
      }
    }
    return out;
  }

 private:
  const HuntOptions& o_;
  std::vector<FieldRef> fields_;
};

// How a folded copy is cited in JSON output.
std::string citation(const EventView& ev, std::string_view event_id) {
  util::JsonWriter j;
  j.open('{');
  j.kv("source", source_name(ev.source));
  j.kv("event_id", event_id);
  j.kv("file", ev.file);
  j.kv_num("line", ev.line);
  j.kv_num("record", ev.record);
  j.close('}');
  return std::move(j.o);
}

// A Match without its time (in the item's head) as length-prefixed fields.
void put_field(std::string& out, std::string_view s) {
  uint64_t n = s.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  out.append(s);
}

std::string_view get_field(std::string_view& in) {
  uint64_t n = 0;
  std::memcpy(&n, in.data(), sizeof n);
  std::string_view s = in.substr(sizeof n, n);
  in.remove_prefix(sizeof n + n);
  return s;
}

std::string encode_match(const EventView& ev, std::string_view event_id) {
  EventSummary s = summarize(ev);
  std::string out, line = std::to_string(ev.line), record = std::to_string(ev.record);
  put_field(out, source_name(ev.source));
  put_field(out, event_id);
  put_field(out, ev.file);
  put_field(out, line);
  put_field(out, record);
  put_field(out, s.actor);
  put_field(out, s.action);
  put_field(out, s.target);
  put_field(out, s.outcome);
  put_field(out, ev.raw);
  return out;
}

Match decode_match(std::string_view in) {
  Match m;
  m.source = parse_source(get_field(in)).value_or(Source{});
  m.event_id = get_field(in);
  m.file = get_field(in);
  m.line = std::stoull(std::string(get_field(in)));
  m.record = std::stoull(std::string(get_field(in)));
  m.actor = get_field(in);
  m.action = get_field(in);
  m.target = get_field(in);
  m.outcome = get_field(in);
  m.raw = get_field(in);
  return m;
}

// What makes two records copies of one: the event id, and for an audit event its stage too — a
// request's ResponseStarted and ResponseComplete records share the auditID but are two records
// (a long exec or watch writes both), which grep, jq and every other tool count as two.
std::string fold_key(const EventView& ev, const std::string& event_id) {
  if (ev.source != Source::K8sAudit) return event_id;
  std::string_view stage;
  if (ev.doc["stage"].get(stage) != simdjson::SUCCESS) return event_id;
  std::string key = event_id;
  key.push_back('\x1f');
  key.append(stage);
  return key;
}

}  // namespace

Prepared prepare(const HuntOptions& o) {
  Prepared p;
  auto parsed = query::parse(o.query);
  if (!parsed) {
    p.query_error = parsed.error();
    return p;
  }
  for (const auto& w : parsed->warnings) p.notes.push_back("warning: " + util::visible(w));
  for (const auto& f : o.fields)
    if (!FieldRef(f).known())
      p.notes.push_back(fmt::format("warning: unknown field '{}' in --fields", util::visible(f)));
  p.query = std::move(parsed.value());
  p.compiled = query::compile(p.query.root);
  if (!o.scan) {
    sources::PathCheck paths = sources::check_paths(o.evidence, o.keep_going);
    p.notes.insert(p.notes.end(), paths.lines.begin(), paths.lines.end());
    p.unreadable = paths.stop;
  }
  return p;
}

Hunt scan(const HuntOptions& o, const Prepared& prepared, Sink& sink) {
  const query::Query& parsed = prepared.query;
  const query::CompiledQuery& compiled = prepared.compiled;
  Renderer renderer(o);
  sources::ScanOptions so;
  so.threads = o.threads;
  so.only = o.only;
  so.since = o.since;
  so.until = o.until;
  so.progress = o.progress;
  so.digests = o.digests;

  const bool fold = !o.keep_duplicates;
  const Order order = o.order != Order::Default   ? o.order
                      : o.format == Format::Table ? Order::Time
                                                  : Order::Evidence;
  // A count needs no order.
  const bool by_time = order == Order::Time && !o.count_only;
  const bool json = o.format == Format::Json && !o.count_only;
  if (o.prefilter && !o.strict && !json && !o.scan)
    so.prefilter = query::text_literals(parsed.root);

  Hunt result;
  result.order = by_time ? Order::Time : Order::Evidence;
  std::atomic<uint64_t> matched_fast{0};  // counted on the workers: nothing to fold or order
  uint64_t distinct = 0;
  uint64_t& emitted = result.shown;
  IdentitySet seen;
  TimeOrder time_order(o.sort_memory, o.limit);

  // The query's fields that no event read has (on a source they apply to): said after the scan,
  // since a mistyped native path (objectRef.resourse) is "known" by its top-level key and
  // otherwise silently matches nothing. Events a backend hands over are only its candidates, so
  // not there.
  struct Presence {
    explicit Presence(const std::string& name) : field(name) {}
    FieldRef field;
    std::atomic<bool> seen{false};
  };
  std::vector<std::unique_ptr<Presence>> presence;
  if (!o.scan)
    for (const std::string& name : query::fields(parsed.root))
      if (std::find(parsed.unknown_fields.begin(), parsed.unknown_fields.end(), name) ==
          parsed.unknown_fields.end())  // already said
        presence.push_back(std::make_unique<Presence>(name));
  std::atomic<size_t> unseen{presence.size()};
  auto note_presence = [&](const EventView& ev) {
    for (auto& p : presence)
      if (!p->seen.load(std::memory_order_relaxed) && p->field.applies_to(ev.source) &&
          p->field.exists(ev) && !p->seen.exchange(true))
        unseen.fetch_sub(1, std::memory_order_relaxed);
  };

  auto on_event = [&](const EventView& ev, sources::ChunkOutput& chunk) {
    if (unseen.load(std::memory_order_relaxed)) note_presence(ev);
    if (!compiled.matches(ev)) return;
    if (o.count_only && !o.limit && !fold && !o.on_match) {
      matched_fast.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::string event_id = fold || json || o.on_match ? detect::event_id(ev) : std::string();
    Identity id;
    bool keyed = fold && !event_id.empty();
    if (keyed) id = identity_of(ev.source, fold_key(ev, event_id));
    std::string cite;
    if (keyed && json) cite = citation(ev, event_id);
    std::string match = o.on_match ? encode_match(ev, event_id) : std::string();
    std::string row = o.count_only ? std::string() : renderer.item(ev, event_id);
    chunk.items.push_back(pack_item(ev.time, keyed ? &id : nullptr, cite, match, row));
  };

  // Hands over one row; copies: the other exports folded into it, when known.
  auto emit = [&](const ItemHead& h, uint64_t copies) {
    ++emitted;
    if (o.on_match) {
      Match m = decode_match(h.match);
      m.time = h.time;
      m.copies = copies;
      o.on_match(std::move(m));
    }
    if (!o.count_only) sink.row(h.row, copies);
  };

  auto on_output = [&](std::vector<std::string>& items) {
    for (auto& it : items) {
      if (!by_time && o.limit && emitted >= o.limit) return false;
      ItemHead h = unpack_item(it);
      if (h.keyed) {
        uint64_t first = 0;
        if (!seen.insert(h.id, 0, first)) {
          ++result.folded;
          ++seen.value_at(h.id);
          if (json) result.duplicates.emplace_back(h.cite);
          continue;
        }
      }
      ++distinct;
      if (by_time) {
        TimeNs t = h.time;
        if (!time_order.add(t, distinct, std::move(it))) return false;
      } else {
        emit(h, 0);
      }
    }
    return by_time || !(o.limit && emitted >= o.limit);
  };

  sources::ScanStats& st = result.stats;
  st =
      o.scan ? o.scan(so, on_event, on_output) : sources::scan(o.evidence, so, on_event, on_output);
  if (st.events == 0 && st.filtered == 0 && (st.unparsed_lines || st.unparsed_files) &&
      (st.skipped || st.ignored)) {
    // Nothing parsed was an event, yet something was skipped: whether any event can be read at
    // all (else exit 2) is decided on every record, as without the prefilter. Nothing matched.
    so.prefilter.clear();
    st = sources::scan(o.evidence, so, on_event, on_output);
  }
  if (by_time) {
    result.sort_failed = !time_order.drain([&](std::string_view item) {
      ItemHead h = unpack_item(item);
      emit(h, h.keyed ? seen.value_at(h.id) : 0);
      return true;
    });
  }
  // Lines the prefilter passed over may hold the field: then only a field with a close name
  // that differs (a likely typo) is named, and the warning says what was looked at.
  const bool all_parsed = !st.unparsed_lines && !st.unparsed_files;
  if (st.events)
    for (const auto& p : presence)
      if (!p->seen) {
        std::string close = suggest_field(p->field.name());
        const bool typo = !close.empty() && close != p->field.name();
        if (!all_parsed && !typo) continue;
        result.notes.push_back(
            fmt::format("warning: no event {} has the field '{}'{}{}",
                        all_parsed ? "in the evidence" : "parsed", util::visible(p->field.name()),
                        typo ? fmt::format("; did you mean '{}'?", util::visible(close)) : "",
                        all_parsed ? "" : " (lines without the query's words were not parsed)"));
      }
  result.matched = distinct + matched_fast.load();
  if (o.count_only && o.limit) result.matched = std::min<uint64_t>(result.matched, o.limit);
  result.sort_runs = time_order.runs();
  result.sort_bytes = time_order.spilled_bytes();
  result.sort_error = time_order.error();
  if (!result.sort_error.empty()) result.sort_failed = true;
  return result;
}

}  // namespace eksir::hunt
