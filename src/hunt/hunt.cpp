#include "hunt/hunt.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ostream>

#include "event/fields.h"
#include "event/summary.h"
#include "query/query.h"
#include "sources/sources.h"
#include "util/table.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::hunt {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "ndjson" || name == "jsonl") return Format::Ndjson;
  if (name == "csv") return Format::Csv;
  return std::nullopt;
}

TimeNs parse_time_bound(std::string_view text, TimeNs now, std::string& error) {
  if (TimeNs t = parse_time(text); t != kNoTime) return t;
  if (TimeNs span = parse_duration(text); span > 0) return util::add_ns(now, -span);
  error = fmt::format(
      "'{}' is neither a time (2026-03-14T09:00:00Z) nor a duration before now (30m, 24h, 7d)",
      text);
  return kNoTime;
}

std::string window_error(std::string_view since_text, TimeNs since, std::string_view until_text,
                         TimeNs until, bool empty_too) {
  if (since == kNoTime || until == kNoTime) return {};
  if (since < until || (since == until && !empty_too)) return {};
  auto shown = [](std::string_view text, TimeNs t) {
    std::string time = format_time(t);
    return text == time ? time : fmt::format("{} ({})", text, time);
  };
  return fmt::format("--since {} is {} --until {}", shown(since_text, since),
                     since == until ? "the same time as" : "later than", shown(until_text, until));
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

  std::vector<std::string> header() const {
    if (!fields_.empty()) return o_.fields;
    return {"time", "source", "actor", "action", "target", "outcome"};
  }

  std::vector<std::string> cells(const EventView& ev) const {
    if (fields_.empty()) return default_cells(ev);
    std::vector<std::string> c;
    for (const auto& f : fields_) c.push_back(field_text(f, ev));
    return c;
  }

  // One item per match, built on the worker that parsed the event.
  std::string item(const EventView& ev) const {
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
        out += "{\"time\":";
        util::append_json_string(out, format_time(ev.time));
        out += ",\"source\":";
        util::append_json_string(out, source_name(ev.source));
        out += ",\"file\":";
        util::append_json_string(out, ev.file);
        out += fmt::format(",\"line\":{},\"record\":{}", ev.line, ev.record);
        if (ev.sample) out += ",\"sample\":true";
        if (fields_.empty()) {
          out += ",\"event\":";
          out.append(ev.raw);
        } else {
          out += ",\"fields\":{";
          for (size_t i = 0; i < fields_.size(); ++i) {
            if (i) out.push_back(',');
            util::append_json_string(out, fields_[i].name());
            out.push_back(':');
            util::append_json_string(out, field_text(fields_[i], ev));
          }
          out += "}";
        }
        out += "}";
        break;
      }
    }
    return out;
  }

 private:
  const HuntOptions& o_;
  std::vector<FieldRef> fields_;
};

std::vector<std::string> split_cells(const std::string& item) {
  std::vector<std::string> cells;
  for (size_t at = 0; at < item.size();) {
    size_t colon = item.find(':', at);
    size_t n = std::stoul(item.substr(at, colon - at));
    cells.push_back(item.substr(colon + 1, n));
    at = colon + 1 + n;
  }
  return cells;
}

}  // namespace

int run(const HuntOptions& o, std::ostream& out, std::ostream& err) {
  auto parsed = query::parse(o.query);
  if (!parsed) {
    const auto& e = parsed.error();
    // The caret goes under the column (counted in code points) as the query is shown.
    size_t before = 0;
    for (size_t chars = 1; before < o.query.size() && chars < e.column; ++chars) do
        ++before;
      while (before < o.query.size() &&
             (static_cast<unsigned char>(o.query[before]) & 0xC0) == 0x80);
    err << fmt::format("eksir hunt: query error: {}\n  {}\n  {}^\n", util::visible(e.message),
                       util::visible(o.query),
                       std::string(util::display_width(o.query.substr(0, before)), ' '));
    return 2;
  }
  for (const auto& w : parsed->warnings) err << "eksir hunt: warning: " << util::visible(w) << "\n";
  query::CompiledQuery compiled = query::compile(parsed->root);
  for (const auto& f : o.fields)
    if (!FieldRef(f).known())
      err << fmt::format("eksir hunt: warning: unknown field '{}' in --fields\n", util::visible(f));

  if (!o.scan)
    if (int rc = sources::check_paths(err, "hunt", o.evidence, o.keep_going)) return rc;
  Renderer renderer(o);
  sources::ScanOptions so;
  so.threads = o.threads;
  so.only = o.only;
  so.since = o.since;
  so.until = o.until;
  so.progress = o.progress && !o.quiet;

  std::atomic<uint64_t> matched_total{0};
  uint64_t emitted = 0;
  util::TableWriter table(out, renderer.header(), o.width);
  bool csv_header_done = false;
  bool json_first = true;
  if (o.format == Format::Json && !o.count_only) out << "{\"events\":[";

  auto on_event = [&](const EventView& ev, sources::ChunkOutput& chunk) {
    if (!compiled.matches(ev)) return;
    if (o.count_only) {
      if (!o.limit) {
        matched_total.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      chunk.items.emplace_back();
      return;
    }
    chunk.items.push_back(renderer.item(ev));
  };
  auto on_output = [&](std::vector<std::string>& items) {
    for (auto& it : items) {
      if (o.limit && emitted >= o.limit) return false;
      ++emitted;
      if (o.count_only) continue;
      switch (o.format) {
        case Format::Ndjson:
          out << it << '\n';
          break;
        case Format::Table:
          table.add(split_cells(it));
          break;
        case Format::Csv:
          if (!csv_header_done) {
            std::string h;
            for (const auto& c : renderer.header()) {
              if (!h.empty()) h.push_back(',');
              util::append_csv_field(h, c);
            }
            out << h << "\n";
            csv_header_done = true;
          }
          out << it << "\n";
          break;
        case Format::Json:
          out << (json_first ? "\n" : ",\n") << it;
          json_first = false;
          break;
      }
    }
    return !(o.limit && emitted >= o.limit);
  };

  sources::ScanStats st =
      o.scan ? o.scan(so, on_event, on_output) : sources::scan(o.evidence, so, on_event, on_output);
  uint64_t matched = emitted + matched_total.load();

  if (o.count_only) {
    out << matched << "\n";
  } else if (o.format == Format::Table) {
    table.finish();
  } else if (o.format == Format::Json) {
    std::string summary = fmt::format(
        "{{\"files\":{},\"events\":{},\"bytes\":{},\"matched\":{},\"skipped\":{},\"seconds\":{:.3f}"
        "}}",
        st.files, st.events, st.bytes, matched, st.skipped, st.seconds);
    out << (json_first ? "" : "\n") << "],\"summary\":" << summary << "}\n";
  }
  out.flush();
  if (!o.quiet)
    sources::print_scan_summary(err, "hunt", st, util::thousands(matched) + " matched", o.strict);
  if (int rc = sources::check_evidence(err, "hunt", st, o.strict)) return rc;
  return matched > 0 ? 0 : 1;  // as grep: 1 when nothing matched
}

}  // namespace eksir::hunt
