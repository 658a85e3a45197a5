// The finding table: severity, first seen, rule, ATT&CK tactic and technique, subject, count.
#include <fmt/format.h>

#include <ostream>

#include "detect/detect.h"
#include "util/colour.h"
#include "util/table.h"

namespace eksir::detect {
namespace {
constexpr size_t kTacticColumnFrom = 140, kTechniqueColumnFrom = 100;
}  // namespace

void write_table(const std::vector<Finding>& findings, std::ostream& out, size_t width,
                 bool colour) {
  util::TableWriter table(
      out, {"severity", "first seen", "rule", "tactic", "technique", "subject", "count"}, width);
  table.set_colour(colour);
  table.colour_column(0, util::severity_sgr);
  // On a narrow terminal the rule's title and the subject keep the room: the technique names
  // its tactics, and json has both.
  table.hide_below(3, kTacticColumnFrom);
  table.hide_below(4, kTechniqueColumnFrom);
  for (const auto& f : findings) {
    std::string subject;
    for (const auto& [k, v] : f.subject)
      subject += fmt::format("{}{}={}", subject.empty() ? "" : " ", k, v);
    // A rule by its title (a Sigma or Elastic id is a UUID); an alert by its source and title.
    std::string rule = f.rule_id == f.origin ? f.rule_id + ": " + f.title
                       : f.title.empty()     ? f.rule_id
                                             : f.title;
    std::string sev(rules::severity_name(f.severity));
    if (f.sample) sev += " (sample)";
    table.add({sev, format_time(f.first_seen), rule, rules::join_ids(f.tactics),
               rules::join_ids(f.attack), subject, std::to_string(f.count)});
  }
  table.finish();
}

}  // namespace eksir::detect
