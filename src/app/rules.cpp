// `eksir rules list|validate|test`: the rules of the paths (none: the built-in pack) listed,
// validated or run against their own test events.
#include <fmt/format.h>

#include <map>
#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "detect/detect.h"
#include "rules/rule_set.h"
#include "util/colour.h"
#include "util/table.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct State {
  State(const RulesCommand& c, std::ostream& o, std::ostream& e) : cmd(c), out(o), err(e) {}
  const RulesCommand& cmd;
  std::ostream& out;
  std::ostream& err;
  rules::RuleSet set;
};

StepResult check_action(State& s) {
  if (s.cmd.action != "list" && s.cmd.action != "validate" && s.cmd.action != "test") {
    s.err << fmt::format("eksir rules: unknown action '{}' (list, validate, test)\n",
                         util::visible(s.cmd.action));
    return stop(2);
  }
  return next();
}

StepResult load(State& s) {
  s.set = rules::load_rule_set(s.cmd.paths);
  const rules::LoadResult& loaded = s.set.loaded;
  std::ostream& err = s.err;
  for (const auto& f : loaded.skipped_files)
    err << fmt::format("eksir rules: warning: {}: not a rule file, skipped: {}\n",
                       util::visible(f.file), util::visible(f.reason));
  for (const auto& e : loaded.errors)
    err << "eksir rules: error: " << util::visible(e.text()) << "\n";
  if (s.cmd.action != "list")
    for (const auto& w : loaded.warnings)
      err << "eksir rules: warning: " << util::visible(w.text()) << "\n";

  return next();
}

StepResult list(State& s) {
  if (s.cmd.action != "list") return next();
  const rules::LoadResult& loaded = s.set.loaded;
  std::ostream& out = s.out;
  const size_t width = s.cmd.width;
  const bool colour = s.cmd.colour;
  util::TableWriter t(
      out, {"id", "severity", "type", "sources", "tactic", "technique", "criterion", "title"},
      width);
  t.set_colour(colour);
  t.colour_column(1, util::severity_sgr);
  t.hide_below(4, 140);  // the tactics on a narrow terminal: the techniques name them
  for (const auto& r : loaded.rules) {
    std::string srcs;
    for (auto src : r.sources)
      srcs += fmt::format("{}{}", srcs.empty() ? "" : ",", source_name(src));
    std::string type = r.correlation.type == rules::CorrelationType::None
                           ? "event"
                           : std::string(rules::correlation_name(r.correlation.type));
    t.add({r.id, std::string(rules::severity_name(r.severity)), type, srcs.empty() ? "any" : srcs,
           rules::join_ids(r.tactics), rules::join_ids(r.attack), r.criterion, r.title});
  }
  t.finish();
  return stop(loaded.ok() ? 0 : 1);
}

StepResult validate(State& s) {
  if (s.cmd.action != "validate") return next();
  const rules::LoadResult& loaded = s.set.loaded;
  std::ostream& out = s.out;
  const rules::ElasticLoad& elastic = s.set.elastic;
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
  if (!s.set.elastic_given) return stop(loaded.ok() && !not_loaded ? 0 : 1);
  if (s.set.yaml_files > 0)
    out << fmt::format("yaml: {} rules loaded from {} files, {} errors\n", s.set.yaml_rules,
                       s.set.yaml_files, s.set.yaml_errors);
  auto by_type = [](const std::map<std::string, size_t>& m) {
    std::string text;
    for (const auto& [type, n] : m)
      text += fmt::format("{}{} {}", text.empty() ? "" : ", ", n, util::visible(type));
    return text.empty() ? std::string("none") : text;
  };
  out << fmt::format("elastic: {} files: {} loaded ({}), {} skipped ({}), {} errors\n",
                     s.set.elastic_files, s.set.elastic_rules, by_type(elastic.loaded_by_type),
                     elastic.skipped.size(), by_type(elastic.skipped_by_type()),
                     s.set.elastic_errors);
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
  return stop(loaded.ok() && elastic.skipped.empty() && !not_loaded ? 0 : 1);
}

StepResult test(State& s) {
  const rules::LoadResult& loaded = s.set.loaded;
  std::ostream& out = s.out;
  const rules::ElasticLoad& elastic = s.set.elastic;
  size_t passed = 0, failed = 0;
  for (const auto& r : loaded.rules) {
    detect::RuleTestResult res = detect::test_rule(r);
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
  return stop(failed || !loaded.ok() ? 1 : 0);
}

}  // namespace

int rules(const RulesCommand& cmd, std::ostream& out, std::ostream& err) {
  State s(cmd, out, err);
  return run_steps(s, {check_action, load, list, validate, test});
}

}  // namespace eksir::app
