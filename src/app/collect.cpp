// `eksir collect` and `eksir collect verify` (or --verify DIR): a bundle gathered, or re-hashed.
#include <fmt/format.h>

#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "collect/collect.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct Verify {
  Verify(const std::string& d, std::ostream& o, std::ostream& e) : dir(d), out(o), err(e) {}
  const std::string& dir;
  std::ostream& out;
  std::ostream& err;
  collect::Verification v;
};

StepResult rehash(Verify& s) {
  s.v = collect::verify_bundle(s.dir);
  if (!s.v.error.empty()) {
    s.err << "eksir collect --verify: " << s.v.error << "\n";
    return stop(2);
  }
  return next();
}

StepResult print_verdict(Verify& s) {
  for (const auto& line : s.v.problems) s.out << line << "\n";
  if (s.v.problems.empty()) {
    s.out << fmt::format("ok: {} files match the manifest (manifest sha256 {})\n", s.v.files,
                         s.v.manifest_sha256);
    return stop(0);
  }
  s.err << fmt::format("eksir collect --verify: {} problem{} in {}\n", s.v.problems.size(),
                       s.v.problems.size() == 1 ? "" : "s", util::visible(s.dir));
  return stop(1);
}

struct Collect {
  Collect(const collect::CollectOptions& o, std::ostream& e) : opts(o), err(e) {}
  const collect::CollectOptions& opts;
  std::ostream& err;
};

StepResult gather(Collect& s) {
  collect::Outcome outcome =
      collect::collect(s.opts, [&s](std::string_view text) { s.err << text; });
  switch (outcome) {
    case collect::Outcome::Collected:
      return stop(0);
    case collect::Outcome::SomeFailed:
      return stop(1);
    case collect::Outcome::NotCollected:
      break;
  }
  return stop(2);
}

}  // namespace

int collect_verify(const std::string& dir, std::ostream& out, std::ostream& err) {
  Verify s(dir, out, err);
  return run_steps(s, {rehash, print_verdict});
}

int collect(const CollectCommand& cmd, std::ostream& out, std::ostream& err) {
  if (!cmd.verify_dir.empty()) return collect_verify(cmd.verify_dir, out, err);
  Collect s(cmd.options, err);
  return run_steps(s, {gather});
}

}  // namespace eksir::app
