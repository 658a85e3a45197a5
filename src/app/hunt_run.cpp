#include "app/hunt_run.h"

#include <fmt/format.h>

#include <ostream>

#include "util/text.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

// The parser's message, the query, and a caret under the column (counted in code points) as the
// query is shown.
std::string query_error(const std::string& query, const query::ParseError& e) {
  size_t before = 0;
  for (size_t chars = 1; before < query.size() && chars < e.column; ++chars) do
      ++before;
    while (before < query.size() && (static_cast<unsigned char>(query[before]) & 0xC0) == 0x80);
  return fmt::format("eksir hunt: query error: {}\n  {}\n  {}^\n", util::visible(e.message),
                     util::visible(query),
                     std::string(util::display_width(query.substr(0, before)), ' '));
}

// "12 matched", with the copies folded and the rows a limit left out.
std::string result_text(const hunt::Hunt& h, const hunt::HuntOptions& o) {
  std::string result = util::thousands(h.matched) + " matched";
  if (h.folded)
    result += fmt::format(
        " ({} duplicate {} of the same {} folded; --keep-duplicates shows "
        "every copy)",
        util::thousands(h.folded), h.folded == 1 ? "export" : "exports",
        h.folded == 1 ? "record" : "records");
  if (h.order == hunt::Order::Time && o.limit && h.shown < h.matched)
    result += fmt::format(", the first {} by time shown", util::thousands(h.shown));
  return result;
}

}  // namespace

int run_hunt(hunt::HuntOptions o, const HuntOutput& output, std::ostream& out, std::ostream& err,
             const std::function<void(const sources::ScanStats&)>& before_summary) {
  o.progress = o.progress && !output.quiet;
  hunt::Prepared prepared = hunt::prepare(o);
  if (prepared.query_error) {
    err << query_error(o.query, *prepared.query_error);
    return 2;
  }
  for (const auto& note : prepared.notes) err << "eksir hunt: " << note << "\n";
  if (!prepared.ok()) return 2;

  hunt::Writer writer(out, o, output.width, output.colour);
  hunt::Hunt h = hunt::scan(o, prepared, writer);
  for (const auto& note : h.notes) err << "eksir hunt: " << note << "\n";
  writer.finish(h);
  if (before_summary) before_summary(h.stats);
  if (!output.quiet) {
    err << sources::scan_summary("hunt", h.stats, result_text(h, o), o.strict);
    if (h.sort_runs)
      err << fmt::format(
          "eksir hunt: sorted by time through {} temporary {} ({} MB; --sort evidence holds "
          "nothing)\n",
          h.sort_runs, h.sort_runs == 1 ? "file" : "files", h.sort_bytes >> 20);
  }
  if (h.sort_failed) {
    err << "eksir hunt: sorting by time: " << util::visible(h.sort_error)
        << " (--sort evidence writes the rows as they are found, holding none)\n";
    return 2;
  }
  if (std::string problem = sources::evidence_problem(h.stats, o.strict); !problem.empty()) {
    err << "eksir hunt: " << problem << "\n";
    return 2;
  }
  return h.matched > 0 ? 0 : 1;  // as grep: 1 when nothing matched
}

}  // namespace eksir::app
