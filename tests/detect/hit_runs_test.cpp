// Hits folded into runs as they come give the findings of sorting every hit and folding it after
// (what the engine did when it kept every hit): same runs, counts without copies, first hit's
// text, earliest evidence — whatever the order hits arrive in and however workers split them.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "detect/engine_impl.h"

namespace eksir::detect {
namespace {

constexpr TimeNs kSecond = 1000000000LL;

struct TestHit {
  std::string key;
  HitRef at;
};

// The reference: every hit of a group sorted, then folded in one pass.
std::vector<Finding> reference(std::vector<TestHit> hits, TimeNs window) {
  std::sort(hits.begin(), hits.end(), [](const TestHit& a, const TestHit& b) {
    if (a.key != b.key) return a.key < b.key;
    return hit_before(a.at, b.at);
  });
  std::vector<Finding> out;
  Finding* open = nullptr;
  std::set<std::tuple<TimeNs, Source, std::string>> seen;
  for (size_t i = 0; i < hits.size(); ++i) {
    const HitRef& h = hits[i].at;
    if (i > 0 && hits[i - 1].key != hits[i].key) {
      open = nullptr;
      seen.clear();
    }
    const bool copy =
        !h.event_id.empty() && !seen.emplace(h.time, h.source, h.event_id.str()).second;
    if (copy) {
      if (open->evidence.size() < kMaxEvidence) open->evidence.push_back(h.ref());
      continue;
    }
    if (open && within(open->last_seen, h.time, window)) {
      ++open->count;
      if (h.time != kNoTime && (open->last_seen == kNoTime || h.time > open->last_seen))
        open->last_seen = h.time;
      if (open->evidence.size() < kMaxEvidence) open->evidence.push_back(h.ref());
      continue;
    }
    Finding f;
    f.dedup_key = hits[i].key;
    f.description = "line " + std::to_string(h.line);
    f.first_seen = f.last_seen = h.time;
    f.evidence.push_back(h.ref());
    open = &out.emplace_back(std::move(f));
  }
  return out;
}

// spill_every: a worker writes its fingerprints to its spill after every so many of its hits
// (0: never), as the engine does past its share of --memory.
std::vector<Finding> folded(const std::vector<TestHit>& hits, TimeNs window, unsigned workers,
                            std::mt19937& rng, size_t spill_every = 0,
                            SpillStats* stats = nullptr) {
  std::vector<WorkerState> ws(workers);
  std::vector<size_t> seen(workers, 0);
  for (const TestHit& h : hits) {
    const size_t i = rng() % workers;
    WorkerState& w = ws[i];
    HitGroup& g = w.groups[h.key];
    name_group(g, h.key);
    HitRef at = h.at;
    if (Run* run = add_hit(g, std::move(at), window))
      run->description = "line " + std::to_string(h.at.line);
    w.print_bytes = 1;
    if (spill_every && ++seen[i] % spill_every == 0) spill_prints(w);
  }
  std::vector<rules::Rule> rules(1);
  std::vector<Finding> out;
  SpillStats spilled;
  findings_from_hits(rules, ws, window, out, spilled);
  if (stats) *stats = spilled;
  return out;
}

void expect_same(const std::vector<Finding>& want, const std::vector<Finding>& got,
                 const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(what + ", finding " + std::to_string(i));
    EXPECT_EQ(want[i].dedup_key, got[i].dedup_key);
    EXPECT_EQ(want[i].description, got[i].description);
    EXPECT_EQ(want[i].first_seen, got[i].first_seen);
    EXPECT_EQ(want[i].last_seen, got[i].last_seen);
    EXPECT_EQ(want[i].count, got[i].count);
    ASSERT_EQ(want[i].evidence.size(), got[i].evidence.size());
    for (size_t e = 0; e < want[i].evidence.size(); ++e) {
      EXPECT_EQ(want[i].evidence[e].file, got[i].evidence[e].file);
      EXPECT_EQ(want[i].evidence[e].line, got[i].evidence[e].line);
      EXPECT_EQ(want[i].evidence[e].time, got[i].evidence[e].time);
    }
  }
}

// Hits of a few groups over a few hours with gaps around the window, untimed hits, two files, and
// copies: the same event again in the other file, at the same time and with the same id.
std::vector<TestHit> random_hits(std::mt19937& rng, size_t n, TimeNs window) {
  static const std::string files[] = {"a.jsonl", "b.jsonl"};
  std::vector<TestHit> hits;
  uint64_t line = 0;
  for (size_t i = 0; i < n; ++i) {
    TestHit h;
    h.key = "rule\x1fuser" + std::to_string(rng() % 4);
    h.at.source = Source::K8sAudit;
    h.at.file = files[rng() % 2];
    h.at.line = ++line;
    const unsigned kind = rng() % 20;
    h.at.time = kind == 0 ? kNoTime
                          : static_cast<TimeNs>(rng() % 40) * (window / 3) +
                                static_cast<TimeNs>(rng() % 3) * kSecond;
    if (kind != 1) h.at.event_id = util::CompactId("id-" + std::to_string(i));
    hits.push_back(h);
    if (rng() % 8 == 0) {  // a copy of this event in the other file
      TestHit copy = h;
      copy.at.file = h.at.file == files[0] ? files[1] : files[0];
      copy.at.line = ++line;
      hits.push_back(copy);
    }
  }
  std::shuffle(hits.begin(), hits.end(), rng);
  return hits;
}

TEST(HitRuns, FoldedAsTheyComeEqualsSortedThenFolded) {
  const TimeNs window = 3600 * kSecond;
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    const size_t n = 1 + rng() % (seed % 10 == 0 ? 400 : 60);
    auto hits = random_hits(rng, n, window);
    const unsigned workers = 1 + seed % 3;
    expect_same(reference(hits, window), folded(hits, window, workers, rng),
                "seed " + std::to_string(seed));
    if (HasFailure()) return;
  }
}

