// `eksir hunt`: a KQL query over evidence files, a case's inputs or a store.
#include <fmt/format.h>

#include <ostream>

#include "app/app.h"
#include "app/hunt_case.h"
#include "app/hunt_run.h"
#include "app/steps.h"
#include "backend/backend.h"
#include "hunt/hunt.h"
#include "util/text.h"

namespace eksir::app {
namespace {

struct State {
  State(const HuntCommand& c, std::ostream& o, std::ostream& e) : cmd(c), out(o), err(e) {}
  const HuntCommand& cmd;
  std::ostream& out;
  std::ostream& err;
};

StepResult check_where(State& s) {
  if (s.cmd.pin.pin && s.cmd.case_arg.empty()) {
    s.err << "eksir hunt: --pin needs --case CASE: pins go on a case's timeline\n";
    return stop(2);
  }
  if (!s.cmd.case_arg.empty() && !s.cmd.on.empty()) {
    s.err << "eksir hunt: --case searches the case's input files; --on searches a store: "
             "give one\n";
    return stop(2);
  }
  return next();
}

StepResult on_case(State& s) {
  if (s.cmd.case_arg.empty()) return next();
  return stop(hunt_case(s.cmd.case_arg, s.cmd.options, s.cmd.output, s.cmd.pin, s.out, s.err));
}

// --on: the store is the scan; an exact query counted alone is counted on the server.
StepResult on_store(State& s) {
  if (s.cmd.on.empty()) return next();
  const hunt::HuntOptions& options = s.cmd.options;
  backend::HuntStore store = backend::hunt_store(s.cmd.on, options.query);
  if (!store.error.empty()) {
    s.err << "eksir hunt: " << store.error << "\n";
    return stop(2);
  }
  if (!store.translated) return stop(run_hunt(options, s.cmd.output, s.out, s.err));
  // Where the query runs: the first line names the command, the others are indented under it.
  if (!s.cmd.output.quiet)
    for (size_t i = 0; i < store.plan.size(); ++i)
      s.err << (i == 0 ? "eksir hunt: " : "") << store.plan[i] << "\n";
  int rc = 0;
  if (store.exact && options.count_only && !options.limit) {
    sources::ScanOptions so;
    so.only = options.only;
    so.since = options.since;
    so.until = options.until;
    if (auto counted = store.count(so)) {
      s.out << counted->matched << "\n";
      s.out.flush();
      rc = counted->matched > 0 ? 0 : 1;
      if (!s.cmd.output.quiet)
        s.err << sources::scan_summary(
            "hunt", counted->stats, util::thousands(counted->matched) + " matched", options.strict);
    }
  } else {
    hunt::HuntOptions o = options;
    o.scan = store.scan;
    rc = run_hunt(std::move(o), s.cmd.output, s.out, s.err);
  }
  if (std::string failure = store.failure(); !failure.empty()) {
    s.err << "eksir hunt: " << failure << "\n";
    return stop(2);
  }
  return stop(rc);
}

StepResult on_files(State& s) {
  if (s.cmd.options.evidence.empty()) {
    s.err << "eksir hunt: give evidence files or folders, --case CASE or --on "
             "clickhouse://...\n";
    return stop(2);
  }
  return stop(run_hunt(s.cmd.options, s.cmd.output, s.out, s.err));
}

}  // namespace

int hunt(const HuntCommand& cmd, std::ostream& out, std::ostream& err) {
  State s(cmd, out, err);
  return run_steps(s, {check_where, on_case, on_store, on_files});
}

}  // namespace eksir::app
