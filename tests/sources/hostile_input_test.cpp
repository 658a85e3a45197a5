// Evidence shaped to be passed over or dropped: prose before JSON lines, a first line longer than
// the format sniffing reads, integers wider than 64 bits, a case folder inside the evidence, and
// paths that do not exist. Nothing is dropped without being counted and named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <simdjson.h>

#include "sources/sources.h"
#include "sources/wide_numbers.h"
#include "store/store.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

const char* kFalcoBanner[] = {
    "Tue Mar 14 08:00:01 2026: Falco version: 0.37.1 (x86_64)",
    "Tue Mar 14 08:00:01 2026: Falco initialized with configuration file: /etc/falco/falco.yaml",
    "Tue Mar 14 08:00:01 2026: Loading rules from file /etc/falco/falco_rules.yaml",
    "Tue Mar 14 08:00:01 2026: The chosen syscall buffer dimension is: 8388608 bytes (8 MBs)",
    // One line, in parentheses: clang does not take it for a missing comma.
    ("Tue Mar 14 08:00:01 2026: Starting health webserver with threadiness 2, listening on port "
     "8765"),
    "Tue Mar 14 08:00:01 2026: Loaded event sources: syscall",
    "Tue Mar 14 08:00:01 2026: Enabled event sources: syscall",
    "Tue Mar 14 08:00:01 2026: Opening 'syscall' source with modern BPF probe.",
};

// Falco's stdout: its startup banner, then the JSON alerts (the real sample's first three).
std::string falco_stdout(size_t alerts) {
  std::string text;
  for (const char* l : kFalcoBanner) text += std::string(l) + "\n";
  auto real = lines_of(slurp(test::samples_dir() + "/falco/falco-website__alerts.jsonl"));
  for (size_t i = 0; i < alerts && i < real.size(); ++i) text += real[i] + "\n";
  return text;
}

TEST(HostileInput, FalcoStdoutWithABannerIsReadAndTheBannerCounted) {
  std::string dir = test::temp_dir();
  write(dir + "/falco.log", falco_stdout(3));
  ScanStats st;
  auto events = read_all({dir}, &st);
  EXPECT_EQ(events.size(), 3u);
  EXPECT_EQ(st.events_by_source[Source::Falco], 3u);
  EXPECT_EQ(st.ignored, 0u);
  EXPECT_EQ(st.skipped, std::size(kFalcoBanner));
  EXPECT_EQ(st.skipped_by_reason["not a JSON line"], std::size(kFalcoBanner));
  ASSERT_FALSE(st.skips.empty());
  EXPECT_EQ(st.skips[0].line, 1u);
  EXPECT_NE(st.skips[0].message().find("falco.log:1: not a JSON line"), std::string::npos)
      << st.skips[0].message();
}

TEST(HostileInput, ARotatedAuditLogWithAFirstPartialLineOver64KiB) {
  // The tail of a record cut by rotation, longer than the 64 KiB the sniffing looks at first.
  auto real = lines_of(slurp(test::source_dir() +
                             "/examples/incident-2026-03-14/k8s-audit/kube-apiserver-audit.log"));
  ASSERT_GT(real.size(), 10u);
  std::string partial = "\"annotations\":{\"note\":\"" + std::string(70 * 1024, 'a') + "\"}}";
  std::string text = partial + "\n";
  for (size_t i = 0; i < 10; ++i) text += real[i] + "\n";
  std::string dir = test::temp_dir();
  write(dir + "/kube-apiserver-audit.log.1", text);
  ScanStats st;
  auto events = read_all({dir}, &st);
  EXPECT_EQ(events.size(), 10u);
  EXPECT_EQ(st.ignored, 0u);
  ASSERT_EQ(st.skipped, 1u);
  EXPECT_EQ(st.skips[0].line, 1u);
  // And in a file larger than one chunk, read line by line.
  std::string big = partial + "\n";
  while (big.size() < (9u << 20))
    for (size_t i = 0; i < real.size(); ++i) big += real[i] + "\n";
  write(dir + "/big/kube-apiserver-audit.log.2", big);
  ScanStats st2;
  auto events2 = read_all({dir + "/big"}, &st2);
  EXPECT_GT(events2.size(), 1000u);
  EXPECT_EQ(st2.ignored, 0u);
  EXPECT_EQ(st2.skipped, 1u);
}

TEST(HostileInput, ProseWithoutAnyJsonObjectLineIsStillPassedOver) {
  std::string dir = test::temp_dir();
  write(dir + "/notes.yaml", "kind: List\nitems:\n- {name: a}\n- {}\n");
  ScanStats st;
  read_all({dir}, &st);
  EXPECT_EQ(st.skipped, 0u);
  EXPECT_EQ(st.ignored_by_reason["not JSON"], 1u);
}

TEST(WideNumbers, RewritesOnlyIntegersBeyond64BitsAndKeepsTheLength) {
  std::string text =
      R"({"a":123456789012345678901234567890,"b":"999999999999999999999999","c":-9223372036854775809,)"
      R"("d":18446744073709551615,"e":18446744073709551616,"f":1.5e300,"g":[1,-2,30000000000000000000000.5]})";
  std::string before = text;
  EXPECT_EQ(detail::widen_big_integers(text.data(), text.size()), 3u);
  EXPECT_EQ(text.size(), before.size());
  EXPECT_NE(text.find(R"("a":1.2345678901234567890123456e29,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("b":"999999999999999999999999")"), std::string::npos);  // a string
  EXPECT_NE(text.find(R"("c":-9.22337203685477e18,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("d":18446744073709551615,)"), std::string::npos);  // fits uint64
  EXPECT_NE(text.find(R"("e":1.844674407370955e19,)"), std::string::npos) << text;
  EXPECT_NE(text.find("30000000000000000000000.5"), std::string::npos);  // already a double
}

