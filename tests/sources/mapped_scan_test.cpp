// A large plain file is scanned in place, mapped: lines across chunk boundaries, a file without a
// final newline, an empty one, and one cut short while it is read (a read error, not a crash).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <mutex>

#include "sources/mapped.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

// Lines of varied lengths (padding strings of 0 to ~5,000 bytes, one of 20,000: longer than a
// chunk), so that chunk ends fall anywhere in a line.
std::vector<std::string> varied_lines(int n) {
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) {
    size_t pad = i == n / 2 ? 20000 : static_cast<size_t>((i * 7919) % 5000);
    lines.push_back("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"id-" +
                    std::to_string(i) + "\",\"verb\":\"get\",\"user\":{\"username\":\"" +
                    (i % 97 == 0 ? "system:anonymous" : "alice") + "\"},\"pad\":\"" +
                    std::string(pad, 'x') + "\"}");
  }
  return lines;
}

std::string join(const std::vector<std::string>& lines, bool final_newline) {
  std::string s;
  for (size_t i = 0; i < lines.size(); ++i) {
    s += lines[i];
    if (i + 1 < lines.size() || final_newline) s += '\n';
  }
  return s;
}

void write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

struct Seen {
  std::vector<Event> events;
  std::vector<uint64_t> offsets;
  ScanStats stats;
};

// scan() with on_event(line) called for each event (on its worker) once it is kept.
Seen scan_file(const std::string& path, ScanOptions o,
               const std::function<void(uint64_t)>& on_event = nullptr) {
  Seen s;
  std::mutex mu;
  s.stats = scan(
      {path}, o,
      [&](const EventView& v, ChunkOutput& out) {
        {
          std::lock_guard lock(mu);
          out.items.push_back(std::to_string(s.events.size()));
          s.events.push_back(Event::from_view(v));
          s.offsets.push_back(v.offset);
        }
        if (on_event) on_event(v.line);
      },
      [&](std::vector<std::string>&) { return true; });
  std::sort(s.events.begin(), s.events.end(),
            [](const Event& a, const Event& b) { return a.line < b.line; });
  std::sort(s.offsets.begin(), s.offsets.end());
  return s;
}

TEST(MappedScan, LinesAcrossChunkBoundariesKeepTheirNumbersTextAndOffsets) {
  const std::string dir = test::temp_dir();
  const auto lines = varied_lines(600);
  for (bool final_newline : {true, false}) {
    const std::string path = dir + (final_newline ? "/a.log" : "/no-final-newline.log");
    write(path, join(lines, final_newline));
    for (bool filtered : {false, true}) {
      for (unsigned threads : {1u, 2u, 3u}) {
        SCOPED_TRACE(path + (filtered ? " filtered" : "") + " threads " + std::to_string(threads));
        ScanOptions o;
        o.threads = threads;
        o.chunk_bytes = 4096;  // ~400 chunks, most cut inside a line
        if (filtered) o.prefilter = {{{"system:anonymous", false}}};
        auto s = scan_file(path, o);
        EXPECT_EQ(s.stats.skipped, 0u);
        EXPECT_EQ(s.stats.bytes, join(lines, final_newline).size());
        // Filtered: the lines holding the word, the file's first record among them.
        const size_t want = filtered ? (lines.size() + 96) / 97 : lines.size();
        ASSERT_EQ(s.events.size(), want);
        uint64_t offset = 0;
        size_t k = 0;
        for (size_t i = 0; i < lines.size(); ++i) {
          if (!filtered || i == 0 || i % 97 == 0) {
            ASSERT_EQ(s.events[k].line, i + 1);
            ASSERT_EQ(s.events[k].raw, lines[i]);
            ASSERT_EQ(s.offsets[k], offset);
            ++k;
          }
          offset += lines[i].size() + 1;
        }
      }
    }
  }
}

// Between two and three chunks: one chunk is mapped, ending inside what was read first to sniff
// the file; the rest of that read is kept, not read again.
TEST(MappedScan, AFileOfOneMappedChunkGoesOnFromWhatWasRead) {
  const std::string dir = test::temp_dir();
  std::vector<std::string> lines;
  std::string content;
  for (int i = 0; content.size() < 10000; ++i) {
    lines.push_back("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"id-" +
                    std::to_string(i) + "\",\"verb\":\"get\",\"pad\":\"" +
                    std::string(static_cast<size_t>(i * 37 % 300), 'x') + "\"}");
    content += lines.back() + "\n";
  }
  write(dir + "/short.log", content);
  for (unsigned threads : {1u, 2u}) {
    ScanOptions o;
    o.threads = threads;
    o.chunk_bytes = 4096;
    auto s = scan_file(dir + "/short.log", o);
    EXPECT_EQ(s.stats.skipped, 0u);
    EXPECT_EQ(s.stats.bytes, content.size());
    ASSERT_EQ(s.events.size(), lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      ASSERT_EQ(s.events[i].line, i + 1);
      ASSERT_EQ(s.events[i].raw, lines[i]);
    }
  }
}

