// Reading every document of a YAML stream, safely.
//
// yaml-cpp 0.7 (Debian 12's) loops forever in YAML::LoadAll, allocating a null document on each
// turn until memory runs out, when a document starts with a token no YAML value can start with
// (a stray ',' at the top level, as in "a,\n,": jbeder/yaml-cpp#1040, fixed upstream after 0.8).
// A rule file or a snapshot is evidence-grade input and must never take the machine down.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

namespace eksir::util {

// YAML::LoadAll(text), except that a document the parser cannot make progress on is a
// YAML::ParserException at its place (line and column), like every other syntax error.
std::vector<YAML::Node> load_all_yaml(std::string_view text);

}  // namespace eksir::util