// A CloudTrail record (the S3 delivery sample) whose error code is inflated to 30 digits.
TEST(WideNumbers, ACloudTrailRecordWithA30DigitIntegerIsRead) {
  std::string sample =
      slurp(test::samples_dir() +
            "/cloudtrail/s3-delivery-format/falco-test__alice_start_instances.json");
  std::string huge = "800000000000000000000000000000";
  std::string inflated =
      std::regex_replace(sample, std::regex(R"("code": 80\b)"), "\"code\": " + huge,
                         std::regex_constants::format_first_only);
  ASSERT_NE(inflated, sample);
  std::string dir = test::temp_dir();
  write(dir + "/s3/ct.json", inflated);
  ScanStats plain_st;
  auto plain = read_all({test::samples_dir() + "/cloudtrail/s3-delivery-format/"}, &plain_st);
  ScanStats st;
  auto events = read_all({dir + "/s3"}, &st);
  EXPECT_EQ(st.skipped, 0u);
  ASSERT_EQ(events.size(), plain.size());
  ASSERT_FALSE(events.empty());
  // The record's text is the evidence's own; its parse holds the number as a double.
  bool found = false;
  for (const auto& e : events) {
    if (e.raw.find(huge) == std::string::npos) continue;
    found = true;
    EXPECT_FALSE(e.json.empty());
    EXPECT_EQ(e.json.find(huge), std::string::npos);
    EXPECT_NE(e.json.find("\"code\":8"), std::string::npos) << e.json.substr(0, 400);
  }
  EXPECT_TRUE(found);

  // The same record alone on one line, and inside a lookup-events string.
  simdjson::dom::parser parser;
  simdjson::padded_string padded(sample.data(), sample.size());
  std::string line;
  for (simdjson::dom::element r : parser.parse(padded)["Records"].get_array()) {
    std::string m = simdjson::minify(r);
    if (m.find("\"code\":80") != std::string::npos)
      line = std::regex_replace(m, std::regex(R"("code":80\b)"), "\"code\":" + huge);
  }
  ASSERT_NE(line.find(huge), std::string::npos);
  write(dir + "/lines/ct.jsonl", line + "\n");
  ScanStats lst;
  auto one = read_all({dir + "/lines"}, &lst);
  EXPECT_EQ(lst.skipped, 0u) << (lst.skips.empty() ? "" : lst.skips[0].message());
  EXPECT_EQ(one.size(), 1u);
  std::string escaped;
  for (char c : line) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  write(dir + "/lookup/events.json",
        R"({"Events":[{"EventId":"x","CloudTrailEvent":")" + escaped + R"("}]})");
  ScanStats nst;
  auto nested = read_all({dir + "/lookup"}, &nst);
  EXPECT_EQ(nst.skipped, 0u) << (nst.skips.empty() ? "" : nst.skips[0].message());
  EXPECT_EQ(nested.size(), 1u);
}

TEST(HostileInput, ACaseFolderInsideTheEvidenceIsPassedOverAndNamed) {
  std::string dir = test::temp_dir();
  auto real = lines_of(slurp(test::source_dir() +
                             "/examples/incident-2026-03-14/k8s-audit/kube-apiserver-audit.log"));
  write(dir + "/audit.log", real[0] + "\n");
  {
    store::Status st;
    ASSERT_TRUE(store::Case::open(dir + "/case-1", true, st)) << st.error;
  }
  // What a case holds besides its database: eksir's own JSON, which must not come back as events.
  write(dir + "/case-1/incident.json",
        slurp(test::source_dir() +
              "/examples/incident-2026-03-14/k8s-audit/kube-apiserver-audit.log"));
  ScanStats st;
  auto events = read_all({dir}, &st);
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(st.skipped, 0u);
  EXPECT_EQ(st.ignored_by_reason["eksir case"], 1u);
  std::string summary = scan_summary("hunt", st, "0 matched", false);
  EXPECT_NE(summary.find("passed over " + dir + "/case-1: an eksir case folder"), std::string::npos)
      << summary;
  EXPECT_EQ(list_files({dir}), std::vector<std::string>{dir + "/audit.log"});
}

TEST(HostileInput, MissingPathsAreNamedAndStopTheCommandUnlessKeepGoing) {
  std::string dir = test::temp_dir();
  write(dir + "/a.log", "{}\n");
  auto bad = unreadable_paths({dir + "/a.log", "/nonexistent", dir});
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0], "/nonexistent: No such file or directory");
  PathCheck stops = check_paths({dir, "/nonexistent"}, false);
  EXPECT_TRUE(stops.stop);
  ASSERT_EQ(stops.lines.size(), 2u);
  EXPECT_EQ(stops.lines[0], "/nonexistent: No such file or directory");
  EXPECT_NE(stops.lines[1].find("--keep-going"), std::string::npos);
  PathCheck goes_on = check_paths({dir, "/nonexistent"}, true);
  EXPECT_FALSE(goes_on.stop);
  EXPECT_EQ(goes_on.lines[0], "/nonexistent: No such file or directory");
}

}  // namespace
}  // namespace eksir::sources
