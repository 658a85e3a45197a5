// The commands about eksir's own material and a snapshot: rules, posture and fields.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "event/fields.h"
#include "util/text.h"

namespace eksir::cli {

void RulesCli::add(CLI::App& root) {
  sub_ = root.add_subcommand("rules",
                             "Inspect, lint and unit-test rules (default: the built-in pack)");
  sub_->require_subcommand(1);
  for (const char* action : {"list", "validate", "test"}) {
    const char* help = action == std::string("list") ? "List the rules"
                       : action == std::string("validate")
                           ? "Check rules for errors (exit 1 on any)"
                           : "Run every rule against its own test events";
    auto* sub = sub_->add_subcommand(action, help);
    sub->add_option("paths", cmd_.paths, "Rule files or folders");
    sub->callback([this, action] { cmd_.action = action; });
  }
}

int RulesCli::run(const Terminal& out) {
  cmd_.width = out.width;
  cmd_.colour = out.colour;
  return app::rules(cmd_, std::cout, std::cerr);
}

void PostureCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "posture", "Posture checks over a cluster snapshot (kubectl -o json|yaml, aws eks JSON)");
  sub_->add_option("snapshot", options_.snapshot, "Snapshot files or folders")->required();
  sub_->add_option("--config", options_.config, "Organisation policy file (eksir.yaml)");
  sub_->add_option("--format", options_.format, "Output: table, json or sarif")
      ->capture_default_str();
  sub_->add_option("--min-severity", options_.min_severity,
                   "Show results at or above: info, low, medium, high, critical")
      ->capture_default_str();
  sub_->add_option("--fail-on", options_.fail_on,
                   "Exit 1 when a result (not exempted) is at or above this severity");
  sub_->add_flag("-q,--quiet", options_.quiet, "No summary on stderr");
}

int PostureCli::run(const Terminal& out) {
  options_.width = out.width;
  options_.colour = out.colour;
  return app::posture(options_, std::cout, std::cerr);
}

void FieldsCli::add(CLI::App& root) {
  sub_ = root.add_subcommand("fields",
                             "List the field names queries can use (ECS names and native paths)");
  sub_->add_flag("--markdown", markdown_, "Print the table as Markdown (docs/fields.md)");
}

int FieldsCli::run(const Terminal& out) {
  if (markdown_) {
    std::cout << fields_markdown();
    return 0;
  }
  for (const auto& f : field_table())
    std::cout << util::fit_line(fmt::format("{:<55} {}", f.ecs, f.description), out.width) << "\n";
  return 0;
}

}  // namespace eksir::cli
