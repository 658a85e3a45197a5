// The scanner over files and folders: chunking, gzip, ordering, and every kind of bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

namespace fs = std::filesystem;

std::string audit_line(int i, const std::string& verb = "get") {
  return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/"
         "v1\",\"level\":\"Metadata\",\"auditID\":\"id-" +
         std::to_string(i) +
         "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/default/"
         "pods\",\"verb\":\"" +
         verb +
         "\",\"user\":{\"username\":\"alice\"},\"sourceIPs\":[\"192.0.2.1\"],\"objectRef\":{"
         "\"resource\":\"pods\","
         "\"namespace\":\"default\"},\"responseStatus\":{\"code\":200},"
         "\"requestReceivedTimestamp\":\"2026-03-14T09:00:00.000000Z\","
         "\"stageTimestamp\":\"2026-03-14T09:00:00.100000Z\"}";
}

void write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

struct Collected {
  std::vector<Event> events;
  ScanStats stats;
};

Collected collect(const std::vector<std::string>& paths, ScanOptions o = {}) {
  Collected c;
  c.events = read_all(paths, &c.stats, o);
  return c;
}

TEST(Scan, JsonLinesKeepLineNumbersAcrossChunksAndThreads) {
  std::string dir = test::temp_dir();
  std::string content;
  for (int i = 0; i < 5000; ++i) content += audit_line(i) + "\n";
  write(dir + "/audit.log", content);
  for (unsigned threads : {1u, 2u, 4u}) {
    ScanOptions o;
    o.threads = threads;
    o.chunk_bytes = 64 * 1024;  // forces ~90 chunks
    auto c = collect({dir + "/audit.log"}, o);
    ASSERT_EQ(c.events.size(), 5000u) << threads;
    EXPECT_EQ(c.stats.skipped, 0u);
    for (int i = 0; i < 5000; i += 777) {
      EXPECT_EQ(c.events[i].line, static_cast<uint64_t>(i + 1));
      EXPECT_NE(c.events[i].raw.find("\"id-" + std::to_string(i) + "\""), std::string::npos);
    }
    EXPECT_EQ(c.stats.bytes, content.size());
  }
}

TEST(Scan, GzipPlainAndMultiMemberGiveTheSameEvents) {
  std::string dir = test::temp_dir();
  std::string a, b;
  for (int i = 0; i < 300; ++i) a += audit_line(i) + "\n";
  for (int i = 300; i < 600; ++i) b += audit_line(i) + "\n";
  write(dir + "/plain.log", a + b);
  write(dir + "/multi.log.gz", test::gzip(a) + test::gzip(b));
  ScanOptions o;
  o.chunk_bytes = 16 * 1024;
  auto plain = collect({dir + "/plain.log"}, o);
  auto multi = collect({dir + "/multi.log.gz"}, o);
  ASSERT_EQ(plain.events.size(), 600u);
  ASSERT_EQ(multi.events.size(), 600u);
  EXPECT_EQ(multi.stats.skipped, 0u);
  for (size_t i = 0; i < 600; ++i) {
    EXPECT_EQ(plain.events[i].raw, multi.events[i].raw);
    EXPECT_EQ(plain.events[i].line, multi.events[i].line);
  }
  // Digests are of the files as stored (compressed bytes for gzip), whole even when the scan
  // stops early (a truncated member) or reads in many chunks.
  std::string gz = test::gzip(a);
  write(dir + "/cut.log.gz", gz.substr(0, gz.size() / 2));
  o.digests = true;
  auto hashed = collect({dir}, o);
  ASSERT_EQ(hashed.stats.digests.size(), 3u);
  for (const char* name : {"/plain.log", "/multi.log.gz", "/cut.log.gz"}) {
    const FileDigest& d = hashed.stats.digests.at(dir + name);
    EXPECT_EQ(d.hex, sha256_file(dir + name).hex) << name;
    EXPECT_EQ(d.size, sha256_file(dir + name).size) << name;
  }
}

TEST(Scan, TruncatedGzipKeepsTheGoodRecordsAndReportsTheCut) {
  std::string dir = test::temp_dir();
  std::string content;
  for (int i = 0; i < 2000; ++i) content += audit_line(i) + "\n";
  std::string gz = test::gzip(content);
  write(dir + "/cut.log.gz", gz.substr(0, gz.size() * 2 / 3));
  auto c = collect({dir + "/cut.log.gz"});
  EXPECT_GT(c.events.size(), 100u);
  EXPECT_LT(c.events.size(), 2000u);
  ASSERT_GE(c.stats.skipped, 1u);
  EXPECT_EQ(c.stats.skipped_by_reason.count("truncated gzip"), 1u);
  bool named = false;
  for (const auto& s : c.stats.skips)
    if (s.reason == "truncated gzip") named = s.file == dir + "/cut.log.gz" && s.line > 1;
  EXPECT_TRUE(named);
}