// The fingerprints written to a spill in runs (one worker's copies of an event in two runs, or
// in two workers' spills, or one in a spill and one still in memory) count copies as memory does.
TEST(HitRuns, SpilledFingerprintsCountCopiesAsInMemory) {
  const TimeNs window = 3600 * kSecond;
  uint64_t spilled_prints = 0;
  for (unsigned seed = 1; seed <= 120; ++seed) {
    std::mt19937 rng(seed);
    const size_t n = 1 + rng() % (seed % 10 == 0 ? 400 : 60);
    auto hits = random_hits(rng, n, window);
    const unsigned workers = 1 + seed % 3;
    SpillStats stats;
    const size_t every = 1 + seed % 17;
    expect_same(reference(hits, window), folded(hits, window, workers, rng, every, &stats),
                "seed " + std::to_string(seed) + ", a run every " + std::to_string(every));
    if (HasFailure()) return;
    EXPECT_TRUE(stats.print_error.empty()) << stats.print_error;
    EXPECT_FALSE(stats.prints_lost);
    spilled_prints += stats.prints;
  }
  EXPECT_GT(spilled_prints, 1000u);  // the spill was used, not bypassed
}

TEST(PrintSpill, RunsAndMemoryMergeInOrder) {
  PrintSpill a, b;
  std::vector<Print> want;
  std::mt19937 rng(7);
  auto make_run = [&](PrintSpill& s, size_t n) {
    std::vector<Print> run;
    for (size_t i = 0; i < n; ++i)
      run.push_back({rng() % 3, rng() % 2, static_cast<TimeNs>(rng() % 100), rng() % 5});
    std::sort(run.begin(), run.end());
    ASSERT_TRUE(s.begin_run());
    for (const Print& p : run) ASSERT_TRUE(s.add(p));
    ASSERT_TRUE(s.end_run());
    want.insert(want.end(), run.begin(), run.end());
  };
  make_run(a, 5000);  // past the read buffer
  make_run(a, 0);
  make_run(b, 3);
  make_run(a, 17);
  std::vector<Print> memory;
  for (int i = 0; i < 40; ++i) memory.push_back({rng() % 3, 0, i, 0});
  std::sort(memory.begin(), memory.end());
  want.insert(want.end(), memory.begin(), memory.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(a.prints(), 5017u);
  EXPECT_EQ(a.runs(), 3u);
  EXPECT_EQ(a.bytes(), 5017u * 32);
  std::vector<Print> got;
  std::string error;
  PrintSpill* spills[] = {&a, nullptr, &b};
  ASSERT_TRUE(PrintSpill::merge(
      spills, memory, [&](const Print& p) { got.push_back(p); }, error))
      << error;
  EXPECT_EQ(got, want);
  EXPECT_FALSE(a.add(Print{}));  // no run open: refused, not written
}

TEST(HitRuns, AHitBetweenTwoRunsJoinsThem) {
  const TimeNs window = 60 * kSecond;
  std::vector<TestHit> hits;
  for (TimeNs t : {0LL, 100LL, 50LL}) {  // 0 and 100 apart; 50 within a minute of both
    TestHit h;
    h.key = "k";
    h.at.file = "f";
    h.at.line = static_cast<uint64_t>(t) + 1;
    h.at.time = t * kSecond;
    hits.push_back(h);
  }
  std::mt19937 rng(1);
  auto got = folded(hits, window, 1, rng);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].count, 3u);
  EXPECT_EQ(got[0].first_seen, 0);
  EXPECT_EQ(got[0].last_seen, 100 * kSecond);
  EXPECT_EQ(got[0].description, "line 1");
}

TEST(HitRuns, EvidenceIsTheEarliestPlacesAndMemoryDoesNotGrowWithHits) {
  const TimeNs window = 3600 * kSecond;
  HitGroup g;
  for (int i = 100000; i > 0; --i) {  // latest first: every hit is the run's new first
    HitRef at;
    at.file = "f";
    at.line = static_cast<uint64_t>(i);
    at.time = i * kSecond / 100;
    add_hit(g, std::move(at), window);
  }
  ASSERT_EQ(g.timed.size(), 1u);
  EXPECT_EQ(g.timed[0].hits, 100000u);
  EXPECT_EQ(g.timed[0].evidence.size(), kMaxEvidence);
  EXPECT_EQ(g.timed[0].first.line, 1u);
  EXPECT_TRUE(g.ids.empty());  // hits without an event id keep nothing of their own
}

}  // namespace
}  // namespace eksir::detect
