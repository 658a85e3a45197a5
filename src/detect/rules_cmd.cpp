// `eksir rules list|validate|test`.
#include <fmt/format.h>

#include <map>
#include <ostream>

#include "detect/detect.h"
#include "rules/elastic.h"
#include "util/colour.h"
#include "util/table.h"
#include "util/visible.h"

namespace eksir::detect {

int rules_command(std::string_view action, const std::vector<std::string>& given, std::ostream& out,
                  std::ostream& err, size_t width, bool colour) {
  if (action != "list" && action != "validate" && action != "test") {
    err << fmt::format("eksir rules: unknown action '{}' (list, validate, test)\n",
                       util::visible(action));
    return 2;
  }
  std::vector<std::string> paths = given;
  if (paths.empty()) paths.push_back(rules::builtin_rules_dir());
  // YAML (built-in format, Sigma) through load_paths; Elastic TOML (a .toml file or a folder
  // holding .toml files) through the Elastic loader.
  std::vector<std::string> yaml_paths, elastic_paths;
  for (const auto& p : paths) {
    if (!rules::is_elastic_file(p)) yaml_paths.push_back(p);
    if (rules::has_elastic_rules(p)) elastic_paths.push_back(p);
  }
  rules::LoadResult loaded;
  if (!yaml_paths.empty()) loaded = rules::load_paths(yaml_paths);
  const uint64_t yaml_files = loaded.files;
  const size_t yaml_rules = loaded.rules.size(), yaml_errors = loaded.errors.size();
  rules::ElasticLoad elastic;
  size_t elastic_rules = 0, elastic_errors = 0;
  uint64_t elastic_files = 0;
  if (!elastic_paths.empty()) {
    elastic = rules::load_elastic_paths(elastic_paths);
    elastic_rules = elastic.result.rules.size();
    elastic_errors = elastic.result.errors.size();
    elastic_files = elastic.result.files;
    loaded.merge(std::move(elastic.result));
  }
  for (const auto& s : loaded.skipped_files)
    err << fmt::format("eksir rules: warning: {}: not a rule file, skipped: {}\n",
                       util::visible(s.file), util::visible(s.reason));
  for (const auto& e : loaded.errors)
    err << "eksir rules: error: " << util::visible(e.text()) << "\n";
  if (action != "list")
    for (const auto& w : loaded.warnings)
      err << "eksir rules: warning: " << util::visible(w.text()) << "\n";

  if (action == "list") {
    util::TableWriter t(
        out, {"id", "severity", "type", "sources", "tactic", "technique", "criterion", "title"},
        width);
    t.set_colour(colour);
    t.colour_column(1, util::severity_sgr);
    t.hide_below(4, 140);  // the tactics on a narrow terminal: the techniques name them
    for (const auto& r : loaded.rules) {
      std::string srcs;
      for (auto s : r.sources) srcs += fmt::format("{}{}", srcs.empty() ? "" : ",", source_name(s));
      std::string type = r.correlation.type == rules::CorrelationType::None
                             ? "event"
                             : std::string(rules::correlation_name(r.correlation.type));
      t.add({r.id, std::string(rules::severity_name(r.severity)), type, srcs.empty() ? "any" : srcs,
             rules::join_ids(r.tactics), rules::join_ids(r.attack), r.criterion, r.title});
    }
    t.finish();
    return loaded.ok() ? 0 : 1;
  }
  if (action == "validate") {
    out << fmt::format("{} rules in {} files: {} errors, {} warnings\n", loaded.rules.size(),
                       loaded.files, loaded.errors.size(), loaded.warnings.size());
    if (!loaded.skipped_files.empty())
      out << fmt::format("{} file{} skipped, not rule files (see the warnings)\n",
                         loaded.skipped_files.size(), loaded.skipped_files.size() == 1 ? "" : "s");
    // Public formats read through the YAML loader (Falco): loaded, skipped by reason, disabled.
    std::map<std::string, size_t> loaded_by_format;
    for (const auto& r : loaded.rules) ++loaded_by_format[r.origin];
    std::map<std::string, std::map<std::string, size_t>> skipped_by_format;
    std::map<std::string, size_t> disabled_by_format;
    size_t not_loaded = 0;
    for (const auto& n : loaded.not_loaded) {
      if (n.disabled) {
        ++disabled_by_format[n.format];
        continue;
      }
      ++skipped_by_format[n.format][n.reason];
      ++not_loaded;
    }
    for (const std::string format : {"falco", "sigma"}) {
      size_t skipped = 0;
      std::string reasons;
      for (const auto& [reason, n] : skipped_by_format[format]) {
        skipped += n;
        reasons += fmt::format("{}{} {}", reasons.empty() ? "" : "; ", n, util::visible(reason));
      }
      if (!loaded_by_format[format] && !skipped && !disabled_by_format[format]) continue;
      out << fmt::format("{}: {} loaded, {} skipped{}, {} disabled\n", format,
                         loaded_by_format[format], skipped,
                         reasons.empty() ? "" : " (" + reasons + ")", disabled_by_format[format]);
      for (const auto& n : loaded.not_loaded)
        if (n.format == format)
          out << fmt::format("  {}: {}:{}: [{}] {}\n", n.disabled ? "disabled" : "skipped",
                             util::visible(n.file), n.line, util::visible(n.rule),
                             util::visible(n.reason));
    }
    if (not_loaded)
      out << fmt::format("not every rule loaded: {} rule{} skipped (exit 1)\n", not_loaded,
                         not_loaded == 1 ? "" : "s");
    if (elastic_paths.empty()) return loaded.ok() && !not_loaded ? 0 : 1;
    if (yaml_files > 0)
      out << fmt::format("yaml: {} rules loaded from {} files, {} errors\n", yaml_rules, yaml_files,
                         yaml_errors);
    auto by_type = [](const std::map<std::string, size_t>& m) {
      std::string s;
      for (const auto& [type, n] : m)
        s += fmt::format("{}{} {}", s.empty() ? "" : ", ", n, util::visible(type));
      return s.empty() ? std::string("none") : s;
    };
    out << fmt::format("elastic: {} files: {} loaded ({}), {} skipped ({}), {} errors\n",
                       elastic_files, elastic_rules, by_type(elastic.loaded_by_type),
                       elastic.skipped.size(), by_type(elastic.skipped_by_type()), elastic_errors);
    if (auto eql = elastic.loaded_by_type.find("eql");
        eql != elastic.loaded_by_type.end() || elastic.skipped_by_type().count("eql")) {
      size_t endpoint = 0, construct = 0;
      for (const auto& sk : elastic.skipped)
        if (sk.type == "eql")
          ++(sk.reason.find("from Elastic Defend") != std::string::npos ? endpoint : construct);
      out << fmt::format(
          "eql: {} loaded, {} skipped ({} need endpoint events eksir does not read, {} use a "
          "construct eksir does not run)\n",
          eql == elastic.loaded_by_type.end() ? 0 : eql->second, endpoint + construct, endpoint,
          construct);
    }
    for (const auto& sk : elastic.skipped)
      out << fmt::format("  skipped: {}: [{}] {}: {}: {}\n", util::visible(sk.file),
                         util::visible(sk.rule_id), util::visible(sk.name), util::visible(sk.type),
                         util::visible(sk.reason));
    if (!elastic.skipped.empty())
      out << fmt::format(
          "not every rule loaded: {} Elastic rule{} of a type or with a construct eksir does not "
          "run "
          "count as not loaded (exit 1)\n",
          elastic.skipped.size(), elastic.skipped.size() == 1 ? "" : "s");
    return loaded.ok() && elastic.skipped.empty() && !not_loaded ? 0 : 1;
  }
  size_t passed = 0, failed = 0;
  for (const auto& r : loaded.rules) {
    RuleTestResult res = test_rule(r);
    out << fmt::format("{} {} ({}/{} cases)\n", res.failed ? "FAIL" : "ok  ", util::visible(r.id),
                       res.passed, res.passed + res.failed);
    for (const auto& f : res.failures) out << "    " << util::visible(f) << "\n";
    (res.failed ? failed : passed) += 1;
  }
  out << fmt::format("{} rules passed, {} failed, {} could not be loaded\n", passed, failed,
                     loaded.errors.size());
  if (!elastic.skipped.empty())
    out << fmt::format("{} Elastic rule{} skipped, not tested (see `eksir rules validate`)\n",
                       elastic.skipped.size(), elastic.skipped.size() == 1 ? "" : "s");
  return failed || !loaded.ok() ? 1 : 0;
}

}  // namespace eksir::detect