TEST(Scan, InvalidJsonLineIsReportedWithItsLineAndNeighboursAreRead) {
  std::string dir = test::temp_dir();
  write(dir + "/a.log", audit_line(1) + "\n" + "{\"kind\":\"Event\", broken\n" + audit_line(2) +
                            "\n\n" + audit_line(3) + "\n");
  auto c = collect({dir + "/a.log"});
  ASSERT_EQ(c.events.size(), 3u);
  EXPECT_EQ(c.events[2].line, 5u);
  ASSERT_EQ(c.stats.skipped, 1u);
  EXPECT_EQ(c.stats.skips[0].reason, "invalid JSON");
  EXPECT_EQ(c.stats.skips[0].line, 2u);
  EXPECT_NE(c.stats.skips[0].message().find("a.log:2"), std::string::npos);
}

TEST(Scan, InvalidFirstLineDoesNotHideTheRestOfTheFile) {
  std::string dir = test::temp_dir();
  write(dir + "/a.log", "not json at all\n" + audit_line(1) + "\n" + audit_line(2) + "\n");
  auto c = collect({dir + "/a.log"});
  EXPECT_EQ(c.events.size(), 2u);
  ASSERT_EQ(c.stats.skipped, 1u);
  EXPECT_EQ(c.stats.skips[0].line, 1u);
}

TEST(Scan, ValidJsonOfUnknownShapeIsUnrecognised) {
  std::string dir = test::temp_dir();
  write(dir + "/odd.json", "{\"hello\":\"world\",\"n\":1}\n");
  auto c = collect({dir + "/odd.json"});
  EXPECT_EQ(c.events.size(), 0u);
  ASSERT_EQ(c.stats.skipped, 1u);
  EXPECT_EQ(c.stats.skips[0].reason, "unrecognised format");
}

TEST(Scan, EmptyBinaryAndTextFilesAreSkippedWithAReason) {
  std::string dir = test::temp_dir();
  write(dir + "/empty.json", "");
  write(dir + "/blank.json", "\n  \n");
  write(dir + "/binary.bin", std::string("\x7f"
                                         "ELF\0\0\x01\x02{",
                                         9));
  write(dir + "/notes.md", "# notes\nnothing here\n");
  auto c = collect({dir});
  EXPECT_EQ(c.stats.files, 4u);
  EXPECT_EQ(c.stats.skipped, 3u);
  EXPECT_EQ(c.stats.skipped_by_reason["empty file"], 2u);
  EXPECT_EQ(c.stats.skipped_by_reason["binary file"], 1u);
  // A text file is not bad evidence, only not evidence: reported apart, not a --strict failure.
  EXPECT_EQ(c.stats.ignored, 1u);
  EXPECT_EQ(c.stats.ignored_by_reason["not JSON"], 1u);
}

TEST(Scan, UnreadableAndMissingPathsAreReported) {
  std::string dir = test::temp_dir();
  write(dir + "/good.log", audit_line(1) + "\n");
  std::vector<std::string> paths = {dir + "/good.log", dir + "/missing.log"};
  if (::geteuid() == 0) {
    paths.push_back("/proc/self/mem");  // opens, but reading at offset 0 fails even for root
  } else {
    write(dir + "/locked.log", audit_line(2) + "\n");
    ::chmod((dir + "/locked.log").c_str(), 0);
    paths.push_back(dir + "/locked.log");
  }
  auto c = collect(paths);
  EXPECT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.stats.skipped_by_reason["unreadable"] + c.stats.skipped_by_reason["read error"], 2u)
      << c.stats.skips.size();
}

TEST(Scan, SymlinkLoopIsReportedOnce) {
  std::string dir = test::temp_dir();
  fs::create_directories(dir + "/a");
  write(dir + "/a/x.log", audit_line(1) + "\n");
  fs::create_directory_symlink(dir + "/a", dir + "/a/loop");
  auto c = collect({dir});
  EXPECT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.stats.skipped_by_reason["symlink loop"], 1u);
}