TEST(MappedScan, AnEmptyFileIsReportedNotRead) {
  const std::string path = test::temp_dir() + "/empty.log";
  write(path, "");
  ScanOptions o;
  o.chunk_bytes = 4096;
  auto s = scan_file(path, o);
  EXPECT_EQ(s.events.size(), 0u);
  ASSERT_EQ(s.stats.skips.size(), 1u);
  EXPECT_EQ(s.stats.skips[0].reason, "empty file");
}

// The file ends at a page's end: nothing is read past it (no padding there to read).
TEST(MappedScan, AFileOfWholePagesIsReadToItsLastLine) {
  const std::string path = test::temp_dir() + "/pages.log";
  auto lines = varied_lines(300);
  std::string content = join(lines, true);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  lines.back().insert(lines.back().size() - 2, page - content.size() % page, 'y');
  content = join(lines, true);
  ASSERT_EQ(content.size() % page, 0u);
  write(path, content);
  for (unsigned threads : {1u, 2u}) {
    ScanOptions o;
    o.threads = threads;
    o.chunk_bytes = 4096;
    auto s = scan_file(path, o);
    EXPECT_EQ(s.stats.skipped, 0u);
    ASSERT_EQ(s.events.size(), lines.size());
    EXPECT_EQ(s.events.back().raw, lines.back());
    EXPECT_EQ(s.events.back().line, lines.size());
  }
}

// Truncated while the scan reads it: the pages past the new end cannot be read through the
// mapping (the kernel raises SIGBUS); the scan reads them as missing and reports the file.
TEST(MappedScan, AFileCutShortWhileReadIsAReadErrorNotACrash) {
  const std::string dir = test::temp_dir();
  const auto lines = varied_lines(2000);
  const std::string content = join(lines, true);
  for (uint64_t keep : {uint64_t{0}, uint64_t{content.size() / 3}}) {
    for (unsigned threads : {1u, 2u}) {
      SCOPED_TRACE("keep " + std::to_string(keep) + " threads " + std::to_string(threads));
      const std::string path = dir + "/cut.log";
      write(path, content);
      ScanOptions o;
      o.threads = threads;
      o.chunk_bytes = 4096;
      std::once_flag cut;
      auto s = scan_file(path, o, [&](uint64_t line) {
        if (line >= 100) std::call_once(cut, [&] { ASSERT_EQ(::truncate(path.c_str(), keep), 0); });
      });
      EXPECT_LT(s.events.size(), lines.size());
      // On one thread every line before the cut was parsed before it; on two, the other worker
      // may still have been on an earlier chunk.
      EXPECT_GE(s.events.size(), threads == 1 ? 100u : 1u);
      // Every event read is a line of the file as it was, at its place; on two threads, one
      // parsed before the cut and copied by the EventFn after it reads as zeros (the file is
      // reported, below).
      for (const Event& e : s.events) {
        ASSERT_GE(e.line, 1u);
        ASSERT_LE(e.line, lines.size());
        if (threads > 1 && e.raw.find_first_not_of('\0') == std::string::npos) continue;
        ASSERT_EQ(e.raw, lines[e.line - 1]);
      }
      bool reported = false;
      for (const Skip& k : s.stats.skips)
        if (k.reason == "read error" &&
            k.detail.find("became shorter while it was read") != std::string::npos)
          reported = true;
      EXPECT_TRUE(reported);
    }
  }
}

TEST(MappedFile, PagesPastATruncationReadAsZerosAndMarkTheMappingDamaged) {
  const std::string path = test::temp_dir() + "/pages";
  const long page = ::sysconf(_SC_PAGESIZE);
  write(path, std::string(static_cast<size_t>(page) * 4, 'a'));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto map = detail::MappedFile::map(fd, static_cast<uint64_t>(page) * 4);
  ASSERT_TRUE(map);
  const volatile char* bytes = map->data();
  EXPECT_EQ(bytes[page * 3], 'a');
  EXPECT_FALSE(map->damaged());
  ASSERT_EQ(::truncate(path.c_str(), page + 10), 0);
  EXPECT_EQ(bytes[page + 5], 'a');    // before the new end
  EXPECT_EQ(bytes[page + 20], '\0');  // after it, in its last page: zeros from the kernel
  EXPECT_FALSE(map->damaged());
  EXPECT_EQ(bytes[page * 3 + 1], '\0');  // a page past the end
  EXPECT_TRUE(map->damaged());
  EXPECT_EQ(map->damaged_from(), static_cast<uint64_t>(page) * 3);
  EXPECT_EQ(bytes[page * 2], '\0');
  EXPECT_EQ(map->damaged_from(), static_cast<uint64_t>(page) * 2);
  EXPECT_FALSE(map->claim_damage(0, static_cast<uint64_t>(page) * 2));  // none before 2 pages
  EXPECT_TRUE(map->claim_damage(0, static_cast<uint64_t>(page) * 4));
  EXPECT_FALSE(map->claim_damage(0, static_cast<uint64_t>(page) * 4));  // reported once
  map.reset();
  ::close(fd);
}

}  // namespace
}  // namespace eksir::sources
