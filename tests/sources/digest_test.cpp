// Evidence digests computed in pieces: a prefix hashed ahead of the scan, the bytes the scan
// reads, and a rest finished after it. Whatever the split, the digest is the file's SHA-256.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "sources/input.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

using detail::Buffer;
using detail::Input;
using detail::PartialDigest;

void write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"id-" +
         std::to_string(i) + "\",\"verb\":\"get\",\"user\":{\"username\":\"alice\"}}\n";
  return s;
}

// A prefix of `path` hashed as DigestAhead would have: its first `bytes` bytes.
std::unique_ptr<PartialDigest> prefix(const std::string& path, uint64_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string head(bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(bytes));
  head.resize(static_cast<size_t>(in.gcount()));
  auto p = std::make_unique<PartialDigest>();
  p->path = path;
  p->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(p->fd, 0) << path;
  p->hashed = head.size();
  p->sha = std::make_unique<Sha256>();
  p->sha->update(head);
  return p;
}

// Reads the whole file through Input in small pieces, as the scan does, and gives its digest:
// finished by the Input, or deferred and finished by PartialDigest::finish.
FileDigest read_and_digest(const std::string& path, uint64_t stop,
                           std::unique_ptr<PartialDigest> ahead, bool* deferred = nullptr) {
  std::string error;
  auto in = Input::open(path, error);
  EXPECT_TRUE(in) << error;
  if (!in) return {};
  in->keep_digest(stop, std::move(ahead));
  Buffer buf;
  while (in->read(buf, 4096)) buf.clear();
  if (auto d = in->finish_digest()) {
    if (deferred) *deferred = false;
    return *d;
  }
  if (deferred) *deferred = true;
  return in->take_partial_digest(path)->finish();
}

TEST(Digest, AnySplitOfAheadScanAndDeferredGivesTheFilesSha256) {
  std::string dir = test::temp_dir();
  write(dir + "/plain.log", lines(400));
  write(dir + "/events.log.gz", test::gzip(lines(300)));
  write(dir + "/empty.log", "");
  for (const char* name : {"/plain.log", "/events.log.gz", "/empty.log"}) {
    const std::string path = dir + name;
    const FileDigest want = sha256_file(path);
    const uint64_t size = want.size;
    for (uint64_t ahead : {uint64_t{0}, uint64_t{1}, size / 3, size}) {
      for (uint64_t stop : {uint64_t{0}, uint64_t{1}, size / 2, size, UINT64_MAX}) {
        bool deferred = false;
        FileDigest got =
            read_and_digest(path, stop, ahead ? prefix(path, ahead) : nullptr, &deferred);
        EXPECT_TRUE(got.ok()) << name << " " << got.error;
        EXPECT_EQ(got.hex, want.hex) << name << " ahead " << ahead << " stop " << stop;
        EXPECT_EQ(got.size, size) << name << " ahead " << ahead << " stop " << stop;
        // Hashing stopped short of the end only when neither the prefix nor the scan reached it.
        if (size > 0 && stop < size && ahead < size) {
          EXPECT_TRUE(deferred) << name;
        }
        if (stop == UINT64_MAX) {
          EXPECT_FALSE(deferred) << name;
        }
      }
    }
  }
}

TEST(Digest, APrefixOfAnotherFileIsNotCarriedOn) {
  std::string dir = test::temp_dir();
  write(dir + "/a.log", lines(50));
  write(dir + "/b.log", lines(60));
  // b's prefix offered for a: a is hashed from its own start.
  auto other = prefix(dir + "/b.log", 100);
  other->path = dir + "/a.log";  // the path alone does not make it a's
  FileDigest got = read_and_digest(dir + "/a.log", UINT64_MAX, std::move(other));
  EXPECT_EQ(got.hex, sha256_file(dir + "/a.log").hex);
}

