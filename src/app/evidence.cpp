#include "app/evidence.h"

#include <ostream>

#include "detect/detect.h"

namespace eksir::app {

int check_paths(std::ostream& err, std::string_view command, const std::vector<std::string>& paths,
                bool keep_going) {
  sources::PathCheck c = sources::check_paths(paths, keep_going);
  for (const auto& line : c.lines) err << "eksir " << command << ": " << line << "\n";
  return c.stop ? 2 : 0;
}

int load_rules(std::ostream& err, std::string_view command,
               const std::vector<std::string>& rule_paths, bool builtin, bool quiet,
               rules::LoadResult& loaded, std::string* builtin_missing) {
  detect::RulesLoad r = detect::load_rules(rule_paths, builtin, quiet);
  if (builtin_missing) *builtin_missing = r.builtin_missing;
  for (const auto& line : r.messages) err << "eksir " << command << ": " << line << "\n";
  loaded = std::move(r.loaded);
  return loaded.ok() ? 0 : 2;
}

int check_evidence(std::ostream& err, std::string_view command, const sources::ScanStats& st,
                   bool strict) {
  std::string problem = sources::evidence_problem(st, strict);
  if (problem.empty()) return 0;
  err << "eksir " << command << ": " << problem << "\n";
  return 2;
}

}  // namespace eksir::app
