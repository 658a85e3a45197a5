// `eksir rules test`: each rule against its own test events, through the real unwrapper.
#include <fmt/format.h>

#include "detect/detect.h"

namespace eksir::detect {
namespace {

// Runs one scenario; returns "" when it behaves as expected, else what went wrong.
std::string run_case(const rules::Rule& rule, const rules::TestCase& tc, bool positive) {
  EngineOptions eo;
  eo.alerts = false;
  Engine engine({rule}, eo);
  for (size_t i = 0; i < tc.events.size(); ++i) {
    const auto& te = tc.events[i];
    std::string mismatch;
    std::string err = rules::classify_json(te.json, [&](const EventView& ev) {
      if (te.hint && ev.source != *te.hint)
        mismatch = fmt::format("event {} was read as {}, not {} (_source)", i + 1,
                               source_name(ev.source), source_name(*te.hint));
      engine.on_event(ev, 0);
    });
    if (!err.empty()) return fmt::format("event {}: {}", i + 1, err);
    if (!mismatch.empty()) return mismatch;
  }
  size_t n = 0;
  for (const auto& f : engine.finish())
    if (f.rule_id == rule.id) ++n;
  if (positive && n == 0) return "positive case did not match";
  if (!positive && n > 0)
    return fmt::format("negative case matched ({} finding{})", n, n == 1 ? "" : "s");
  return {};
}

}  // namespace

RuleTestResult test_rule(const rules::Rule& rule) {
  RuleTestResult res;
  res.rule_id = rule.id;
  for (int pass = 0; pass < 2; ++pass) {
    const bool positive = pass == 0;
    const auto& cases = positive ? rule.positive : rule.negative;
    for (size_t i = 0; i < cases.size(); ++i) {
      std::string problem = run_case(rule, cases[i], positive);
      if (problem.empty()) {
        ++res.passed;
      } else {
        ++res.failed;
        res.failures.push_back(fmt::format("{}:{}: {} #{}: {}", rule.file, cases[i].line,
                                           positive ? "positive" : "negative", i + 1, problem));
      }
    }
  }
  return res;
}

}  // namespace eksir::detect
