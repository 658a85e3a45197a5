// From the case to the report: its sections (sections.h) built in order, then written in the
// format asked for.
#include "report/sections.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report {
namespace {

const incident::Investigation& no_investigation() {
  static const incident::Investigation none;
  return none;
}

}  // namespace

AttackCells attack_cells(const AttackRow& row) {
  AttackCells c;
  std::vector<std::string> tactics;
  for (const auto& t : row.tactics) tactics.push_back(rules::tactic_display_name(t));
  c.tactics = sections::join(tactics, ", ");
  c.titles = sections::join(row.titles, "; ");
  c.criteria = sections::join(row.criteria, ", ");
  return c;
}

Report build_report(const ReportInput& input) {
  using namespace sections;
  const incident::Investigation& inv = input.incident ? *input.incident : no_investigation();
  const CaseData ctx{input, inv, inv.incident, input.incident.has_value()};
  Report rep;
  rep.generated = input.generated;
  if (rep.generated == kNoTime) rep.generated = util::now_ns();
  rep.case_dir = valid_utf8(input.info.dir);
  rep.case_status = valid_utf8(input.info.status);
  rep.close_reason = valid_utf8(input.info.close_reason);
  rep.has_incident = ctx.has_incident;
  Found found;
  for (auto* section : {summary_facts, notes, timeline, investigation, actions, times, impact,
                        root_cause, lessons, metrics, executive_summary, graph})
    section(ctx, rep, found);
  return rep;
}

bool parse_incident(std::string_view text, std::optional<incident::Investigation>& incident,
                    std::string& error) {
  incident.reset();
  incident::ReadResult read = incident::read_json(text);
  if (!read.ok()) {
    error = read.error;
    return false;
  }
  if (read.has_incident) incident = std::move(read.investigation);
  return true;
}

void write(const ReportInput& input, Format format, std::ostream& out) {
  render(build_report(input), format, out);
}

void render(const Report& r, Format format, std::ostream& out) {
  switch (format) {
    case Format::Markdown:
      write_markdown(r, out);
      break;
    case Format::Html:
      write_html(r, out);
      break;
    case Format::Json:
      write_json(r, out);
      break;
  }
}

}  // namespace eksir::report
