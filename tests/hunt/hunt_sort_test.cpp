// hunt::run sorting by time through temporary files gives the rows it gives in memory.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hunt/hunt.h"
#include "test_paths.h"

namespace eksir::hunt {
namespace {

std::string hunt(size_t sort_memory, Format format, bool keep_duplicates, std::string* err_out) {
  HuntOptions o;
  o.query = "*";
  o.evidence = {test::samples_dir() + "/cloudtrail",
                test::source_dir() + "/examples/incident-2026-03-14"};
  o.format = format;
  o.order = Order::Time;
  o.progress = false;
  o.sort_memory = sort_memory;
  o.keep_duplicates = keep_duplicates;
  std::ostringstream out, err;
  EXPECT_EQ(run(o, out, err), 0) << err.str();
  if (err_out) *err_out = err.str();
  return out.str();
}

TEST(HuntSort, ThroughTemporaryFilesAsInMemory) {
  for (Format f : {Format::Table, Format::Ndjson}) {
    for (bool keep : {false, true}) {
      std::string err;
      std::string held = hunt(size_t{1} << 30, f, keep, nullptr);
      std::string spilled = hunt(32 << 10, f, keep, &err);
      EXPECT_EQ(held, spilled);
      EXPECT_NE(err.find("sorted by time through"), std::string::npos) << err;
    }
  }
}

TEST(HuntSort, OnMatchSeesEachRecordOnceWithItsCopies) {
  HuntOptions o;
  o.query = "eventName:UpdateClusterConfig";
  o.evidence = {test::source_dir() + "/examples/incident-2026-03-14"};
  o.quiet = true;
  o.progress = false;
  std::vector<Match> got;
  o.on_match = [&](Match&& m) { got.push_back(std::move(m)); };
  std::ostringstream out, err;
  EXPECT_EQ(run(o, out, err), 0) << err.str();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].copies, 1u);
  EXPECT_EQ(got[0].source, Source::CloudTrail);
  EXPECT_EQ(got[0].action, "eks:UpdateClusterConfig");
  EXPECT_FALSE(got[0].event_id.empty());
  EXPECT_NE(got[0].raw.find("UpdateClusterConfig"), std::string::npos);
  EXPECT_NE(got[0].time, kNoTime);
}

// Copies are one record exported twice; a request's two stages (ResponseStarted and
// ResponseComplete share the auditID) are two records, counted as grep or jq count them.
TEST(HuntFold, StagesOfOneRequestAreTwoRecordsCopiesAreOne) {
  const std::string dir = test::temp_dir();
  auto stage = [](const std::string& s) {
    return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a-1",)"
           R"("stage":")" +
           s +
           R"(","requestURI":"/api/v1/namespaces/p/pods/web/exec","verb":"create",)"
           R"("user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"p","name":"web",)"
           R"("subresource":"exec"},"stageTimestamp":"2026-03-14T09:00:00Z"})"
           "\n";
  };
  std::ofstream(dir + "/a.log") << stage("ResponseStarted") << stage("ResponseComplete");
  std::ofstream(dir + "/copy.log") << stage("ResponseComplete");  // the same record again
  HuntOptions o;
  o.query = "objectRef.subresource:exec";
  o.evidence = {dir};
  o.progress = false;
  o.count_only = true;
  std::ostringstream out, err;
  EXPECT_EQ(run(o, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "2\n") << err.str();
  EXPECT_NE(err.str().find("1 duplicate export of the same record folded"), std::string::npos)
      << err.str();
  o.keep_duplicates = true;
  std::ostringstream all, err2;
  EXPECT_EQ(run(o, all, err2), 0);
  EXPECT_EQ(all.str(), "3\n");
}

}  // namespace
}  // namespace eksir::hunt
