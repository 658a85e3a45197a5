// `eksir case pin` and `eksir case unpin`: hunt results on a case's timeline, and off it.
#include <fmt/format.h>

#include <ostream>

#include "app/app.h"
#include "app/hunt_case.h"
#include "app/steps.h"
#include "store/store.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct Unpin {
  Unpin(const std::string& t, const std::vector<int64_t>& i, std::ostream& o, std::ostream& e)
      : target(t), ids(i), out(o), err(e) {}
  const std::string& target;
  const std::vector<int64_t>& ids;
  std::ostream& out;
  std::ostream& err;
};

StepResult check_ids(Unpin& s) {
  if (s.ids.empty()) {
    s.err << "eksir case unpin: which pins? (their ids, as `eksir case show` lists them)\n";
    return stop(2);
  }
  return next();
}

StepResult remove_pins(Unpin& s) {
  std::string dir = store::resolve_case(s.target);
  store::Status st;
  auto c = store::Case::open(dir, false, st);
  if (!c) {
    s.err << "eksir case unpin: " << util::visible(st.error) << "\n";
    return stop(2);
  }
  if (st = c->remove_pins(s.ids); !st) {
    s.err << "eksir case unpin: " << util::visible(st.error) << "\n";
    return stop(2);
  }
  s.out << fmt::format("unpinned {} from {}\n",
                       s.ids.size() == 1 ? "1 pin" : std::to_string(s.ids.size()) + " pins",
                       util::visible(dir));
  return next();
}

}  // namespace

int pin(const PinCommand& cmd, std::ostream& out, std::ostream& err) {
  PinOptions pin = cmd.pin;
  pin.pin = true;
  pin.command = "case pin";
  return hunt_case(cmd.target, cmd.hunt, cmd.output, pin, out, err);
}

int unpin(const std::string& target, const std::vector<int64_t>& ids, std::ostream& out,
          std::ostream& err) {
  Unpin s(target, ids, out, err);
  return run_steps(s, {check_ids, remove_pins});
}

}  // namespace eksir::app
