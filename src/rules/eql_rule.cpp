// An Elastic EQL rule's query into the internal rule form: one tree for an event query, steps
// with their join fields for a sequence; rules needing events eksir does not read are skipped.
#include <fmt/format.h>

#include <algorithm>

#include "event/fields.h"
#include "rules/eql.h"

namespace eksir::rules::eql {
namespace {

void add_unknown(std::vector<std::string>& out, const std::vector<std::string>& names) {
  for (const auto& f : names)
    if (!FieldRef(f).known() && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
}

std::vector<std::string> unknown_fields(const Step& s) {
  std::vector<std::string> out;
  add_unknown(out, query::fields(s.match));
  add_unknown(out, s.by);
  return out;
}

}  // namespace

Compiled compile_rule(std::string_view text, const std::string& category_field, uint64_t first_line,
                      Rule& r) {
  Compiled c;
  Options opts;
  opts.category_field = category_field.empty() ? "event.category" : category_field;
  Result res = parse(text, opts);
  auto file_line = [&](uint32_t l) { return first_line ? first_line + l - 1 : 0; };
  if (const Error* e = std::get_if<Error>(&res)) {
    c.outcome = e->unsupported ? Compiled::Skipped : Compiled::Failed;
    c.line = file_line(e->line);
    c.message = e->unsupported ? fmt::format("{} (query line {})", e->message, e->line)
                               : fmt::format("query: bad EQL at line {} column {}: {}", e->line,
                                             e->column, e->message);
    return c;
  }
  Query& q = std::get<Query>(res);
  // A step over Elastic Defend's endpoint events names fields no evidence eksir reads has.
  for (size_t i = 0; i < q.steps.size(); ++i) {
    const Step& s = q.steps[i];
    std::vector<std::string> unknown = unknown_fields(s);
    if (unknown.empty()) continue;
    std::string where =
        q.sequence ? fmt::format("step {} (`{} where`, query line {})", i + 1, s.category, s.line)
                   : fmt::format("`{} where`", s.category);
    if (is_endpoint_category(s.category)) {
      c.outcome = Compiled::Skipped;
      c.line = file_line(s.line);
      c.message = fmt::format(
          "{} needs `{}` events from Elastic Defend (endpoint), which eksir does not read "
          "(fields {})",
          where, s.category, fmt::join(unknown, ", "));
      return c;
    }
    for (const auto& f : unknown)
      c.warnings.push_back(fmt::format("query: unknown field '{}' ({})", f, where));
  }
  if (q.has_until)
    for (const auto& f : unknown_fields(q.until))
      c.warnings.push_back(fmt::format("query: unknown field '{}' (until)", f));

  r.condition = std::string(text);
  if (!q.sequence) {
    r.match = std::move(q.steps[0].match);
    return c;
  }
  r.condition.clear();  // a sequence: the steps hold the conditions
  r.match = query::Node();
  Correlation& cor = r.correlation;
  cor.type = CorrelationType::Sequence;
  cor.group_by = q.by;
  cor.window = q.maxspan ? q.maxspan : kNoMaxspan;
  for (auto& s : q.steps) {
    cor.steps.push_back(query::to_string(s.match));
    cor.step_nodes.push_back(std::move(s.match));
    if (!s.by.empty()) cor.step_by.push_back(std::move(s.by));
  }
  if (q.has_until) {
    cor.until = std::move(q.until.match);
    cor.until_by = std::move(q.until.by);
  }
  r.subject = cor.group_by;
  if (r.subject.empty() && !cor.step_by.empty()) r.subject = cor.step_by.front();
  return c;
}

}  // namespace eksir::rules::eql
