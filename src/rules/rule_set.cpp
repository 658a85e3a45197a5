// The rules `eksir rules` looks at: YAML (built-in format, Sigma, Falco) and Elastic TOML.
#include "rules/rule_set.h"

namespace eksir::rules {

RuleSet load_rule_set(const std::vector<std::string>& given) {
  RuleSet set;
  std::vector<std::string> paths = given;
  if (paths.empty()) paths.push_back(builtin_rules_dir());
  // YAML (built-in format, Sigma) through load_paths; Elastic TOML (a .toml file or a folder
  // holding .toml files) through the Elastic loader.
  std::vector<std::string> yaml_paths, elastic_paths;
  for (const auto& p : paths) {
    if (!is_elastic_file(p)) yaml_paths.push_back(p);
    if (has_elastic_rules(p)) elastic_paths.push_back(p);
  }
  if (!yaml_paths.empty()) set.loaded = load_paths(yaml_paths);
  set.yaml_files = set.loaded.files;
  set.yaml_rules = set.loaded.rules.size();
  set.yaml_errors = set.loaded.errors.size();
  set.elastic_given = !elastic_paths.empty();
  if (set.elastic_given) {
    set.elastic = load_elastic_paths(elastic_paths);
    set.elastic_rules = set.elastic.result.rules.size();
    set.elastic_errors = set.elastic.result.errors.size();
    set.elastic_files = set.elastic.result.files;
    set.loaded.merge(std::move(set.elastic.result));
  }
  return set;
}

}  // namespace eksir::rules
