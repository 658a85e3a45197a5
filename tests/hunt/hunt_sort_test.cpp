// hunt::scan sorting by time through temporary files gives the rows it gives in memory.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hunt/hunt.h"
#include "test_paths.h"

namespace eksir::hunt {
namespace {

// The rows as `eksir hunt` writes them, and what the scan found.
Hunt run(const HuntOptions& o, std::string& out) {
  Prepared prepared = prepare(o);
  EXPECT_TRUE(prepared.ok());
  std::ostringstream os;
  Writer writer(os, o);
  Hunt h = scan(o, prepared, writer);
  writer.finish(h);
  out = os.str();
  return h;
}

std::string hunt(size_t sort_memory, Format format, bool keep_duplicates, size_t* runs) {
  HuntOptions o;
  o.query = "*";
  o.evidence = {test::samples_dir() + "/cloudtrail",
                test::source_dir() + "/examples/incident-2026-03-14"};
  o.format = format;
  o.order = Order::Time;
  o.progress = false;
  o.sort_memory = sort_memory;
  o.keep_duplicates = keep_duplicates;
  std::string out;
  Hunt h = run(o, out);
  EXPECT_GT(h.matched, 0u);
  EXPECT_FALSE(h.sort_failed) << h.sort_error;
  EXPECT_EQ(h.order, Order::Time);
  if (runs) *runs = h.sort_runs;
  return out;
}

TEST(HuntSort, ThroughTemporaryFilesAsInMemory) {
  for (Format f : {Format::Table, Format::Ndjson}) {
    for (bool keep : {false, true}) {
      size_t runs = 0;
      std::string held = hunt(size_t{1} << 30, f, keep, &runs);
      EXPECT_EQ(runs, 0u);
      std::string spilled = hunt(32 << 10, f, keep, &runs);
      EXPECT_EQ(held, spilled);
      EXPECT_GT(runs, 1u);
    }
  }
}

TEST(HuntSort, OnMatchSeesEachRecordOnceWithItsCopies) {
  HuntOptions o;
  o.query = "eventName:UpdateClusterConfig";
  o.evidence = {test::source_dir() + "/examples/incident-2026-03-14"};
  o.progress = false;
  std::vector<Match> got;
  o.on_match = [&](Match&& m) { got.push_back(std::move(m)); };
  std::string out;
  EXPECT_EQ(run(o, out).matched, 1u);
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
  std::string out;
  Hunt h = run(o, out);
  EXPECT_EQ(out, "2\n");
  EXPECT_EQ(h.matched, 2u);
  EXPECT_EQ(h.folded, 1u);
  o.keep_duplicates = true;
  h = run(o, out);
  EXPECT_EQ(out, "3\n");
  EXPECT_EQ(h.folded, 0u);
}

}  // namespace
}  // namespace eksir::hunt
