// Elastic detection-rules (TOML) into the one internal rule form. Supported: `query`,
// `new_terms` (→ first_seen) and `threshold` (→ count / distinct_count) rules in KQL (`kuery`).
// Every other rule (EQL, ES|QL, machine learning, Lucene) is reported as skipped with its type
// and the reason, never silently dropped. Loading never throws: problems are Diagnostics.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rules.h"

namespace eksir::rules {

// One Elastic rule that was not loaded by design (a type or language we do not run).
struct ElasticSkip {
  std::string file, rule_id, name;
  std::string type;    // "eql", "esql", "machine_learning", "query/lucene", ...
  std::string reason;  // one line
};

struct ElasticLoad {
  LoadResult result;  // loaded rules (origin "elastic"), errors, warnings, files
  std::vector<ElasticSkip> skipped;
  // Loaded rules by Elastic type ("query", "new_terms", "threshold").
  std::map<std::string, size_t> loaded_by_type;
  std::map<std::string, size_t> skipped_by_type() const;
  void merge(ElasticLoad&& other);
};

// True for a path naming an Elastic TOML rule file (*.toml).
bool is_elastic_file(std::string_view path);
// Loads one Elastic TOML rule file's text (`file` names it in diagnostics).
ElasticLoad load_elastic_text(std::string_view toml, std::string_view file);
// Loads *.toml files and folders (recursively, sorted). Other files in folders are ignored; a
// folder's .toml file with neither [rule] nor [metadata] goes to result.skipped_files.
ElasticLoad load_elastic_paths(const std::vector<std::string>& paths);
// True when a path is a .toml file or a folder holding at least one .toml file (recursively).
bool has_elastic_rules(const std::string& path);

}  // namespace eksir::rules
