// The stderr summary a responder reads after every scan.
#include <gtest/gtest.h>

#include <string>

#include "sources/sources.h"

namespace eksir::sources {
namespace {

ScanStats stats_with_skips() {
  ScanStats st;
  st.files = 2;
  st.events = 10;
  for (int i = 0; i < 3; ++i)
    st.skips.push_back(Skip{"index.json", 1, static_cast<uint64_t>(i), "unrecognised format", "x"});
  st.skips.push_back(Skip{"audit.log", 7, 0, "invalid JSON", "y"});
  st.skipped = 4;
  st.skipped_by_reason = {{"unrecognised format", 3}, {"invalid JSON", 1}};
  return st;
}

TEST(ScanSummary, RunsOfTheSameSkipReadAsOneLineWithACount) {
  std::string s = scan_summary("hunt", stats_with_skips(), "", false);
  EXPECT_NE(s.find("skip: index.json:1: unrecognised format: x"), std::string::npos) << s;
  EXPECT_NE(s.find("and 2 more like it in this file"), std::string::npos) << s;
  EXPECT_NE(s.find("skip: audit.log:7: invalid JSON: y"), std::string::npos) << s;
  EXPECT_EQ(s.find("more skips"), std::string::npos) << s;
}

TEST(ScanSummary, StrictListsEverySkip) {
  std::string s = scan_summary("hunt", stats_with_skips(), "", true);
  EXPECT_EQ(s.find("more like it"), std::string::npos) << s;
  EXPECT_NE(s.find("index.json:1 (record 2)"), std::string::npos) << s;
}

}  // namespace
}  // namespace eksir::sources
