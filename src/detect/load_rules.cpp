// Loading the rules a run uses: the built-in pack and the --rules paths of every format.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <future>

#include "detect/detect.h"
#include "rules/elastic.h"
#include "util/visible.h"

namespace eksir::detect {

RulesLoad load_rules(const std::vector<std::string>& rule_paths, bool builtin, bool quiet) {
  RulesLoad result;
  rules::LoadResult& loaded = result.loaded;
  std::vector<std::string>& said = result.messages;
  // Elastic TOML rules: a .toml file, or a folder holding .toml files (beside any YAML). They
  // load on a thread of their own while the YAML formats load here; merged in the same order.
  std::vector<std::string> yaml_paths, elastic_paths;
  for (const auto& p : rule_paths) {
    if (!rules::is_elastic_file(p)) yaml_paths.push_back(p);
    if (rules::has_elastic_rules(p)) elastic_paths.push_back(p);
  }
  std::future<rules::ElasticLoad> elastic;
  if (!elastic_paths.empty())
    elastic = std::async(std::launch::async,
                         [&elastic_paths] { return rules::load_elastic_paths(elastic_paths); });
  if (builtin) {
    std::string dir = rules::builtin_rules_dir();
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
      loaded = rules::load_paths({dir});
    else {
      result.builtin_missing = dir;
      said.push_back(
          fmt::format("warning: built-in rule pack not found at {}", util::visible(dir)));
    }
  }
  if (!rule_paths.empty()) {
    if (!yaml_paths.empty()) loaded.merge(rules::load_paths(yaml_paths));
    if (elastic.valid()) {
      rules::ElasticLoad el = elastic.get();
      if (!quiet && !el.skipped.empty()) {
        std::string by_type;
        for (const auto& [type, n] : el.skipped_by_type())
          by_type += fmt::format("{}{} {}", by_type.empty() ? "" : ", ", n, util::visible(type));
        said.push_back(
            fmt::format("{} Elastic rule{} skipped, not run ({}; see `eksir rules validate`)",
                        el.skipped.size(), el.skipped.size() == 1 ? "" : "s", by_type));
      }
      size_t new_terms = 0;
      TimeNs shortest = 0, longest = 0;
      for (const auto& r : el.result.rules) {
        if (r.correlation.type != rules::CorrelationType::FirstSeen) continue;
        ++new_terms;
        TimeNs h = r.correlation.history;
        shortest = shortest == 0 ? h : std::min(shortest, h);
        longest = std::max(longest, h);
      }
      if (!quiet && new_terms)
        said.push_back(fmt::format(
            "{} Elastic new_terms rule{} run as first_seen: a value is reported as new only when "
            "the evidence covers the rule's history window ({}) before it; values first seen "
            "earlier are withheld, not reported",
            new_terms, new_terms == 1 ? "" : "s",
            shortest == longest ? format_duration(longest)
                                : format_duration(shortest) + " to " + format_duration(longest)));
      loaded.merge(std::move(el.result));
    }
  }
  // Files of a rules folder that hold no rules: one warning each, whatever --quiet says (a rule
  // file that was meant to load must not go unnoticed).
  for (const auto& s : loaded.skipped_files)
    said.push_back(fmt::format("warning: {}: not a rule file, skipped: {}", util::visible(s.file),
                               util::visible(s.reason)));
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) said.push_back("rule error: " + util::visible(e.text()));
    said.push_back(fmt::format("{} rule error{}; nothing was run (see `eksir rules validate`)",
                               loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s"));
    return result;
  }
  if (!quiet && !loaded.warnings.empty())
    said.push_back(fmt::format("{} rule warning{} (see `eksir rules validate`)",
                               loaded.warnings.size(), loaded.warnings.size() == 1 ? "" : "s"));
  return result;
}

}  // namespace eksir::detect
