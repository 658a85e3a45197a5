// The scope's store of records no rule fired on: text read back from the evidence file where it
// is a slice of it, from the spill where it is not, and a record whose file changed since the
// scan is counted as unread, never returned altered.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "incident/context.h"
#include "incident/facets.h"
#include "incident/scope.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::incident {
namespace {

void write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string audit_line(int i) {
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-)" +
         std::to_string(i) +
         R"(","stage":"ResponseComplete","verb":"get","user":{"username":"alice"},"sourceIPs":["198.51.100.)" +
         std::to_string(i % 250) +
         R"("],"objectRef":{"resource":"secrets","namespace":"prod","name":"s)" +
         std::to_string(i) +
         R"("},"responseStatus":{"code":200},"requestReceivedTimestamp":"2026-03-14T08:00:00.000000Z","stageTimestamp":"2026-03-14T08:00:00.000000Z"})";
}

// Fills a store from the paths, as investigate does on the scan's workers.
void fill(ContextStore& store, const std::vector<std::string>& paths,
          std::map<std::string, std::string>* raw_by_id = nullptr) {
  sources::ScanOptions o;
  o.threads = 1;
  sources::scan(
      paths, o,
      [&](const EventView& ev, sources::ChunkOutput& out) {
        store.offer(ev, out.worker);
        if (raw_by_id) {
          std::string_view id = ev.raw.substr(ev.raw.find("id-"), 7);
          (*raw_by_id)[std::string(ev.file) + std::string(id)] = std::string(ev.raw);
        }
      },
      [](std::vector<std::string>&) { return true; });
  store.seal();
}

TEST(ContextStore, ReadsRecordsBackFromTheEvidenceAndTheSpill) {
  std::string dir = test::temp_dir();
  std::string plain, wrapped = R"({"messageType":"DATA_MESSAGE","logEvents":[)";
  for (int i = 0; i < 300; ++i) plain += audit_line(i) + "\n";
  // CloudWatch Logs: each event a string inside another, so not a slice of the file.
  for (int i = 300; i < 310; ++i) {
    std::string line = audit_line(i), escaped;
    for (char c : line) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
    wrapped += std::string(i > 300 ? "," : "") + R"({"id":")" + std::to_string(i) +
               R"(","timestamp":1773475200000,"message":")" + escaped + "\"}";
  }
  wrapped += "]}";
  write(dir + "/audit.log", plain);
  write(dir + "/cwl.json.gz", test::gzip(wrapped));
  ContextStore store(1);
  std::map<std::string, std::string> raw;
  fill(store, {dir}, &raw);
  ASSERT_EQ(store.size(), 310u);
  std::vector<size_t> all;
  for (size_t i = 0; i < store.size(); ++i) all.push_back(i);
  store.prefetch(all);
  size_t in_evidence = 0;
  for (size_t i = 0; i < store.size(); ++i) {
    bool ok = false;
    Event e = store.load(i, ok);
    ASSERT_TRUE(ok) << i;
    std::string id = e.raw.substr(e.raw.find("id-"), 7);
    EXPECT_EQ(e.raw, raw[e.file + id]) << i;
    if (store.at(i).in_evidence) ++in_evidence;
  }
  EXPECT_EQ(in_evidence, 300u);
  EXPECT_EQ(store.unread(), 0u);
}

TEST(ContextStore, ARecordWhoseFileChangedIsUnreadNotAltered) {
  std::string dir = test::temp_dir();
  std::string path = dir + "/audit.log";
  std::string plain;
  for (int i = 0; i < 20; ++i) plain += audit_line(i) + "\n";
  write(path, plain);
  ContextStore store(1);
  fill(store, {path});
  ASSERT_EQ(store.size(), 20u);
  // The same length, one record altered.
  std::string altered = plain;
  altered.replace(altered.find("\"s7\""), 4, "\"x7\"");
  write(path, altered);
  size_t unread = 0;
  for (size_t i = 0; i < store.size(); ++i) {
    bool ok = true;
    Event e = store.load(i, ok);
    if (!ok) {
      ++unread;
      continue;
    }
    EXPECT_EQ(e.raw.find("\"x7\""), std::string::npos);
  }
  EXPECT_EQ(unread, 1u);
  EXPECT_EQ(store.unread(), 1u);
  EXPECT_NE(store.unread_error().find("changed since it was read"), std::string::npos);
  // Asked again: still unread, counted once.
  bool ok = true;
  for (size_t i = 0; i < store.size(); ++i) store.load(i, ok);
  EXPECT_EQ(store.unread(), 1u);
}

}  // namespace
}  // namespace eksir::incident

namespace eksir::incident {
namespace {

// The index of requests seen: every hash inserted is found with its entry, through growth and
// hashes that share their low bits (one probe sequence), and no other hash is.
TEST(RepeatTable, FindsWhatWasInsertedThroughGrowthAndCollisions) {
  RepeatTable t;
  EXPECT_EQ(t.find(42), nullptr);
  for (uint32_t i = 0; i < 100000; ++i) {
    const uint64_t hash = i % 2 ? (uint64_t{i} << 40) : uint64_t{i} * 0x9e3779b97f4a7c15ULL;
    t.insert({hash, ~hash, i, 1});
  }
  EXPECT_EQ(t.size(), 100000u);
  for (uint32_t i = 0; i < 100000; ++i) {
    const uint64_t hash = i % 2 ? (uint64_t{i} << 40) : uint64_t{i} * 0x9e3779b97f4a7c15ULL;
    RepeatTable::Entry* e = t.find(hash);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->first, i);
    EXPECT_EQ(e->check, ~hash);
    ++e->copies;
    EXPECT_EQ(t.find(hash)->copies, 2u);
  }
  EXPECT_EQ(t.find(uint64_t{3} << 41 | 1), nullptr);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.find(0), nullptr);
}

}  // namespace
}  // namespace eksir::incident

namespace eksir::incident {
namespace {

// Each record's facets are in the worker's temporary file, not in the record: read back, they
// name the record's own object, whatever order they are read in and however many there are.
TEST(ContextStore, FacetsReadBackFromTheTemporaryFile) {
  std::string dir = test::temp_dir();
  std::string plain;
  const int n = 40000;  // facets of more than a piece of the file
  for (int i = 0; i < n; ++i) plain += audit_line(i) + "\n";
  write(dir + "/audit.log", plain);
  ContextStore store(2);
  fill(store, {dir});
  ASSERT_EQ(store.size(), static_cast<size_t>(n));
  auto object_of = [&](size_t i) {
    RecordFacets f = ScopeRecord(store, i).facets();
    return f.targets.empty() ? std::string() : f.targets.front();
  };
  std::vector<size_t> all(store.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  store.prefetch(all);
  for (size_t i = 0; i < store.size(); ++i) {
    bool ok = false;
    Event e = store.load(i, ok);
    ASSERT_TRUE(ok);
    std::string name = e.raw.substr(e.raw.find("\"name\":\"") + 8);
    name = name.substr(0, name.find('"'));
    std::string object = object_of(i);
    ASSERT_NE(object.find("/" + name), std::string::npos) << i << " " << object;
    // Backwards too: each read fetches its own block.
    std::string back = object_of(store.size() - 1 - i);
    ASSERT_FALSE(back.empty());
  }
  EXPECT_EQ(store.facets_unread(), 0u);
  EXPECT_EQ(store.at(0).facets_length, store.facets(0).size());
}

}  // namespace
}  // namespace eksir::incident
