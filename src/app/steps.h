// How every command runs: a short list of steps over the command's state, then a teardown that
// runs whatever the steps did. A step either lets the next one run or stops the command with its
// exit code; a command whose steps all go on exits 0.
#pragma once

#include <initializer_list>

namespace eksir::app {

struct StepResult {
  bool proceed = true;
  int exit_code = 0;
};

// The next step runs.
inline StepResult next() {
  return {};
}
// No further step runs; the command exits with exit_code (0 too: the command is done).
inline StepResult stop(int exit_code) {
  return {false, exit_code};
}

template <class State>
using Step = StepResult (*)(State&);

// Runs the steps in order until one stops; then the teardown, also when a step throws.
template <class State>
int run_steps(State& state, std::initializer_list<Step<State>> steps,
              void (*teardown)(State&) = nullptr) {
  struct Teardown {
    State& state;
    void (*run)(State&);
    ~Teardown() {
      if (run) run(state);
    }
  } always{state, teardown};
  for (Step<State> step : steps)
    if (StepResult r = step(state); !r.proceed) return r.exit_code;
  return 0;
}

}  // namespace eksir::app
