// The `rule` kind of case: one rule (Sigma, Falco or our own YAML, or Elastic TOML; written in the
// case, filled into the file's template, or a file of ../shared) run by the detection engine on
// the case's events; the number of findings is the expected result.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "checks.h"
#include "detect/detect.h"
#include "rules/elastic.h"
#include "rules/rules.h"
#include "test_paths.h"

namespace eksir::test {

rules::LoadResult load_rule(const Case& c) {
  const bool elastic = c.text("format") == "elastic";
  if (c.has("rule_file")) {
    std::string path = shared_dir() + "/" + c.text("rule_file");
    return elastic ? rules::load_elastic_paths({path}).result : rules::load_paths({path});
  }
  std::string text = c.has("rule") ? c.text("rule") : fill(c.text("template"), c);
  return elastic ? rules::load_elastic_text(text, "case.toml").result
                 : rules::load_text(text, "case.yml");
}

std::string why_not_one_rule(const rules::LoadResult& res) {
  if (!res.errors.empty()) return res.errors[0].text();
  if (!res.not_loaded.empty()) return res.not_loaded[0].reason;
  if (!res.warnings.empty()) return res.warnings[0].text();
  return std::to_string(res.rules.size()) + " rules";
}

namespace {

// `events`: one JSON document, or one per line.
std::vector<std::string> events_of(const Case& c) {
  std::string text = c.text("events");
  if (nlohmann::json::accept(text)) return {text};
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  return out;
}

void rule(const Case& c) {
  rules::LoadResult res = load_rule(c);
  ASSERT_TRUE(res.ok() && res.rules.size() == 1) << why_not_one_rule(res);
  detect::EngineOptions options;
  options.workers = 1;
  detect::Engine engine(res.rules, options);
  const std::vector<std::string> events = events_of(c);
  ASSERT_FALSE(events.empty());
  for (const std::string& e : events)
    EXPECT_EQ(rules::classify_json(e, [&](const EventView& ev) { engine.on_event(ev, 0); }), "")
        << e;
  EXPECT_EQ(engine.finish().size(), c.number("fires"));
}

}  // namespace

void add_rule_checks(Checks& checks) {
  checks["rule"] = rule;
}

}  // namespace eksir::test
