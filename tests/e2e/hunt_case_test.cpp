// End to end: hunt's time order and folded copies, `hunt --case`, `--pin`, `case pin|unpin`, and
// the pins in the report, on the bundled example incident and the shared samples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;
using test::run_eksir;

std::string examples() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

size_t count_of(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(HuntOrder, TableIsInTimeOrderByDefault) {
  auto r = run_eksir({"hunt", "*", test::samples_dir() + "/cloudtrail", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = lines(r.out);
  ASSERT_GT(rows.size(), 50u);
  std::string previous;
  bool untimed = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::string t = rows[i].substr(0, rows[i].find(' '));
    if (t == "-") {
      untimed = true;  // no time: last
      continue;
    }
    EXPECT_FALSE(untimed) << "a timed row after an untimed one: " << rows[i];
    EXPECT_LE(previous, t) << rows[i];
    previous = t;
  }
}

TEST(HuntOrder, JsonKeepsEvidenceOrderUnlessAsked) {
  std::string dir = test::samples_dir() + "/cloudtrail";
  auto plain = run_eksir({"hunt", "*", dir, "--format", "ndjson", "-q"});
  auto evidence = run_eksir({"hunt", "*", dir, "--format", "ndjson", "--sort", "evidence", "-q"});
  auto by_time = run_eksir({"hunt", "*", dir, "--format", "ndjson", "--sort", "time", "-q"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, evidence.out);
  EXPECT_NE(plain.out, by_time.out);
  auto a = lines(plain.out), b = lines(by_time.out);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b) << "the same rows, another order";
  auto json = run_eksir({"hunt", "*", dir, "--format", "json", "--sort", "time", "-q"});
  EXPECT_NE(json.out.find("\"order\":\"time\""), std::string::npos);
  auto table_evidence = run_eksir({"hunt", "*", dir, "--sort", "evidence", "-q"});
  EXPECT_EQ(table_evidence.exit_code, 0);
}

TEST(HuntOrder, LimitTakesTheFirstByTime) {
  std::string dir = test::samples_dir() + "/cloudtrail";
  auto all = run_eksir({"hunt", "*", dir, "--format", "ndjson", "--sort", "time", "-q"});
  auto some = run_eksir({"hunt", "*", dir, "--format", "ndjson", "--sort", "time", "--limit", "5"});
  auto a = lines(all.out), s = lines(some.out);
  ASSERT_EQ(s.size(), 5u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], a[i]);
  EXPECT_NE(some.err.find("the first 5 by time shown"), std::string::npos) << some.err;
}

TEST(HuntOrder, BadSortIsAUsageError) {
  auto r = run_eksir({"hunt", "*", examples(), "--sort", "newest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--sort must be time or evidence, not 'newest'"), std::string::npos)
      << r.err;
}

// The example holds each record of several sources twice: an S3 CloudTrail object and
// lookup-events, the audit log and filter-log-events, findings.json and EventBridge.
TEST(HuntFold, EachRecordOnceWithItsCopiesCounted) {
  auto folded = run_eksir({"hunt", "eventName:UpdateClusterConfig", examples()});
  auto every =
      run_eksir({"hunt", "eventName:UpdateClusterConfig", examples(), "--keep-duplicates", "-q"});
  ASSERT_EQ(folded.exit_code, 0) << folded.err;
  EXPECT_EQ(lines(folded.out).size(), 2u) << folded.out;
  EXPECT_NE(folded.out.find("cloudtrail ×2"), std::string::npos) << folded.out;
  EXPECT_NE(folded.err.find("1 matched (1 duplicate export of the same record folded"),
            std::string::npos)
      << folded.err;
  EXPECT_EQ(lines(every.out).size(), 3u) << every.out;
  EXPECT_EQ(every.out.find("×"), std::string::npos);

  for (const char* source : {"guardduty", "k8s_audit"}) {
    auto n = run_eksir({"hunt", "*", examples(), "--source", source, "--count", "-q"});
    auto all = run_eksir(
        {"hunt", "*", examples(), "--source", source, "--count", "-q", "--keep-duplicates"});
    EXPECT_LT(std::stoi(n.out), std::stoi(all.out)) << source;
  }
}

TEST(HuntFold, JsonCitesEveryCopyLeftOut) {
  auto r = run_eksir({"hunt", "*", examples(), "--source", "guardduty", "--format", "json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t shown = count_of(r.out, "\"event\":");
  size_t cited = count_of(r.out.substr(r.out.find("\"duplicates\":[")), "\"event_id\":");
  EXPECT_GT(shown, 0u);
  EXPECT_EQ(cited, shown) << "each GuardDuty finding is in findings.json and EventBridge";
  EXPECT_NE(r.out.find("\"duplicates\":" + std::to_string(cited)), std::string::npos);
  auto nd = run_eksir({"hunt", "*", examples(), "--source", "guardduty", "--format", "ndjson",
                       "--keep-duplicates", "-q"});
  EXPECT_EQ(lines(nd.out).size(), 2 * shown);
}

// A case investigated from a copy of the example, so that its inputs can change.
struct CaseFixture {
  std::string root = test::temp_dir();
  std::string evidence = root + "/evidence";
  std::string dir = root + "/case";
  CaseFixture() {
    fs::copy(examples(), evidence, fs::copy_options::recursive);
    auto r = run_eksir({"investigate", evidence, "-o", dir, "-q", "--no-report"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST(HuntCase, SearchesTheCaseInputs) {
  CaseFixture f;
  auto on_case = run_eksir({"hunt", "--case", f.dir, "eventName:CreateAccessKey"});
  auto on_files = run_eksir({"hunt", "eventName:CreateAccessKey", f.evidence, "-q"});
  ASSERT_EQ(on_case.exit_code, 0) << on_case.err;
  EXPECT_EQ(on_case.out, on_files.out);
  EXPECT_NE(on_case.err.find("searching the 24 inputs of run 1 of case case"), std::string::npos)
      << on_case.err;
  EXPECT_EQ(on_case.err.find("warning"), std::string::npos) << on_case.err;
  // Relative to where investigate ran, wherever hunt runs.
  auto elsewhere = run_eksir({"hunt", "--case", f.dir, "eventName:CreateAccessKey", "-q"}, "/");
  EXPECT_EQ(elsewhere.out, on_case.out) << elsewhere.err;
  auto none = run_eksir({"hunt", "--case", f.dir, "eventName:NoSuchCall", "-q"});
  EXPECT_EQ(none.exit_code, 1);
}

TEST(HuntCase, WarnsOfInputsGoneOrChanged) {
  CaseFixture f;
  fs::remove(f.evidence + "/falco/falco.jsonl");
  std::ofstream(f.evidence + "/k8s-audit/kube-apiserver-audit.log", std::ios::app) << "\n";
  auto r = run_eksir({"hunt", "--case", f.dir, "eventName:CreateAccessKey"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: input gone since the investigation: " + f.evidence +
                       "/falco/falco.jsonl"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("warning: input changed since the investigation: " + f.evidence +
                       "/k8s-audit/kube-apiserver-audit.log (SHA-256 now"),
            std::string::npos)
      << r.err;
  auto strict = run_eksir({"hunt", "--case", f.dir, "eventName:CreateAccessKey", "--strict"});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_NE(strict.err.find("--strict: 1 of the case's inputs gone, 1 changed"), std::string::npos)
      << strict.err;
}

TEST(HuntCase, UsageAndCaseErrors) {
  CaseFixture f;
  auto with_paths = run_eksir({"hunt", "--case", f.dir, "*", f.evidence});
  EXPECT_EQ(with_paths.exit_code, 2);
  EXPECT_NE(with_paths.err.find("give the query alone, not evidence paths"), std::string::npos)
      << with_paths.err;
  auto no_case = run_eksir({"hunt", "--case", f.root + "/nope", "*"});
  EXPECT_EQ(no_case.exit_code, 2);
  EXPECT_NE(no_case.err.find("not a case directory"), std::string::npos) << no_case.err;
  auto pin_alone = run_eksir({"hunt", "*", f.evidence, "--pin"});
  EXPECT_EQ(pin_alone.exit_code, 2);
  EXPECT_NE(pin_alone.err.find("--pin needs --case CASE"), std::string::npos) << pin_alone.err;
  auto note_alone = run_eksir({"hunt", "--case", f.dir, "*", "--note", "x"});
  EXPECT_EQ(note_alone.exit_code, 2);
  EXPECT_NE(note_alone.err.find("--note goes with --pin"), std::string::npos) << note_alone.err;
  auto both = run_eksir({"hunt", "--case", f.dir, "*", "--on", "clickhouse://127.0.0.1:1/x"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("give one"), std::string::npos) << both.err;
  std::string empty = f.root + "/empty-case";
  fs::create_directories(empty);
  run_eksir({"case", "note", empty, "x"});  // not a case: nothing created
  auto gone = run_eksir({"hunt", "--case", empty, "*"});
  EXPECT_EQ(gone.exit_code, 2);
  fs::rename(f.evidence, f.root + "/moved");
  auto moved = run_eksir({"hunt", "--case", f.dir, "*"});
  EXPECT_EQ(moved.exit_code, 2);
  EXPECT_NE(moved.err.find("none of the 24 inputs of run 1"), std::string::npos) << moved.err;
}

TEST(CasePin, PinnedRecordsReachTheReportAndSurviveAReinvestigation) {
  CaseFixture f;
  auto pinned = run_eksir({"hunt", "--case", f.dir, "eventName:CreateAccessKey", "--pin", "--note",
                           "the attacker's second key", "--author", "carol"});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_EQ(lines(pinned.out).size(), 2u) << "the rows, as a hunt shows them";
  EXPECT_NE(pinned.err.find("pinned 1 record to the timeline of case case (pin 1)"),
            std::string::npos)
      << pinned.err;

  auto second = run_eksir(
      {"case", "pin", f.dir, "verb:create and objectRef.resource:clusterrolebindings", "-q"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("pinned 1 record"), std::string::npos) << second.out;
  auto again = run_eksir({"case", "pin", f.dir, "eventName:CreateAccessKey", "-q"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("pinned 0 records"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("1 of them pinned already"), std::string::npos) << again.out;

  auto show = run_eksir({"case", "show", f.dir, "--format", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("\"pins\":2"), std::string::npos);
  EXPECT_NE(show.out.find("\"author\":\"carol\""), std::string::npos);
  EXPECT_NE(show.out.find("\"query\":\"eventName:CreateAccessKey\""), std::string::npos);
  EXPECT_NE(show.out.find("\"copies\":1"), std::string::npos) << "S3 and lookup-events";

  auto check_report = [&](const std::string& when) {
    auto md = run_eksir({"report", f.dir});
    ASSERT_EQ(md.exit_code, 0) << md.err;
    EXPECT_EQ(count_of(md.out, "[ANALYST]"), 2u) << when;
    EXPECT_NE(md.out.find("[ANALYST] arn:aws:iam::111122223333:user/ci-deployer "
                          "iam:CreateAccessKey ci-deployer (success) — pinned by carol at "),
              std::string::npos)
        << when << "\n"
        << md.out;
    EXPECT_NE(md.out.find("query `eventName:CreateAccessKey`: the attacker's second key"),
              std::string::npos)
        << when;
    auto html = run_eksir({"report", f.dir, "--format", "html"});
    EXPECT_NE(html.out.find("class=\"m-ana\""), std::string::npos) << when;
    EXPECT_NE(html.out.find("pinned by an analyst"), std::string::npos) << when;
  };
  check_report("after pinning");
  auto rerun = run_eksir({"investigate", f.evidence, "-o", f.dir, "-q", "--no-report"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  check_report("after a second investigation run");

  auto unpin = run_eksir({"case", "unpin", f.dir, "1"});
  EXPECT_EQ(unpin.exit_code, 0) << unpin.err;
  auto md = run_eksir({"report", f.dir});
  EXPECT_EQ(count_of(md.out, "[ANALYST]"), 1u);
  auto bad = run_eksir({"case", "unpin", f.dir, "7"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no pin 7 in the case"), std::string::npos) << bad.err;
}

TEST(CasePin, TooManyMatchesPinNothing) {
  CaseFixture f;
  auto r = run_eksir({"case", "pin", f.dir, "verb:get", "-q"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("more than --max 50: nothing was pinned"), std::string::npos) << r.err;
  auto few = run_eksir({"case", "pin", f.dir, "verb:get", "--max", "1000", "-q"});
  EXPECT_EQ(few.exit_code, 0) << few.err;
  auto none = run_eksir({"case", "pin", f.dir, "eventName:NoSuchCall", "-q"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("nothing matched: nothing was pinned"), std::string::npos) << none.err;
  auto bad_query = run_eksir({"case", "pin", f.dir, "verb:(get"});
  EXPECT_EQ(bad_query.exit_code, 2);
  EXPECT_NE(bad_query.err.find("nothing was pinned"), std::string::npos) << bad_query.err;
  auto no_case = run_eksir({"case", "pin", f.root + "/nope", "verb:get"});
  EXPECT_EQ(no_case.exit_code, 2);
  EXPECT_NE(no_case.err.find("eksir case pin: "), std::string::npos) << no_case.err;
}

}  // namespace
}  // namespace eksir
