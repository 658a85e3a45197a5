// `eksir load`: evidence into a ClickHouse store for hunt, detect and investigate --on.
#include <fmt/format.h>

#include <ostream>

#include "app/app.h"
#include "app/evidence.h"
#include "app/steps.h"
#include "backend/backend.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct State {
  State(const backend::LoadOptions& o, std::ostream& out, std::ostream& err)
      : opts(o), out(out), err(err) {}
  const backend::LoadOptions& opts;
  std::ostream& out;
  std::ostream& err;
  backend::Loaded loaded;
};

StepResult insert(State& s) {
  s.loaded = backend::load(s.opts);
  for (const auto& line : s.loaded.errors) s.err << "eksir load: " << line << "\n";
  return s.loaded.errors.empty() ? next() : stop(2);
}

StepResult print(State& s) {
  const backend::Loaded& l = s.loaded;
  s.out << fmt::format(
      "loaded {} events from {} files into {}{}\n", util::thousands(l.inserted), l.files_loaded,
      util::visible(s.opts.to),
      l.files_skipped ? fmt::format("; {} files already loaded, skipped", l.files_skipped) : "");
  if (!s.opts.quiet)
    s.err << sources::scan_summary(
        "load", l.stats,
        fmt::format("{} events inserted in {} batches", util::thousands(l.inserted), l.batches),
        s.opts.strict);
  return stop(check_evidence(s.err, "load", l.stats, s.opts.strict));
}

}  // namespace

int load(const backend::LoadOptions& options, std::ostream& out, std::ostream& err) {
  State s(options, out, err);
  return run_steps(s, {insert, print});
}

}  // namespace eksir::app
