// `eksir detect`: the rule packs and alert mappings over evidence files or a store.
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <ostream>

#include "app/app.h"
#include "app/evidence.h"
#include "app/policy.h"
#include "app/steps.h"
#include "backend/backend.h"
#include "cluster/cluster.h"
#include "detect/detect.h"
#include "incident/incident.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct State {
  State(DetectCommand c, std::ostream& o, std::ostream& e) : cmd(std::move(c)), out(o), err(e) {}
  DetectCommand cmd;
  std::ostream& out;
  std::ostream& err;
  // The policy the suppressions come from; it counts what each hid, said after the run.
  std::shared_ptr<cluster::Policy> policy;
  std::optional<backend::StoreScan> store;  // --on
  bool store_failed = false;
  rules::LoadResult loaded;
  detect::Detection detection;
};

StepResult use_policy(State& s) {
  if (s.cmd.config.empty()) return next();
  std::optional<PolicyFile> file = read_policy(s.cmd.config, "detect", s.err);
  if (!file) return stop(2);
  s.policy = std::make_shared<cluster::Policy>(std::move(file->policy));
  s.cmd.options.keep = [policy = s.policy](const detect::Finding& f) {
    return !incident::suppressed(f, *policy);
  };
  return next();
}

StepResult open_store(State& s) {
  if (s.cmd.on.empty()) return next();
  std::string error;
  s.store = backend::detect_scan(s.cmd.on, error);
  if (!s.store) {
    s.err << "eksir detect: " << error << "\n";
    return stop(2);
  }
  s.cmd.options.scan = s.store->scan;
  return next();
}

StepResult check_evidence_paths(State& s) {
  if (s.store) return next();
  if (s.cmd.options.evidence.empty()) {
    s.err << "eksir detect: give evidence files or folders, or --on clickhouse://...\n";
    return stop(2);
  }
  if (int rc = check_paths(s.err, "detect", s.cmd.options.evidence, s.cmd.keep_going))
    return stop(rc);
  return next();
}

StepResult read_rules(State& s) {
  const DetectCommand& c = s.cmd;
  if (int rc = load_rules(s.err, "detect", c.rule_paths, c.builtin, c.quiet, s.loaded))
    return stop(rc);
  return next();
}

StepResult scan(State& s) {
  const DetectCommand& c = s.cmd;
  detect::DetectOptions o = c.options;
  o.progress = o.progress && !c.quiet;
  // The JSON summary counts every event: the prefilter stays off for it (as for hunt's).
  o.prefilter = o.prefilter && c.format != detect::Format::Json;
  s.detection = detect::detect(o, std::move(s.loaded.rules));
  detect::write_findings(s.detection, c.format, s.out, c.width, c.colour);
  s.out.flush();
  return next();
}

StepResult print_summary(State& s) {
  const DetectCommand& c = s.cmd;
  const detect::Detection& d = s.detection;
  if (!c.quiet) s.err << sources::scan_summary("detect", d.stats, detect::result_text(d), false);
  const auto& withheld = d.engine->withheld();
  if (!c.quiet && !withheld.empty()) {
    // Said per rule: a silent first_seen rule is not a rule that found nothing new.
    constexpr size_t kShown = 5;
    for (size_t i = 0; i < withheld.size() && i < kShown; ++i)
      s.err << "eksir detect: withheld: " << util::visible(withheld[i].text()) << "\n";
    if (withheld.size() > kShown)
      s.err << fmt::format(
          "eksir detect: withheld: {} more first_seen rules likewise (all in the JSON summary's "
          "\"withheld\")\n",
          withheld.size() - kShown);
  }
  for (const std::string& line : {detect::spill_text(d.engine->spilled(), c.options.memory),
                                  detect::print_spill_text(d.engine->spilled(), c.options.memory)})
    if (!line.empty() && !c.quiet) s.err << "eksir detect: " << line << "\n";
  if (s.policy && !c.quiet)
    for (const auto& line : incident::suppression_report(*s.policy, s.cmd.config))
      s.err << "eksir detect: " << util::visible(line) << "\n";
  if (int rc = check_evidence(s.err, "detect", d.stats, false)) return stop(rc);
  if (c.fail_on)
    for (const auto& f : d.findings)
      if (f.severity >= *c.fail_on) return stop(1);
  return next();
}

// With --on: what the store said, whatever the steps did.
void finish(State& s) {
  if (!s.store) return;
  if (std::string failure = s.store->failure(); !failure.empty()) {
    s.err << "eksir detect: " << failure << "\n";
    s.store_failed = true;
    return;
  }
  if (!s.cmd.quiet) s.err << s.store->summary();
}

}  // namespace

int detect(DetectCommand cmd, std::ostream& out, std::ostream& err) {
  State s(std::move(cmd), out, err);
  int rc = run_steps(
      s, {use_policy, open_store, check_evidence_paths, read_rules, scan, print_summary}, finish);
  return s.store_failed ? 2 : rc;
}

}  // namespace eksir::app