TEST(Digest, TheRestIsHashedFromTheFileTheScanRead) {
  std::string dir = test::temp_dir();
  const std::string path = dir + "/audit.log";
  const std::string content = lines(200);
  write(path, content);
  const std::string want = sha256_file(path).hex;
  std::string error;
  auto in = Input::open(path, error);
  ASSERT_TRUE(in) << error;
  in->keep_digest(100);
  Buffer buf;
  while (in->read(buf, 4096)) buf.clear();
  ASSERT_FALSE(in->finish_digest());
  auto partial = in->take_partial_digest(path);
  in.reset();
  // Replaced under the same name before the rest is hashed: the digest is still the read file's.
  std::filesystem::remove(path);
  write(path, std::string(content.size(), 'x'));
  FileDigest d = partial->finish();
  EXPECT_TRUE(d.ok()) << d.error;
  EXPECT_EQ(d.hex, want);
}

// The scan with every option at once: digests from the scan, from a prefix hashed ahead (stopped
// whenever the thread got to), and deferred past a point, cover every file and match.
TEST(Digest, ScanWithAheadAndDeferralHashesEveryFileOnce) {
  std::string dir = test::temp_dir();
  std::filesystem::create_directories(dir + "/ct");
  write(dir + "/audit.log", lines(3000));
  for (int i = 0; i < 20; ++i) write(dir + "/ct/" + std::to_string(i) + ".log.gz", test::gzip(lines(40)));
  write(dir + "/README.md", "# not evidence\n");
  std::vector<std::string> files;
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) {
      files.push_back(e.path().string());
      total += e.file_size();
    }
  for (uint64_t defer : {uint64_t{0}, total / 4, total / 2, total * 2}) {
    for (bool with_ahead : {false, true}) {
      std::optional<DigestAhead> ahead;
      if (with_ahead) ahead.emplace(std::vector<std::string>{dir});
      ScanOptions o;
      o.digests = true;
      o.digest_defer = defer;
      o.chunk_bytes = 16 * 1024;
      if (ahead) {
        ahead->stop();
        o.ahead = &*ahead;
      }
      ScanStats stats;
      read_all({dir}, &stats, o);
      std::map<std::string, FileDigest> digests = stats.digests;
      size_t deferred = stats.deferred ? stats.deferred->size() : 0;
      if (stats.deferred) digests.merge(stats.deferred->finish());
      EXPECT_EQ(digests.size(), files.size()) << "defer " << defer;
      for (const auto& f : files) {
        ASSERT_TRUE(digests.count(f)) << f;
        EXPECT_EQ(digests[f].hex, sha256_file(f).hex) << f << " defer " << defer;
      }
      if (defer == 0) {
        EXPECT_EQ(deferred, 0u);
      }
      if (defer > total && !with_ahead) {
        EXPECT_EQ(deferred, files.size());
      }
    }
  }
}

// A share of the input is deferred, up to the byte limit: the rest is hashed by the scan.
TEST(Digest, DeferralTakesAShareOfTheInput) {
  std::string dir = test::temp_dir();
  for (int i = 0; i < 8; ++i) write(dir + "/" + std::to_string(i) + ".log", lines(500));
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) total += e.file_size();
  for (double share : {0.0, 0.3, 1.0}) {
    ScanOptions o;
    o.digests = true;
    o.digest_defer = total * 2;
    o.digest_defer_share = share;
    ScanStats stats;
    read_all({dir}, &stats, o);
    size_t deferred = stats.deferred ? stats.deferred->size() : 0;
    std::map<std::string, FileDigest> digests = stats.digests;
    if (stats.deferred) digests.merge(stats.deferred->finish());
    EXPECT_EQ(digests.size(), 8u);
    for (const auto& [file, d] : digests) EXPECT_EQ(d.hex, sha256_file(file).hex) << file;
    // 30 % of eight equal files: the last three, one of them partly hashed by the scan.
    const size_t expected = share == 0.0 ? 0 : share == 1.0 ? 8 : 3;
    EXPECT_EQ(deferred, expected) << "share " << share;
  }
}

}  // namespace
}  // namespace eksir::sources
