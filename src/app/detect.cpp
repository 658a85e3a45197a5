// `eksir detect`: the rule packs and alert mappings over evidence files or a store.
#include <memory>
#include <optional>
#include <ostream>

#include "app/app.h"
#include "app/policy.h"
#include "app/steps.h"
#include "backend/backend.h"
#include "cluster/cluster.h"
#include "detect/detect.h"
#include "incident/incident.h"

namespace eksir::app {
namespace {

struct State {
  State(DetectCommand c, std::ostream& o, std::ostream& e) : cmd(std::move(c)), out(o), err(e) {}
  DetectCommand cmd;
  std::ostream& out;
  std::ostream& err;
  // The policy the suppressions come from; it counts what each hid, said after the run.
  std::shared_ptr<cluster::Policy> policy;
};

StepResult use_policy(State& s) {
  if (s.cmd.config.empty()) return next();
  std::optional<PolicyFile> file = read_policy(s.cmd.config, "detect", s.err);
  if (!file) return stop(2);
  auto policy = std::make_shared<cluster::Policy>(std::move(file->policy));
  s.cmd.options.keep = [policy](const detect::Finding& f) {
    return !incident::suppressed(f, *policy);
  };
  s.cmd.options.after = [policy, config = s.cmd.config] {
    return incident::suppression_report(*policy, config);
  };
  return next();
}

StepResult on_store(State& s) {
  if (s.cmd.on.empty()) return next();
  std::string error;
  auto store = backend::detect_scan(s.cmd.on, error);
  if (!store) {
    s.err << "eksir detect: " << error << "\n";
    return stop(2);
  }
  detect::DetectOptions o = s.cmd.options;
  o.scan = store->scan;
  int rc = detect::run(o, s.out, s.err);
  if (std::string failure = store->failure(); !failure.empty()) {
    s.err << "eksir detect: " << failure << "\n";
    return stop(2);
  }
  if (!o.quiet) s.err << store->summary();
  return stop(rc);
}

StepResult on_files(State& s) {
  if (s.cmd.options.evidence.empty()) {
    s.err << "eksir detect: give evidence files or folders, or --on clickhouse://...\n";
    return stop(2);
  }
  return stop(detect::run(s.cmd.options, s.out, s.err));
}

}  // namespace

int detect(DetectCommand cmd, std::ostream& out, std::ostream& err) {
  State s(std::move(cmd), out, err);
  return run_steps(s, {use_policy, on_store, on_files});
}

}  // namespace eksir::app
