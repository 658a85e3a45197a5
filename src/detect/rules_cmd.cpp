// `eksir rules list|validate|test`.
#include <fmt/format.h>

#include <ostream>

#include "detect/detect.h"
#include "util/table.h"

namespace eksir::detect {

int rules_command(std::string_view action, const std::vector<std::string>& given, std::ostream& out,
                  std::ostream& err) {
  if (action != "list" && action != "validate" && action != "test") {
    err << fmt::format("eksir rules: unknown action '{}' (list, validate, test)\n", action);
    return 2;
  }
  std::vector<std::string> paths = given;
  if (paths.empty()) paths.push_back(rules::builtin_rules_dir());
  rules::LoadResult loaded = rules::load_paths(paths);
  for (const auto& e : loaded.errors) err << "error: " << e.text() << "\n";
  if (action != "list")
    for (const auto& w : loaded.warnings) err << "warning: " << w.text() << "\n";

  if (action == "list") {
    util::TableWriter t(out, {"id", "severity", "type", "sources", "attack", "criterion", "title"});
    for (const auto& r : loaded.rules) {
      std::string srcs, attack;
      for (auto s : r.sources) srcs += fmt::format("{}{}", srcs.empty() ? "" : ",", source_name(s));
      for (const auto& a : r.attack) attack += fmt::format("{}{}", attack.empty() ? "" : ",", a);
      std::string type = r.correlation.type == rules::CorrelationType::None
                             ? "event"
                             : std::string(rules::correlation_name(r.correlation.type));
      t.add({r.id, std::string(rules::severity_name(r.severity)), type, srcs.empty() ? "any" : srcs,
             attack, r.criterion, r.title});
    }
    t.finish();
    return loaded.ok() ? 0 : 1;
  }
  if (action == "validate") {
    out << fmt::format("{} rules in {} files: {} errors, {} warnings\n", loaded.rules.size(),
                       loaded.files, loaded.errors.size(), loaded.warnings.size());
    return loaded.ok() ? 0 : 1;
  }
  size_t passed = 0, failed = 0;
  for (const auto& r : loaded.rules) {
    RuleTestResult res = test_rule(r);
    out << fmt::format("{} {} ({}/{} cases)\n", res.failed ? "FAIL" : "ok  ", r.id, res.passed,
                       res.passed + res.failed);
    for (const auto& f : res.failures) out << "    " << f << "\n";
    (res.failed ? failed : passed) += 1;
  }
  out << fmt::format("{} rules passed, {} failed, {} could not be loaded\n", passed, failed,
                     loaded.errors.size());
  return failed || !loaded.ok() ? 1 : 0;
}

}  // namespace eksir::detect
