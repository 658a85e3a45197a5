// `eksir plan`: the containment, eradication or recovery steps for a case's incident, saved in
// the case and shown as text, JSON or a script.
#include <cstdlib>
#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "respond/respond.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct State {
  State(const PlanCommand& c, std::ostream& o, std::ostream& e) : cmd(c), out(o), err(e) {}
  PlanCommand cmd;
  std::ostream& out;
  std::ostream& err;
  respond::CasePlan cp;
  std::string json_text;
};

StepResult check_format(State& s) {
  if (s.cmd.format != "text" && s.cmd.format != "json" && s.cmd.format != "script") {
    s.err << "eksir plan: --format must be text, json or script\n";
    return stop(2);
  }
  return next();
}

// $EKSIR_SCHEMAS_DIR when no --schemas is given.
StepResult choose_schemas(State& s) {
  if (s.cmd.schemas_dir.empty())
    if (const char* env = std::getenv("EKSIR_SCHEMAS_DIR")) s.cmd.schemas_dir = env;
  return next();
}

StepResult make_plan(State& s) {
  s.cp = respond::plan_for_case(s.cmd.case_dir, s.cmd.phase, s.cmd.plan, s.cmd.config);
  for (const auto& line : s.cp.said) s.err << line;
  return s.cp.ok ? next() : stop(2);
}

StepResult check_manifests(State& s) {
  if (s.cmd.schemas_dir.empty()) return next();
  bool bad = false;
  for (const auto& step : s.cp.plan.steps) {
    if (step.manifest_json.empty()) continue;
    for (const auto& p : respond::validate_manifest(step.manifest_json, s.cmd.schemas_dir)) {
      s.err << "eksir plan: step " << util::visible(step.id) << ": manifest invalid: " << p << "\n";
      bad = true;
    }
  }
  return bad ? stop(2) : next();
}

StepResult save(State& s) {
  s.json_text = respond::plan_json(s.cp.plan);
  if (s.cp.store)
    if (auto st = s.cp.store->save_plan(respond::phase_name(s.cmd.phase), s.json_text); !st) {
      s.err << "eksir plan: the plan could not be saved in the case: " << st.error << "\n";
      return stop(2);
    }
  return next();
}

StepResult print(State& s) {
  if (s.cmd.format == "json")
    s.out << s.json_text;
  else if (s.cmd.format == "script")
    s.out << respond::plan_script(s.cp.plan);
  else
    s.out << respond::plan_text(s.cp.plan);
  return next();
}

// The case database is closed before the command returns.
void close_case(State& s) {
  s.cp.store.reset();
}

}  // namespace

int plan(const PlanCommand& cmd, std::ostream& out, std::ostream& err) {
  State s(cmd, out, err);
  return run_steps(s, {check_format, choose_schemas, make_plan, check_manifests, save, print},
                   close_case);
}

}  // namespace eksir::app
