#include "incident/postings.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace eksir::incident {
namespace {

std::vector<uint32_t> records_of(const Postings& p, std::string_view key) {
  std::vector<uint32_t> out;
  p.for_each(key, [&](uint32_t r) { out.push_back(r); });
  return out;
}

TEST(Postings, RecordsComeBackByKeyInTheOrderAdded) {
  Postings p;
  p.add("key:AKIA1", 3);
  p.add("ip:203.0.113.9", 3);
  p.add("key:AKIA1", 7);
  p.add("key:AKIA1", 5);
  EXPECT_EQ(records_of(p, "key:AKIA1"), (std::vector<uint32_t>{3, 7, 5}));
  EXPECT_EQ(records_of(p, "ip:203.0.113.9"), (std::vector<uint32_t>{3}));
  EXPECT_TRUE(records_of(p, "key:AKIA2").empty());
  EXPECT_EQ(p.count("key:AKIA1"), 3u);
  EXPECT_EQ(p.count("absent"), 0u);
  EXPECT_EQ(p.keys(), 2u);
  EXPECT_EQ(p.size(), 4u);
}

TEST(Postings, EmptyIndexAndEmptyKey) {
  Postings p;
  EXPECT_TRUE(records_of(p, "").empty());
  EXPECT_EQ(p.count("x"), 0u);
  p.add("", 1);
  EXPECT_EQ(records_of(p, ""), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(records_of(p, "x").empty());
}

// Long keys, keys that differ in one character, and a table that grows many times: every key still
// finds exactly its records, like a map of vectors.
TEST(Postings, AgreesWithAMapOfVectorsAcrossGrowthAndChunks) {
  Postings p;
  std::map<std::string, std::vector<uint32_t>> want;
  std::mt19937 rng(7);
  for (uint32_t r = 0; r < 200000; ++r) {
    std::string key = "pod:ns/name-" + std::to_string(rng() % 60000);
    if (r % 50000 == 0) key = std::string(300000 + r % 7, 'k') + std::to_string(r);  // long
    p.add(key, r);
    want[key].push_back(r);
  }
  EXPECT_EQ(p.keys(), want.size());
  EXPECT_EQ(p.size(), 200000u);
  for (const auto& [key, records] : want) ASSERT_EQ(records_of(p, key), records) << key;
  EXPECT_TRUE(records_of(p, "pod:ns/name-60000").empty());
}

}  // namespace
}  // namespace eksir::incident
