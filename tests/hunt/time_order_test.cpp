// The time order of hunt's matches: held, or sorted in runs through temporary files and merged,
// the same rows in the same order; with a limit, only the first kept.
#include <gtest/gtest.h>

#include <random>

#include "hunt/item.h"
#include "hunt/time_order.h"

namespace eksir::hunt {
namespace {

struct Row {
  TimeNs time;
  uint64_t seq;
};

std::vector<Row> rows(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<Row> out;
  for (size_t i = 0; i < n; ++i) {
    // Few distinct times (many ties), and some rows without a time.
    TimeNs t = rng() % 13 == 0 ? kNoTime : static_cast<TimeNs>(rng() % 50) * 1000;
    out.push_back({t, i + 1});
  }
  return out;
}

std::vector<std::string> drained(TimeOrder& order) {
  std::vector<std::string> out;
  EXPECT_TRUE(order.drain([&](std::string_view item) {
    out.emplace_back(item);
    return true;
  })) << order.error();
  return out;
}

std::string item_of(const Row& r) {
  return std::to_string(r.time) + "/" + std::to_string(r.seq) + std::string(r.seq % 7 * 10, 'x');
}

std::vector<std::string> expected(std::vector<Row> in, size_t limit = 0) {
  std::stable_sort(in.begin(), in.end(), [](const Row& a, const Row& b) {
    if ((a.time == kNoTime) != (b.time == kNoTime)) return b.time == kNoTime;
    return a.time < b.time;
  });
  std::vector<std::string> out;
  for (const auto& r : in) out.push_back(item_of(r));
  if (limit && out.size() > limit) out.resize(limit);
  return out;
}

TEST(TimeOrder, OldestFirstTiesInEvidenceOrderNoTimeLast) {
  auto in = rows(500, 1);
  TimeOrder order(size_t{1} << 30, 0);
  for (const auto& r : in) ASSERT_TRUE(order.add(r.time, r.seq, item_of(r)));
  EXPECT_EQ(order.runs(), 0u);
  EXPECT_EQ(drained(order), expected(in));
}

TEST(TimeOrder, SpilledRunsMergeToTheSameOrder) {
  auto in = rows(20000, 2);
  TimeOrder order(64 << 10, 0);  // 64 KiB held at most: many runs
  for (const auto& r : in) ASSERT_TRUE(order.add(r.time, r.seq, item_of(r))) << order.error();
  EXPECT_GT(order.runs(), 10u);
  EXPECT_GT(order.spilled_bytes(), 0u);
  EXPECT_EQ(drained(order), expected(in));
}

TEST(TimeOrder, LimitKeepsTheFirstByTime) {
  auto in = rows(30000, 3);
  for (size_t budget : {size_t{1} << 30, size_t{16} << 10}) {
    TimeOrder order(budget, 25);
    for (const auto& r : in) ASSERT_TRUE(order.add(r.time, r.seq, item_of(r)));
    EXPECT_EQ(drained(order), expected(in, 25)) << budget;
    EXPECT_EQ(order.runs(), 0u) << "25 rows fit any budget";
  }
}

TEST(TimeOrder, DrainStopsWhenAsked) {
  TimeOrder order(1 << 10, 0);
  auto in = rows(1000, 4);
  for (const auto& r : in) ASSERT_TRUE(order.add(r.time, r.seq, item_of(r)));
  size_t seen = 0;
  EXPECT_TRUE(order.drain([&](std::string_view) { return ++seen < 5; }));
  EXPECT_EQ(seen, 5u);
}

TEST(TimeOrder, UnwritableTemporaryFolderIsAnError) {
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", "/nonexistent-eksir-tmp", 1);
  TimeOrder order(1 << 10, 0);
  bool ok = true;
  auto in = rows(1000, 5);
  for (const auto& r : in) ok = ok && order.add(r.time, r.seq, item_of(r));
  if (old)
    setenv("TMPDIR", saved.c_str(), 1);
  else
    unsetenv("TMPDIR");
  EXPECT_FALSE(ok);
  EXPECT_NE(order.error().find("/nonexistent-eksir-tmp"), std::string::npos) << order.error();
  EXPECT_FALSE(order.drain([](std::string_view) { return true; }));
}

TEST(IdentitySet, FoldsCopiesAndCountsThem) {
  IdentitySet set;
  uint64_t first = 0;
  for (int i = 0; i < 5000; ++i)
    ASSERT_TRUE(set.insert(identity_of(Source::CloudTrail, "id-" + std::to_string(i)), 0, first));
  EXPECT_EQ(set.size(), 5000u);
  Identity again = identity_of(Source::CloudTrail, "id-42");
  EXPECT_FALSE(set.insert(again, 0, first));
  ++set.value_at(again);
  EXPECT_EQ(set.value_at(again), 1u);
  // The same id from another source is another record.
  EXPECT_TRUE(set.insert(identity_of(Source::K8sAudit, "id-42"), 0, first));
}

TEST(Item, PacksAndUnpacks) {
  Identity id = identity_of(Source::Falco, "x");
  std::string item = pack_item(123, &id, "cite", "match", "row\n\0bytes");
  ItemHead h = unpack_item(item);
  EXPECT_EQ(h.time, 123);
  EXPECT_TRUE(h.keyed);
  EXPECT_EQ(h.id, id);
  EXPECT_EQ(h.cite, "cite");
  EXPECT_EQ(h.match, "match");
  EXPECT_EQ(h.row, "row\n");  // the literal ends at its NUL
  std::string bare = pack_item(kNoTime, nullptr, "", "", "r");
  ItemHead none = unpack_item(bare);  // views into bare
  EXPECT_FALSE(none.keyed);
  EXPECT_EQ(none.time, kNoTime);
  EXPECT_EQ(none.row, "r");
}

}  // namespace
}  // namespace eksir::hunt
