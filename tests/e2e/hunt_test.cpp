// End to end: the built `eksir hunt` on the shared samples and the bundled examples.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

const char* kPlaybookQuery =
    "event.source:\"eks.amazonaws.com\" AND event.action:(\"CreateCluster\" OR \"DeleteCluster\" "
    "OR "
    "\"DeleteNodegroup\" OR \"UpdateClusterConfig\" OR \"UpdateNodegroupConfig\")";
const char* kNativeQuery =
    "eventSource:\"eks.amazonaws.com\" and eventName:(CreateCluster or DeleteCluster or "
    "DeleteNodegroup or "
    "UpdateClusterConfig or UpdateNodegroupConfig)";

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

TEST(HuntE2E, PlaybookQueryAndNativeNamesAgreeOnSamples) {
  auto a = run_eksir({"hunt", kPlaybookQuery, test::samples_dir(), "--format", "ndjson", "-q"});
  auto b = run_eksir({"hunt", kNativeQuery, test::samples_dir(), "--format", "ndjson", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  auto rows = lines(a.out);
  // The EKS User Guide's CreateCluster example is the only such call among the samples.
  ASSERT_EQ(rows.size(), 1u) << a.out;
  EXPECT_NE(rows[0].find("\"eventName\":\"CreateCluster\""), std::string::npos) << rows[0];
}

TEST(HuntE2E, PlaybookQueryAndNativeNamesAgreeOnExamples) {
  std::string examples = test::source_dir() + "/examples/incident-2026-03-14";
  auto a = run_eksir({"hunt", kPlaybookQuery, examples, "--format", "ndjson", "-q"});
  auto b = run_eksir({"hunt", kNativeQuery, examples, "--format", "ndjson", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  auto rows = lines(a.out);
  ASSERT_GE(rows.size(), 1u);
  for (const auto& r : rows) EXPECT_NE(r.find("eks.amazonaws.com"), std::string::npos) << r;
  bool update = false;
  for (const auto& r : rows) update |= r.find("\"UpdateClusterConfig\"") != std::string::npos;
  EXPECT_TRUE(update) << "the example story disables audit logging with UpdateClusterConfig";
}

TEST(HuntE2E, NdjsonPrintsRecordsExactlyAsInTheEvidence) {
  std::string file = test::samples_dir() + "/k8s-audit/falco-trace-files/exec_pod.json";
  std::ifstream in(file);
  std::string original;
  std::getline(in, original);
  auto r = run_eksir(
      {"hunt", "verb:create and objectRef.subresource:exec", file, "--format", "ndjson", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, original + "\n");
}

TEST(HuntE2E, CountPrintsTheNumberAlone) {
  auto r = run_eksir({"hunt", "objectRef.resource:pods",
                      test::samples_dir() + "/k8s-audit/falco-trace-files", "--count"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  int n = std::stoi(r.out);
  EXPECT_GT(n, 5);
  EXPECT_EQ(r.out, std::to_string(n) + "\n");
  EXPECT_NE(r.err.find("matched"), std::string::npos);
}

TEST(HuntE2E, TableShowsTheGistColumns) {
  auto r = run_eksir({"hunt", "eventName:CreateCluster",
                      test::samples_dir() + "/cloudtrail/eks-and-pod-identity"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0].rfind("TIME", 0), 0u);
  for (const char* col : {"SOURCE", "ACTOR", "ACTION", "TARGET", "OUTCOME"})
    EXPECT_NE(rows[0].find(col), std::string::npos) << col;
  EXPECT_NE(rows[1].find("cloudtrail"), std::string::npos);
  EXPECT_NE(rows[1].find("eks:CreateCluster"), std::string::npos);
  EXPECT_NE(rows[1].find("success"), std::string::npos);
}

TEST(HuntE2E, JsonAndCsvCarryTheSameMatches) {
  std::string dir = test::samples_dir() + "/k8s-audit/falco-trace-files";
  auto j = run_eksir({"hunt", "verb:delete", dir, "--format", "json", "-q"});
  auto c = run_eksir({"hunt", "verb:delete", dir, "--format", "csv", "--fields",
                      "auditID,objectRef.resource", "-q"});
  auto n = run_eksir({"hunt", "verb:delete", dir, "--count", "-q"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  ASSERT_EQ(c.exit_code, 0) << c.err;
  int count = std::stoi(n.out);
  EXPECT_GT(count, 5);
  EXPECT_EQ(lines(c.out).size(), static_cast<size_t>(count) + 1);
  EXPECT_EQ(lines(c.out)[0], "auditID,objectRef.resource");
  size_t objects = 0;
  for (size_t p = j.out.find("\"source\":\"k8s_audit\""); p != std::string::npos;
       p = j.out.find("\"source\":\"k8s_audit\"", p + 1))
    ++objects;
  EXPECT_EQ(objects, static_cast<size_t>(count));
  EXPECT_NE(j.out.find("\"summary\":{"), std::string::npos);
}

TEST(HuntE2E, LimitStopsInEvidenceOrder) {
  std::string dir = test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs";
  auto all = run_eksir({"hunt", "eventName:*", dir, "--format", "ndjson", "-q"});
  auto some = run_eksir({"hunt", "eventName:*", dir, "--format", "ndjson", "--limit", "7", "-q"});
  auto a = lines(all.out), s = lines(some.out);
  ASSERT_EQ(s.size(), 7u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], a[i]);
}

TEST(HuntE2E, SinceAndUntilBoundTheWindow) {
  std::string dir = test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs";
  auto all = run_eksir({"hunt", "eventName:*", dir, "--count", "-q"});
  auto none =
      run_eksir({"hunt", "eventName:*", dir, "--count", "-q", "--since", "2099-01-01T00:00:00Z"});
  auto recent = run_eksir({"hunt", "eventName:*", dir, "--count", "-q", "--since", "36500d"});
  EXPECT_GT(std::stoi(all.out), 100);
  EXPECT_EQ(none.out, "0\n");
  EXPECT_EQ(recent.out, all.out);
  auto bad = run_eksir({"hunt", "eventName:*", dir, "--since", "yesterday"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--since"), std::string::npos);
}

TEST(HuntE2E, SourceFilter) {
  auto r =
      run_eksir({"hunt", "*", test::samples_dir(), "--source", "falco", "--format", "json", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\"source\":\"cloudtrail\""), std::string::npos);
  EXPECT_NE(r.out.find("\"source\":\"falco\""), std::string::npos);
}

TEST(HuntE2E, SyntaxErrorPointsAtTheColumn) {
  auto r = run_eksir({"hunt", "verb:create and (objectRef.resource:pods", test::samples_dir()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("column"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
}

TEST(HuntE2E, UnknownFieldIsAWarningNotASilentEmptyResult) {
  auto r = run_eksir({"hunt", "no.such.fieldname:x", test::samples_dir() + "/falco", "--count"});
  EXPECT_EQ(r.exit_code, 1);  // nothing matched
  EXPECT_NE(r.err.find("no.such.fieldname"), std::string::npos) << r.err;
}

TEST(HuntE2E, StrictTurnsAnySkipIntoExit2) {
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/a.log")
      << "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/"
         "v1\",\"auditID\":\"1\",\"verb\":\"get\","
         "\"requestURI\":\"/api\",\"stage\":\"ResponseComplete\","
         "\"requestReceivedTimestamp\":\"2026-03-14T09:00:00Z\"}\n{broken\n";
  auto lax = run_eksir({"hunt", "verb:get", dir, "--count"});
  auto strict = run_eksir({"hunt", "verb:get", dir, "--count", "--strict"});
  EXPECT_EQ(lax.exit_code, 0);
  EXPECT_EQ(lax.out, "1\n");
  EXPECT_NE(lax.err.find("a.log:2"), std::string::npos) << lax.err;
  EXPECT_EQ(strict.exit_code, 2);
}

TEST(HuntE2E, ExitStatusIsGrepsZeroMatchedOneNothingTwoErrors) {
  std::string dir = test::samples_dir() + "/cloudtrail/stratus-red-team-detonation-logs";
  auto some = run_eksir({"hunt", "eventName:*", dir, "-q"});
  EXPECT_EQ(some.exit_code, 0) << some.err;
  EXPECT_FALSE(some.out.empty());
  for (const char* format : {"table", "json", "ndjson", "csv"}) {
    auto none = run_eksir({"hunt", "eventName:NoSuchCall", dir, "--format", format, "-q"});
    EXPECT_EQ(none.exit_code, 1) << format << ": " << none.err;
  }
  auto count = run_eksir({"hunt", "eventName:NoSuchCall", dir, "--count"});
  EXPECT_EQ(count.exit_code, 1) << count.err;
  EXPECT_EQ(count.out, "0\n");
  EXPECT_NE(count.err.find("0 matched"), std::string::npos) << count.err;
  // Outside the window nothing matches either.
  auto later = run_eksir({"hunt", "eventName:*", dir, "--since", "2099-01-01T00:00:00Z", "-q"});
  EXPECT_EQ(later.exit_code, 1);
  // --limit stops early: something matched.
  auto limited = run_eksir({"hunt", "eventName:*", dir, "--limit", "1", "-q"});
  EXPECT_EQ(limited.exit_code, 0);
  // Errors stay 2, matches or not.
  EXPECT_EQ(run_eksir({"hunt", "eventName:(", dir}).exit_code, 2);
  EXPECT_EQ(run_eksir({"hunt", "eventName:*", dir + "/nope"}).exit_code, 2);
}

TEST(HuntE2E, NothingReadableIsAnError) {
  auto r = run_eksir({"hunt", "verb:get", test::temp_dir() + "/does-not-exist"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does-not-exist"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace eksir