TEST(Scan, FiftyMegabyteLineIsReadOrReportedWithoutLosingNeighbours) {
  std::string dir = test::temp_dir();
  std::string big =
      "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/"
      "v1\",\"auditID\":\"big\",\"verb\":\"create\","
      "\"requestURI\":\"/"
      "api\",\"stage\":\"ResponseComplete\",\"requestReceivedTimestamp\":\"2026-03-14T09:00:00Z\","
      "\"requestObject\":{\"data\":\"" +
      std::string(50u << 20, 'x') + "\"}}";
  std::string garbage(50u << 20, 'y');
  write(dir + "/big.log",
        audit_line(1) + "\n" + big + "\n" + garbage + "\n" + audit_line(2) + "\n");
  ScanOptions o;
  o.chunk_bytes = 1 << 20;
  auto c = collect({dir + "/big.log"}, o);
  ASSERT_EQ(c.events.size(), 3u);
  EXPECT_EQ(c.events[1].raw.size(), big.size());
  EXPECT_EQ(c.events[2].line, 4u);
  ASSERT_EQ(c.stats.skipped, 1u);
  EXPECT_EQ(c.stats.skips[0].line, 3u);
}

TEST(Scan, PrettyPrintedAndConcatenatedDocuments) {
  std::string dir = test::temp_dir();
  write(dir + "/concat.json", audit_line(3) + audit_line(4) + audit_line(5));
  auto c = collect({dir + "/concat.json"});
  EXPECT_EQ(c.events.size(), 3u);
  EXPECT_EQ(c.stats.skipped, 0u);
}

TEST(Scan, SinceUntilAndSourceFilterAreCountedNotSkipped) {
  std::string dir = test::temp_dir();
  write(dir + "/a.log", audit_line(1) + "\n" + audit_line(2) + "\n");
  ScanOptions o;
  o.since = parse_time("2026-03-15T00:00:00Z");
  auto c = collect({dir}, o);
  EXPECT_EQ(c.events.size(), 0u);
  EXPECT_EQ(c.stats.filtered, 2u);
  EXPECT_EQ(c.stats.skipped, 0u);
  o = {};
  o.only = Source::CloudTrail;
  c = collect({dir}, o);
  EXPECT_EQ(c.events.size(), 0u);
  EXPECT_EQ(c.stats.filtered, 2u);
}

}  // namespace
}  // namespace eksir::sources

namespace eksir::sources {
namespace {

// CloudWatch Logs subscription payloads as Firehose writes them to S3: gzip, JSON objects
// concatenated with no separator, audit events as strings inside logEvents[].message.
TEST(Scan, FirehoseConcatenatedSubscriptionPayloads) {
  auto payload = [](const std::string& type, std::vector<int> ids) {
    std::string events;
    for (int id : ids) {
      std::string msg = audit_line(id);
      std::string escaped;
      for (char ch : msg) {
        if (ch == '"' || ch == '\\') escaped.push_back('\\');
        escaped.push_back(ch);
      }
      if (!events.empty()) events += ",";
      events += "{\"id\":\"" + std::to_string(id) +
                "\",\"timestamp\":1773478800000,\"message\":\"" + escaped + "\"}";
    }
    return "{\"messageType\":\"" + type +
           "\",\"owner\":\"111122223333\",\"logGroup\":\"/aws/eks/prod/"
           "cluster\",\"logStream\":\"kube-apiserver-audit-1\","
           "\"subscriptionFilters\":[\"to-firehose\"],\"logEvents\":[" +
           events + "]}";
  };
  std::string dir = test::temp_dir();
  std::string body = payload("CONTROL_MESSAGE", {}) + payload("DATA_MESSAGE", {1, 2}) +
                     payload("DATA_MESSAGE", {3});
  write(dir + "/firehose-object",
        test::gzip(body.substr(0, body.size() / 2)) + test::gzip(body.substr(body.size() / 2)));
  auto c = collect({dir + "/firehose-object"});
  ASSERT_EQ(c.events.size(), 3u);
  EXPECT_EQ(c.stats.skipped, 0u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.events[i].source, Source::K8sAudit);
    EXPECT_NE(c.events[i].raw.find("\"id-" + std::to_string(i + 1) + "\""), std::string::npos);
    EXPECT_EQ(c.events[i].raw.front(), '{');
  }
  EXPECT_EQ(c.events[1].record, 1u);  // second element of the first DATA_MESSAGE's logEvents
}

}  // namespace
}  // namespace eksir::sources
