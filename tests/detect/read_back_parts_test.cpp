// A correlation rule read back from the spill in parts by key: the parts hold about half the
// budget each even when a few keys hold most of the events, and every key is in one part.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "detect/engine_impl.h"
#include "detect/spill.h"

namespace eksir::detect {
namespace {

TEST(ReadBackParts, EvenPartsWhenAFewKeysHoldMostEvents) {
  // 2 workers; rule 3: 40,000 events of one key, 8,000 of another, 2,000 keys of 20 each; half
  // of each worker's written to its spill, the rest still in memory. Rule 5: a few, in memory.
  std::vector<WorkerState> workers(2);
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) keys.push_back("user-" + std::to_string(i));
  std::map<std::string, uint64_t> events;
  const Subject* nobody = workers[0].interned.identity(Subject{});
  for (size_t k = 0; k < workers.size(); ++k) {
    WorkerState& w = workers[k];
    std::vector<Tuple> spilled, held;
    auto add = [&](const std::string& key, int n) {
      for (int i = 0; i < n; ++i) {
        Tuple t;
        t.rule = 3;
        t.key = w.interned.string(key);
        t.identity = nobody;
        (i % 2 ? held : spilled).push_back(t);
        ++events[key];
      }
    };
    add("hot", 20000);
    add("warm", 4000);
    for (const auto& key : keys) add(key, 10);
    w.spill = std::make_shared<TupleSpill>();
    ASSERT_TRUE(w.spill->write(spilled)) << w.spill->error();
    w.tuples = held;
    Tuple other;
    other.rule = 5;
    other.key = "x";
    other.identity = nobody;
    w.tuples.push_back(other);
  }
  const uint64_t total = 88000;
  // 2 × 256 bytes an event read back: 4,000 events a part.
  const size_t memory = 2 * 256 * 4000;
  const std::vector<uint16_t> part_of = key_parts(workers, memory, 3);
  ASSERT_EQ(part_of.size(), kKeyBuckets);
  std::map<uint16_t, uint64_t> in_part;
  std::map<uint16_t, uint64_t> biggest_bucket;
  std::vector<uint64_t> bucket(kKeyBuckets, 0);
  for (const auto& [key, n] : events) bucket[key_bucket(key)] += n;
  for (size_t b = 0; b < kKeyBuckets; ++b) {
    in_part[part_of[b]] += bucket[b];
    biggest_bucket[part_of[b]] = std::max(biggest_bucket[part_of[b]], bucket[b]);
    if (b) {
      EXPECT_GE(part_of[b], part_of[b - 1]);  // consecutive buckets
    }
  }
  uint64_t sum = 0;
  for (const auto& [part, n] : in_part) {
    sum += n;
    // At most a part's share, unless one bucket alone is more (the hot key's).
    EXPECT_LE(n, std::max<uint64_t>(4000, biggest_bucket[part])) << "part " << part;
  }
  EXPECT_EQ(sum, total);
  // About total / 4,000 parts, give or take the hot buckets' own.
  EXPECT_GE(in_part.size(), 6u);
  EXPECT_LE(in_part.size(), 2 * total / 4000 + 2);
  // Everything fits in one part, or nothing went to the spill, or no budget: read back whole.
  EXPECT_TRUE(key_parts(workers, 2 * 256 * total, 3).empty());
  EXPECT_TRUE(key_parts(workers, memory, 5).empty());
  EXPECT_TRUE(key_parts(workers, 0, 3).empty());
}

}  // namespace
}  // namespace eksir::detect
