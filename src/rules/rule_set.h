// The rules of paths as `eksir rules` shows them: YAML (built-in format, Sigma, Falco) and Elastic
// TOML, loaded together, with what each kind gave.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/elastic.h"
#include "rules/rules.h"

namespace eksir::rules {

struct RuleSet {
  LoadResult loaded;           // every rule, error, warning and skipped file
  ElasticLoad elastic;         // the Elastic part (its rules and errors are in loaded)
  bool elastic_given = false;  // a path held Elastic rules
  uint64_t yaml_files = 0, elastic_files = 0;
  size_t yaml_rules = 0, yaml_errors = 0, elastic_rules = 0, elastic_errors = 0;
};
// No paths: the built-in pack.
RuleSet load_rule_set(const std::vector<std::string>& paths);

}  // namespace eksir::rules
