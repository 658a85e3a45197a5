// Records read back from where the scan found them (EventView::offset): the exact text the scan
// saw, from plain and compressed files, and nothing when the file changed since.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

void write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

struct Seen {
  std::vector<Slice> slices;
  std::vector<std::string> raws;
};

// Every event of the paths with an offset, by file; and how many had none.
std::map<std::string, Seen> scan_offsets(const std::vector<std::string>& paths, size_t& without) {
  std::map<std::string, Seen> by_file;
  std::mutex mu;
  without = 0;
  ScanOptions o;
  o.threads = 2;
  o.chunk_bytes = 64 * 1024;  // many chunks per large file: offsets across chunk boundaries
  scan(
      paths, o,
      [&](const EventView& ev, ChunkOutput&) {
        std::lock_guard lock(mu);
        if (ev.offset == kNoOffset) {
          ++without;
          return;
        }
        Seen& s = by_file[std::string(ev.file)];
        s.slices.push_back({ev.offset, static_cast<uint32_t>(ev.raw.size()), checksum(ev.raw)});
        s.raws.emplace_back(ev.raw);
      },
      [](std::vector<std::string>&) { return true; });
  return by_file;
}

TEST(ReadBack, EveryRecordOfTheSamplesAndExamplesReadsBackExactly) {
  size_t without = 0;
  auto by_file = scan_offsets({test::samples_dir(), test::source_dir() + "/examples"}, without);
  size_t records = 0, gz_files = 0;
  for (auto& [file, seen] : by_file) {
    std::vector<std::string> texts;
    ASSERT_EQ(read_back(file, seen.slices, texts), "") << file;
    ASSERT_EQ(texts.size(), seen.raws.size());
    for (size_t i = 0; i < texts.size(); ++i)
      EXPECT_EQ(texts[i], seen.raws[i]) << file << " #" << i;
    records += texts.size();
    if (file.size() > 3 && file.substr(file.size() - 3) == ".gz") ++gz_files;
  }
  EXPECT_GT(records, 3000u);
  EXPECT_GT(gz_files, 0u);
  // Text that is not a slice of a file goes without: events decoded from a string inside another
  // (CloudTrail lookup-events' CloudTrailEvent, CloudWatch Logs and Firehose messages).
  EXPECT_GT(without, 0u);
}

TEST(ReadBack, CompressedSlicesInAnyOrderAcrossMembers) {
  std::string dir = test::temp_dir();
  std::string a, b;
  for (int i = 0; i < 4000; ++i)
    a += "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a" +
         std::to_string(i) + "\",\"verb\":\"get\"}\n";
  for (int i = 0; i < 4000; ++i)
    b += "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"b" +
         std::to_string(i) + "\",\"verb\":\"list\"}\n";
  write(dir + "/audit.log.gz", test::gzip(a) + test::gzip(b));  // two gzip members
  size_t without = 0;
  auto by_file = scan_offsets({dir}, without);
  ASSERT_EQ(by_file.size(), 1u);
  Seen seen = by_file.begin()->second;
  ASSERT_EQ(seen.slices.size(), 8000u);
  EXPECT_EQ(without, 0u);
  // Backwards, and a few only.
  std::vector<Slice> pick;
  std::vector<std::string> want;
  for (size_t i = seen.slices.size(); i-- > 0;)
    if (i % 997 == 0 || i == seen.slices.size() - 1) {
      pick.push_back(seen.slices[i]);
      want.push_back(seen.raws[i]);
    }
  std::vector<std::string> texts;
  ASSERT_EQ(read_back(by_file.begin()->first, pick, texts), "");
  EXPECT_EQ(texts, want);
}

TEST(ReadBack, AChangedFileGivesNothingForWhatChanged) {
  std::string dir = test::temp_dir();
  std::string path = dir + "/audit.log";
  std::string l1 =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"one","verb":"get"})";
  std::string l2 =
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"two","verb":"get"})";
  write(path, l1 + "\n" + l2 + "\n");
  size_t without = 0;
  auto by_file = scan_offsets({path}, without);
  ASSERT_EQ(by_file[path].slices.size(), 2u);
  const auto slices = by_file[path].slices;
  // The second record rewritten in place (same length): only it is refused.
  std::string changed = l2;
  changed.replace(changed.find("two"), 3, "TWO");
  write(path, l1 + "\n" + changed + "\n");
  std::vector<std::string> texts;
  ASSERT_EQ(read_back(path, slices, texts), "");
  EXPECT_EQ(texts[0], l1);
  EXPECT_EQ(texts[1], "");
  // Cut short: an error for the file.
  write(path, l1.substr(0, 10));
  EXPECT_NE(read_back(path, slices, texts), "");
  std::filesystem::remove(path);
  EXPECT_NE(read_back(path, slices, texts), "");
}

}  // namespace
}  // namespace eksir::sources
