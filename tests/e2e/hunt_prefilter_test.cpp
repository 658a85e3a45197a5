// End to end: `eksir hunt` writes the same bytes and exits the same with its literal prefilter as
// with --no-prefilter, over the shared samples, the test data and the bundled examples, in every
// format; the summary says what was not parsed.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "test_paths.h"

namespace eksir {
namespace {

using test::run_eksir;

const char* kQueries[] = {
    "verb:create and objectRef.resource:(pods or secrets)",
    "eventName:Create* and not eventSource:iam.amazonaws.com",
    "event.action:(CreateCluster or DeleteCluster or AssumeRole)",
    "user.name:*admin*",
    "xmrig",
    "\"kube-system\" and verb:get",
    "requestObject.spec.containers:{ image:*nginx* }",
    "CVE-2024-3094",
    "no-such-value-anywhere",
    "objectRef.resource:pods/exec or Terminal",
};

std::vector<std::string> evidence() {
  return {test::samples_dir(), test::source_dir() + "/tests/data",
          test::source_dir() + "/examples"};
}

TEST(HuntPrefilterE2E, SameOutputWithAndWithout) {
  int passed_over = 0;
  for (const char* q : kQueries) {
    for (std::vector<std::string> format :
         {std::vector<std::string>{"--format", "table"},
          {"--format", "ndjson"},
          {"--format", "csv", "--fields", "@timestamp,event.action,user.name"},
          {"--count"},
          {"--format", "json"}}) {
      std::vector<std::string> args{"hunt", q};
      for (const auto& e : evidence()) args.push_back(e);
      args.insert(args.end(), format.begin(), format.end());
      SCOPED_TRACE(std::string(q) + " " + format.back());
      auto with = run_eksir(args);
      args.push_back("--no-prefilter");
      auto without = run_eksir(args);
      EXPECT_EQ(with.exit_code, without.exit_code) << with.err;
      if (format[0] == "--format" && format[1] == "json") {
        // The JSON summary counts every event and a time: the prefilter stays off for it.
        EXPECT_EQ(with.err.find("were not parsed"), std::string::npos);
        auto cut = [](const std::string& s) { return s.substr(0, s.find("\"seconds\"")); };
        EXPECT_EQ(cut(with.out), cut(without.out));
        continue;
      }
      EXPECT_EQ(with.out, without.out);
      if (with.err.find("without the query's words were not parsed") != std::string::npos)
        ++passed_over;
      EXPECT_EQ(without.err.find("were not parsed"), std::string::npos);
    }
  }
  EXPECT_GT(passed_over, 20);
}

TEST(HuntPrefilterE2E, StrictParsesEveryRecord) {
  auto r = run_eksir({"hunt", "verb:create", test::samples_dir(), "--count", "--strict"});
  EXPECT_EQ(r.err.find("were not parsed"), std::string::npos) << r.err;
}

TEST(HuntPrefilterE2E, GzipLinesAreFilteredAfterInflating) {
  std::string dir = test::temp_dir();
  std::string text;
  for (int i = 0; i < 40000; ++i)
    text +=
        R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-)" +
        std::to_string(i) + R"(","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":")" +
        (i % 10000 == 7 ? "delete" : "get") +
        R"(","user":{"username":"u"},"objectRef":{"resource":"pods"},"requestReceivedTimestamp":"2026-03-14T09:00:00Z","stageTimestamp":"2026-03-14T09:00:00Z"})"
        "\n";
  std::ofstream(dir + "/audit.jsonl.gz", std::ios::binary) << test::gzip(text);
  auto with = run_eksir({"hunt", "verb:delete", dir, "--format", "ndjson"});
  auto without = run_eksir({"hunt", "verb:delete", dir, "--format", "ndjson", "--no-prefilter"});
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.out, without.out);
  EXPECT_NE(with.err.find("lines without the query's words were not parsed"), std::string::npos)
      << with.err;
}

}  // namespace
}  // namespace eksir
