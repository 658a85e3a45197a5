// `eksir respond`: a phase's plan carried out, step by step, journaled in the case.
#include <cstdlib>
#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "respond/respond.h"

namespace eksir::app {
namespace {

struct State {
  State(const respond::RespondOptions& o, std::istream& in, std::ostream& out, std::ostream& err)
      : opts(o), in(in), out(out), err(err) {}
  respond::RespondOptions opts;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// The programs: $EKSIR_AWS and $EKSIR_KUBECTL stand in for the defaults.
StepResult choose_programs(State& s) {
  if (s.opts.aws == "aws")
    if (const char* env = std::getenv("EKSIR_AWS"); env && *env) s.opts.aws = env;
  if (s.opts.kubectl == "kubectl")
    if (const char* env = std::getenv("EKSIR_KUBECTL"); env && *env) s.opts.kubectl = env;
  return next();
}

StepResult carry_out(State& s) {
  switch (respond::carry_out(s.opts, s.in, s.out, s.err)) {
    case respond::Outcome::Done:
      return stop(0);
    case respond::Outcome::StepsLeft:
      return stop(1);
    case respond::Outcome::Refused:
      break;
  }
  return stop(2);
}

}  // namespace

int respond(const respond::RespondOptions& options, std::istream& in, std::ostream& out,
            std::ostream& err) {
  State s(options, in, out, err);
  return run_steps(s, {choose_programs, carry_out});
}

}  // namespace eksir::app
