// What the commands that read evidence and rules say of them before and after the scan, each line
// after "eksir <command>: " on err, and whether the command goes on.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rules.h"
#include "sources/sources.h"

namespace eksir::app {

// The evidence paths that cannot be read (sources::check_paths): 0 to go on, else 2.
int check_paths(std::ostream& err, std::string_view command, const std::vector<std::string>& paths,
                bool keep_going);
// The rules (detect::load_rules) into loaded: 0 to go on, else 2 (a rule has errors).
// builtin_missing, when given: where the built-in pack was asked for and not found ("" if found).
int load_rules(std::ostream& err, std::string_view command,
               const std::vector<std::string>& rule_paths, bool builtin, bool quiet,
               rules::LoadResult& loaded, std::string* builtin_missing = nullptr);
// The scan's input checks (sources::evidence_problem): 0, else 2.
int check_evidence(std::ostream& err, std::string_view command, const sources::ScanStats& st,
                   bool strict);

}  // namespace eksir::app
