#include "util/compact_id.h"

#include <gtest/gtest.h>

#include <string>

namespace eksir::util {
namespace {

const char* const kIds[] = {"4a5a8b81-5ae2-49d4-99a8-f1795b46c29a",
                            "00000000-0000-0000-0000-000000000001",
                            "4A5A8B81-5AE2-49D4-99A8-F1795B46C29A",  // upper case: kept as text
                            "4a5a8b81-5ae2-49d4-99a8-f1795b46c29",
                            "4a5a8b81x5ae2-49d4-99a8-f1795b46c29a",
                            "4a5a8b81-5ae2-49d4-99a8-f1795b46c29g",
                            "not-a-uuid",
                            "",
                            "00000000-0000-0000-0000-000000000000",
                            "1711324800.123456789 Terminal shell in container"};

// Millions of scope records and every kept hit hold an event id: a UUID as 16 bytes, anything
// else as its text, and every one reads back exactly as it was written.
TEST(CompactId, ReadsBackExactly) {
  for (std::string id : kIds) {
    const CompactId c(id);
    EXPECT_EQ(c.str(), id) << id;
    EXPECT_EQ(c.empty(), id.empty()) << id;
  }
  EXPECT_EQ(CompactId().str(), "");
  EXPECT_TRUE(CompactId().empty());
}

// Copies are deep (a hit's id is copied into its run's first place and its evidence), and equal
// ids hash alike whatever their form: copies of one event are told apart by the hash.
TEST(CompactId, CopiesAndHashes) {
  for (std::string id : kIds) {
    const CompactId a(id);
    CompactId b = a;
    CompactId c;
    c = b;
    b = CompactId("other");
    EXPECT_EQ(c.str(), id);
    EXPECT_EQ(a.hash(), CompactId(id).hash()) << id;
    EXPECT_EQ(c.hash(), a.hash()) << id;
  }
  EXPECT_NE(CompactId(kIds[0]).hash(), CompactId(kIds[1]).hash());
  EXPECT_NE(CompactId(kIds[0]).hash(), CompactId(kIds[2]).hash());
  EXPECT_LT(sizeof(CompactId), sizeof(std::string));
}

}  // namespace
}  // namespace eksir::util
