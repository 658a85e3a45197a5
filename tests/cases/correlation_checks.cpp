// The `correlation` kind of case: one rule run by the detection engine on events made from the
// file's `event` template, a row of the case's `events` each (or `repeat` of them, `every`
// seconds apart); the findings are the expected result.
#include <gtest/gtest.h>

#include "checks.h"
#include "detect/detect.h"
#include "rules/rules.h"
#include "util/time.h"

namespace eksir::test {
namespace {

constexpr TimeNs kSecond = 1'000'000'000LL;

size_t number_or(const YAML::Node& row, const char* key, size_t otherwise) {
  return row[key] ? row[key].as<size_t>() : otherwise;
}

// Each row's events: the template filled with the row's fields over the case's, `${time}` (the
// case's `start` plus the row's `at` seconds, "2026-03-14T09:00:00") and `${n}` (1, 2, ...).
std::vector<std::string> make_events(const Case& c) {
  const TimeNs start = parse_time(c.text("start"));
  if (start == kNoTime) throw std::runtime_error("`start` is not a time: " + c.text("start"));
  std::vector<std::string> out;
  for (const YAML::Node& row : c.fields["events"]) {
    const size_t at = number_or(row, "at", 0), every = number_or(row, "every", 0);
    for (size_t i = 0; i < number_or(row, "repeat", 1); ++i) {
      const TimeNs time = start + static_cast<TimeNs>(at + i * every) * kSecond;
      const std::string n = std::to_string(out.size() + 1);
      out.push_back(fill(c.text("event"), [&](const std::string& key) -> std::string {
        if (key == "time") return format_time(time).substr(0, 19);
        if (key == "n") return n;
        return row[key] ? row[key].as<std::string>() : c.text(key);
      }));
    }
  }
  return out;
}

// `workers` (1 unless the case says): the events go to them in turn.
std::vector<detect::Finding> run(const rules::Rule& rule, const Case& c) {
  detect::EngineOptions options;
  options.workers = c.has("workers") ? c.number("workers") : 1;
  detect::Engine engine({rule}, options);
  unsigned worker = 0;
  for (const std::string& e : make_events(c)) {
    EXPECT_EQ(rules::classify_json(
                  e, [&](const EventView& ev) { engine.on_event(ev, worker++ % options.workers); }),
              "")
        << e;
  }
  return engine.finish();
}

std::vector<std::string> subject_of(const detect::Finding& f) {
  std::vector<std::string> out;
  for (const auto& [key, value] : f.subject) out.push_back(key + "=" + value);
  return out;
}

// The keys the case gives of one finding: rule_id, subject ("key=value" each), count, evidence
// (how many), first_seen, last_seen, evidence_times, note_contains (a string or a list).
void expect_finding(const YAML::Node& want, const detect::Finding& got) {
  if (want["rule_id"]) {
    EXPECT_EQ(got.rule_id, want["rule_id"].as<std::string>());
  }
  if (want["subject"]) {
    EXPECT_EQ(subject_of(got), want["subject"].as<std::vector<std::string>>());
  }
  if (want["count"]) {
    EXPECT_EQ(got.count, want["count"].as<uint64_t>());
  }
  if (want["evidence"]) {
    EXPECT_EQ(got.evidence.size(), want["evidence"].as<size_t>());
  }
  if (want["first_seen"]) {
    EXPECT_EQ(format_time(got.first_seen), want["first_seen"].as<std::string>());
  }
  if (want["last_seen"]) {
    EXPECT_EQ(format_time(got.last_seen), want["last_seen"].as<std::string>());
  }
  if (want["evidence_times"]) {
    std::vector<std::string> times;
    for (const auto& e : got.evidence) times.push_back(format_time(e.time));
    EXPECT_EQ(times, want["evidence_times"].as<std::vector<std::string>>());
  }
  const YAML::Node note = want["note_contains"];
  if (!note) return;
  for (const std::string& part : note.IsSequence() ? note.as<std::vector<std::string>>()
                                                   : std::vector{note.as<std::string>()}) {
    EXPECT_NE(got.note.find(part), std::string::npos) << got.note;
  }
}

// `fires`: how many findings; or `findings`: each of them, in the engine's order.
void correlation(const Case& c) {
  rules::LoadResult res = load_rule(c);
  ASSERT_TRUE(res.ok() && res.rules.size() == 1) << why_not_one_rule(res);
  expect_correlation(c, res.rules[0].correlation);
  const std::vector<detect::Finding> findings = run(res.rules[0], c);
  if (!c.has("findings")) {
    EXPECT_EQ(findings.size(), c.number("fires"));
    return;
  }
  const YAML::Node want = c.fields["findings"];
  ASSERT_EQ(findings.size(), want.size());
  for (size_t i = 0; i < findings.size(); ++i) {
    SCOPED_TRACE("finding " + std::to_string(i + 1));
    expect_finding(want[i], findings[i]);
  }
}

}  // namespace

void add_correlation_checks(Checks& checks) {
  checks["correlation"] = correlation;
}

}  // namespace eksir::test
