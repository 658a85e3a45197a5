// Scores eksir's incident and plans against a scenario's ground truth, item by item.
//
// The truth file's "expect" block (examples/README.md, "Scoring a scenario") says what a responder
// needs from the incident — severity, criteria, the malicious window, the gaps, every attack
// record on the timeline and no benign look-alike, the affected resources — and from the plans —
// the steps that must be there (phase, argv, blocked or not, manifest content), the ones that must
// not, and the order of some. The scorer is pure: JSON in, items out; the scenarios test runs the
// binary and prints what the scorer says.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eksir::test::scenarios {

struct Item {
  std::string category;  // the expect key: severity, criteria, timeline, plan, ...
  std::string item;      // what is expected, one line
  bool pass = false;
  std::string detail;  // what was found instead (or what matched)
};

struct Tally {
  int passed = 0, total = 0;
  double percent() const { return total ? 100.0 * passed / total : 100.0; }
};

struct Score {
  std::vector<Item> items;
  std::vector<std::pair<std::string, Tally>> categories;  // in the order of kCategories
  Tally overall;
  bool complete() const { return overall.passed == overall.total; }
};

// The expect keys scored, in the order they are reported.
extern const std::vector<std::string> kCategories;

// plans: phase name ("contain", "eradicate", "recover") -> the `eksir plan --format json`
// document. A phase missing from the map has no steps. rerun: the incident document of a second
// investigation of the same evidence; when given, the "stable" item says whether both agree.
Score score(const nlohmann::json& truth, const nlohmann::json& incident_doc,
            const std::map<std::string, nlohmann::json>& plans,
            const nlohmann::json* rerun = nullptr);

// How two incident documents differ in what is scored (severity, criteria, window, affected,
// timeline), in a few words; "" when they agree.
std::string incident_difference(const nlohmann::json& a, const nlohmann::json& b);

// The item-by-item table, then the percentage per category and overall.
std::string table(const Score& s, std::string_view title);

// ---- matching rules (exposed for their unit tests)

// argv as compared: "--flag=value" is two tokens, a bare "--" is dropped, a token wrapped in
// matching quotes loses them, and kubectl's -n / -f / -o are spelled --namespace / --filename /
// --output.
std::vector<std::string> normalise_argv(const std::vector<std::string>& argv);

// One expected token against one actual token: equal, or a glob where '*' matches any run of
// characters (the only wildcard).
bool token_matches(std::string_view want, std::string_view have);

// The expected tokens appear in `have` in this order, not necessarily next to each other.
bool is_subsequence(const std::vector<std::string>& want, const std::vector<std::string>& have);

// "--flag value" appears in argv (both already normalised; value may be a glob).
bool has_flag(const std::vector<std::string>& argv, const std::string& flag,
              const std::string& value);

// One plan expectation ({phase, argv, flags, stdin_contains, stdin_not_contains,
// argv_not_contains}, without the blocked keys) against one plan step.
bool step_shape_matches(const nlohmann::json& want, const nlohmann::json& step);

// The blocked keys ({blocked: bool, blocked_contains: text}) against the step.
bool step_blocked_matches(const nlohmann::json& want, const nlohmann::json& step);

// An ISO 8601 time cut to the second: "2026-03-14T08:41:07.123Z" -> "2026-03-14T08:41:07".
std::string to_second(std::string_view iso);

}  // namespace eksir::test::scenarios
