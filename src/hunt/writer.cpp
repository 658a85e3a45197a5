// The rows of a hunt as `eksir hunt` writes them: a table, csv, ndjson or one JSON document.
#include <fmt/format.h>

#include <ostream>

#include "hunt/hunt.h"
#include "util/colour.h"
#include "util/json_writer.h"
#include "util/table.h"
#include "util/text.h"

namespace eksir::hunt {
namespace {

std::vector<std::string> header(const HuntOptions& o) {
  if (!o.fields.empty()) return o.fields;
  return {"time", "source", "actor", "action", "target", "outcome"};
}

}  // namespace

std::vector<std::string> table_cells(std::string_view row) {
  std::vector<std::string> cells;
  for (size_t at = 0; at < row.size();) {
    size_t colon = row.find(':', at);
    size_t n = std::stoul(std::string(row.substr(at, colon - at)));
    cells.emplace_back(row.substr(colon + 1, n));
    at = colon + 1 + n;
  }
  return cells;
}

struct Writer::Impl {
  Impl(std::ostream& out, const HuntOptions& o, size_t width)
      : out(out), o(o), table(out, header(o), width) {}
  std::ostream& out;
  const HuntOptions& o;
  util::TableWriter table;
  bool marked_copies = false;  // the table's source cell says "×N" of a record with copies
  bool json = false;
  bool started = false;
  bool csv_header_done = false;
  uint64_t rows = 0;
  // JSON: {"events":[...],"duplicates":[...],"summary":{...}}, written as it goes, an element a
  // line.
  util::JsonWriter doc;

  void flush() {
    out << doc.o;
    doc.o.clear();
  }
  void start() {
    if (started) return;
    started = true;
    if (!json) return;
    doc.open('{');
    doc.key("events");
    doc.open('[');
    flush();
  }
};

Writer::Writer(std::ostream& out, const HuntOptions& o, size_t width, bool colour)
    : impl_(std::make_unique<Impl>(out, o, width)) {
  Impl& w = *impl_;
  w.json = o.format == Format::Json && !o.count_only;
  w.marked_copies = o.format == Format::Table && o.fields.empty();
  w.table.set_colour(colour);
  // A severity or priority asked for with --fields is coloured as severities are everywhere.
  for (size_t i = 0; i < o.fields.size(); ++i)
    if (util::ascii_lower(o.fields[i]).find("severity") != std::string::npos ||
        util::ascii_lower(o.fields[i]).find("priority") != std::string::npos)
      w.table.colour_column(i, util::severity_sgr);
}

Writer::~Writer() = default;

void Writer::row(std::string_view row, uint64_t copies) {
  Impl& w = *impl_;
  w.start();
  ++w.rows;
  std::ostream& out = w.out;
  switch (w.o.format) {
    case Format::Ndjson:
      out << row << '\n';
      break;
    case Format::Table: {
      auto cells = table_cells(row);
      if (copies && w.marked_copies && cells.size() > 1)
        cells[1] += fmt::format(" ×{}", copies + 1);
      w.table.add(std::move(cells));
      break;
    }
    case Format::Csv:
      if (!w.csv_header_done) {
        std::string hd;
        for (const auto& c : header(w.o)) {
          if (!hd.empty()) hd.push_back(',');
          util::append_csv_field(hd, c);
        }
        out << hd << "\n";
        w.csv_header_done = true;
      }
      out << row << "\n";
      break;
    case Format::Json: {
      util::JsonWriter& doc = w.doc;
      doc.item();
      doc.raw("\n");
      if (copies && !row.empty()) {
        // The row's object with one member more.
        doc.raw(row.substr(0, row.size() - 1));
        doc.raw(",");
        doc.key("copies");
        doc.num(copies);
        doc.raw("}");
      } else {
        doc.raw(row);
      }
      w.flush();
      break;
    }
  }
}

void Writer::finish(const Hunt& h) {
  Impl& w = *impl_;
  w.start();
  const HuntOptions& o = w.o;
  if (o.count_only) {
    w.out << h.matched << "\n";
  } else if (o.format == Format::Table) {
    w.table.finish();
  } else if (w.json) {
    util::JsonWriter& doc = w.doc;
    const sources::ScanStats& st = h.stats;
    if (w.rows) doc.raw("\n");
    doc.close(']');
    doc.key("duplicates");
    doc.open('[');
    for (const auto& d : h.duplicates) {
      doc.item();
      doc.raw("\n");
      doc.raw(d);
    }
    if (!h.duplicates.empty()) doc.raw("\n");
    doc.close(']');
    doc.key("summary");
    doc.open('{');
    doc.kv_num("files", st.files);
    doc.kv_num("events", st.events);
    doc.kv_num("bytes", st.bytes);
    doc.kv_num("matched", h.matched);
    doc.kv_num("duplicates", h.folded);
    doc.kv("order", h.order == Order::Time ? "time" : "evidence");
    doc.kv_num("skipped", st.skipped);
    doc.kv_num("seconds", st.seconds, 3);
    doc.close('}');
    doc.close('}');
    doc.raw("\n");
    w.flush();
  }
  w.out.flush();
}

}  // namespace eksir::hunt
