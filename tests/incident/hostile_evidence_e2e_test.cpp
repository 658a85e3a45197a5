// eksir investigate (and hunt, detect, report) fed hostile input: absurd timestamps, a banner
// before Falco's alerts, paths that do not exist, no readable event at all, a folder that is not a
// case, a case inside the evidence, a full disk, an absurd thread count. Each ends in a result
// that can be trusted or in a clear error, never a crash, a silent drop or a false verdict.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"

using eksir::test::run_eksir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string example() {
  return eksir::test::source_dir() + "/examples/incident-2026-03-14";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

// Replaces the value of "key":"..." (the first one) in a JSON line.
std::string with_string(std::string line, const std::string& key, const std::string& value) {
  std::string k = "\"" + key + "\":\"";
  size_t at = line.find(k);
  if (at == std::string::npos) return line;
  size_t start = at + k.size(), end = line.find('"', start);
  return line.replace(start, end - start, value);
}

// Drops the "key":number member (the first one) of a JSON line.
std::string without_number(std::string line, const std::string& key) {
  std::string k = "\"" + key + "\":";
  size_t at = line.find(k);
  if (at == std::string::npos) return line;
  size_t end = line.find_first_of(",}", at + k.size());
  if (line[end] == ',') ++end;
  return line.erase(at, end - at);
}

struct Json {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  simdjson::dom::element doc;
  bool parse(const std::string& s) {
    text = simdjson::padded_string(s);
    return parser.parse(text).get(doc) == simdjson::SUCCESS;
  }
};

std::vector<std::string> tmp_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp") != std::string::npos)
      out.push_back(e.path().string());
  return out;
}

// The example incident with two Falco alerts dated 2326 and 1700, and one audit event carrying
// both (2326 where it is first read, 1700 in its other stamp).
std::string absurd_evidence() {
  std::string dir = eksir::test::temp_dir() + "/evidence";
  fs::copy(example(), dir, fs::copy_options::recursive);
  auto falco = lines_of(slurp(dir + "/falco/falco.jsonl"));
  size_t n = falco.size();
  falco[n - 1] = with_string(without_number(falco[n - 1], "evt.time"), "time",
                             "2326-03-14T09:00:00.000000000Z");
  falco[n - 2] = with_string(without_number(falco[n - 2], "evt.time"), "time",
                             "1700-03-14T09:00:00.000000000Z");
  std::string text;
  for (const auto& l : falco) text += l + "\n";
  write(dir + "/falco/falco.jsonl", text);
  auto audit = lines_of(slurp(dir + "/k8s-audit/kube-apiserver-audit.log"));
  for (auto& l : audit)
    if (l.find("\"verb\":\"create\"") != std::string::npos &&
        l.find("clusterrolebindings") != std::string::npos) {
      l = with_string(with_string(l, "requestReceivedTimestamp", "2326-03-14T08:47:20.514000Z"),
                      "stageTimestamp", "1700-03-14T08:47:20.514000Z");
      break;
    }
  text.clear();
  for (const auto& l : audit) text += l + "\n";
  write(dir + "/k8s-audit/kube-apiserver-audit.log", text);
  return dir;
}

TEST(HostileInput, AbsurdTimestampsAreAGapNotACrash) {
  std::string ev = absurd_evidence();
  std::string kase = eksir::test::temp_dir() + "/case";
  auto r = run_eksir({"investigate", ev, "-o", kase, "--format", "json", "--config",
                      eksir::test::source_dir() + "/examples/eksir.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j;
  ASSERT_TRUE(j.parse(r.out));
  auto inc = j.doc["incident"];
  EXPECT_EQ(std::string(inc["severity"].get_string().value()), "Critical");
  EXPECT_EQ(std::string(inc["id"].get_string().value()).rfind("INC-2026", 0), 0u);
  // Metrics from the plausible times only, and saying how many were left out.
  auto m = inc["metrics"];
  EXPECT_EQ(std::string(m["first_malicious_event"].get_string().value()).rfind("2026-03-14", 0),
            0u);
  int64_t ttd = m["time_to_detection_seconds"].get_int64().value();
  EXPECT_GE(ttd, 0);
  EXPECT_LT(ttd, 86400);
  EXPECT_GE(m["implausible_times_ignored"].get_int64().value(), 1);
  // The gap names the records.
  std::string gaps;
  for (auto g : inc["gaps"].get_array()) gaps += std::string(g.get_string().value()) + "\n";
  // 1700 is implausible; 2326 is past what a time can hold, so the record has no readable time.
  EXPECT_NE(gaps.find("implausible times"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find("no readable time"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find("falco.jsonl:"), std::string::npos) << gaps;
  EXPECT_NE(gaps.find("1700-03-14"), std::string::npos) << gaps;
  size_t flagged = 0;
  for (auto t : inc["timeline"].get_array())
    if (t["implausible_time"].get_bool().value()) {
      ++flagged;
      EXPECT_NE(std::string(t["line"].get_string().value()).find("[implausible time]"),
                std::string::npos);
    }
  EXPECT_GE(flagged, 1u);
  // The report is written, of a sane size, with no temporary file left.
  ASSERT_TRUE(fs::exists(kase + "/report.html"));
  EXPECT_LT(fs::file_size(kase + "/report.html"), 4u << 20);
  EXPECT_TRUE(tmp_files(kase).empty());
  std::string html = slurp(kase + "/report.html");
  EXPECT_NE(html.find("not drawn (listed below, marked)"), std::string::npos);
  EXPECT_EQ(html.find("days after"), std::string::npos);
}

// Falco's stdout, banner and all: the alerts are read, the banner lines are counted skips.
TEST(HostileInput, FalcoStdoutWithItsBannerIsReadAndStrictFails) {
  std::string dir = eksir::test::temp_dir() + "/ev";
  std::string text =
      "Tue Mar 14 08:00:01 2026: Falco version: 0.37.1 (x86_64)\n"
      "Tue Mar 14 08:00:01 2026: Falco initialized with configuration file: /etc/falco/falco.yaml\n"
      "Tue Mar 14 08:00:01 2026: Loading rules from file /etc/falco/falco_rules.yaml\n"
      "Tue Mar 14 08:00:01 2026: Starting health webserver with threadiness 2\n"
      "Tue Mar 14 08:00:01 2026: Enabled event sources: syscall\n";
  auto alerts = lines_of(slurp(example() + "/falco/falco.jsonl"));
  for (size_t i = 0; i < 2; ++i) text += alerts[i] + "\n";
  write(dir + "/falco.out", text);
  auto hunt = run_eksir({"hunt", "event.module:falco", dir, "--count"});
  EXPECT_EQ(hunt.exit_code, 0) << hunt.err;
  EXPECT_EQ(hunt.out, "2\n");
  EXPECT_NE(hunt.err.find("not a JSON line: 5"), std::string::npos) << hunt.err;
  auto strict = run_eksir({"hunt", "event.module:falco", dir, "--count", "--strict"});
  EXPECT_EQ(strict.exit_code, 2) << strict.err;
  EXPECT_NE(strict.err.find("falco.out:1: not a JSON line"), std::string::npos) << strict.err;
  // investigate does not claim there were no runtime alerts.
  auto inv = run_eksir({"investigate", dir, "-o", eksir::test::temp_dir() + "/case", "--format",
                        "json", "--no-report"});
  Json j;
  ASSERT_TRUE(j.parse(inv.out)) << inv.err;
  EXPECT_EQ(j.doc["run"]["events"]["falco"].get_int64().value(), 2);
  for (auto g : j.doc["incident"]["gaps"].get_array())
    EXPECT_EQ(std::string(g.get_string().value()).find("no runtime alerts"), std::string::npos);
}

TEST(HostileInput, AMissingPathStopsTheRunUnlessKeepGoing) {
  std::string tmp = eksir::test::temp_dir();
  std::string good = example() + "/falco";
  for (const std::vector<std::string>& paths :
       {std::vector<std::string>{"/nonexistent"}, std::vector<std::string>{good, "/nonexistent"}}) {
    std::string kase = tmp + "/case-" + std::to_string(paths.size());
    std::vector<std::string> args = {"investigate"};
    args.insert(args.end(), paths.begin(), paths.end());
    args.insert(args.end(), {"-o", kase});
    auto r = run_eksir(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("/nonexistent: No such file or directory"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(kase)) << "no case without the evidence asked for";
    for (const char* cmd : {"detect", "hunt"}) {
      std::vector<std::string> a = {cmd};
      if (std::string(cmd) == "hunt") a.push_back("event.module:falco");
      a.insert(a.end(), paths.begin(), paths.end());
      auto c = run_eksir(a);
      EXPECT_EQ(c.exit_code, 2) << cmd << ": " << c.err;
      EXPECT_NE(c.err.find("/nonexistent: No such file or directory"), std::string::npos) << cmd;
    }
  }
  // With --keep-going, the missing path is a gap of the incident.
  std::string kase = tmp + "/kept";
  auto r = run_eksir({"investigate", good, "/nonexistent", "-o", kase, "--keep-going", "--format",
                      "json", "--no-report"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Json j;
  ASSERT_TRUE(j.parse(r.out)) << r.err;
  std::string gaps;
  for (auto g : j.doc["incident"]["gaps"].get_array()) gaps += std::string(g.get_string().value());
  EXPECT_NE(gaps.find("/nonexistent"), std::string::npos) << gaps;
  EXPECT_EQ(run_eksir({"detect", good, "/nonexistent", "--keep-going"}).exit_code, 0);
}

TEST(HostileInput, NoEventReadMeansNoSeverity) {
  std::string tmp = eksir::test::temp_dir();
  std::string kase = tmp + "/case";
  auto r =
      run_eksir({"investigate", "/nonexistent", "--keep-going", "-o", kase, "--format", "json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  Json j;
  ASSERT_TRUE(j.parse(r.out)) << r.out;
  auto inc = j.doc["incident"];
  EXPECT_TRUE(inc["severity"].is_null());
  EXPECT_EQ(std::string(inc["assessment"].get_string().value()), "undetermined");
  std::string why(inc["assessment_reason"].get_string().value());
  EXPECT_NE(why.find("/nonexistent"), std::string::npos) << why;
  EXPECT_TRUE(inc["criteria"].get_array().size() == 0);
  std::string summary(inc["summary"].get_string().value());
  EXPECT_NE(summary.find("undetermined"), std::string::npos) << summary;
  std::string steps;
  for (auto s : inc["next_steps"].get_array()) steps += std::string(s.get_string().value()) + "\n";
  EXPECT_NE(steps.find("eksir collect"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("close"), std::string::npos) << steps;
  EXPECT_EQ(r.out.find("low.likely_false_positive"), std::string::npos);
  // The case, the report and `case show` say it too.
  std::string md = slurp(kase + "/report.md");
  EXPECT_NE(md.find("| Severity | **undetermined** — "), std::string::npos);
  EXPECT_EQ(md.find("**Low**"), std::string::npos);
  EXPECT_EQ(md.find("close the case"), std::string::npos);
  auto show = run_eksir({"case", "show", kase});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("severity  undetermined: "), std::string::npos) << show.out;
  // An empty folder: nothing to read either.
  fs::create_directories(tmp + "/empty");
  auto e = run_eksir({"investigate", tmp + "/empty", "-o", tmp + "/case2"});
  EXPECT_EQ(e.exit_code, 2) << e.err;
  EXPECT_NE(e.out.find("UNDETERMINED"), std::string::npos) << e.out;
}

TEST(HostileInput, OutputIntoAFolderThatIsNotACaseIsRefused) {
  std::string dir = eksir::test::temp_dir() + "/notes";
  write(dir + "/report.md", "my own notes\n");
  auto r = run_eksir({"investigate", example() + "/falco", "-o", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not an eksir case"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(dir + "/report.md"), "my own notes\n");
  EXPECT_FALSE(fs::exists(dir + "/case.db"));
  // An empty folder and an existing case are fine.
  std::string empty = eksir::test::temp_dir() + "/empty";
  fs::create_directories(empty);
  EXPECT_EQ(run_eksir({"investigate", example() + "/falco", "-o", empty, "--no-report"}).exit_code,
            0);
  EXPECT_EQ(run_eksir({"investigate", example() + "/falco", "-o", empty, "--no-report"}).exit_code,
            0);
}

TEST(HostileInput, ACaseInsideTheEvidenceIsNotReadBackAsEvidence) {
  std::string ev = eksir::test::temp_dir() + "/ev";
  fs::create_directories(ev);
  fs::copy(example() + "/falco", ev + "/falco", fs::copy_options::recursive);
  auto first = run_eksir({"investigate", ev, "-o", ev + "/case-1", "--format", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = run_eksir({"investigate", ev, "-o", ev + "/case-2", "--format", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("passed over " + ev + "/case-1: an eksir case folder"),
            std::string::npos)
      << second.err;
  Json a, b;
  ASSERT_TRUE(a.parse(first.out));
  ASSERT_TRUE(b.parse(second.out));
  EXPECT_EQ(a.doc["run"]["events"]["total"].get_int64().value(),
            b.doc["run"]["events"]["total"].get_int64().value());
  for (auto in : b.doc["run"]["inputs"].get_array())
    EXPECT_EQ(std::string(in["path"].get_string().value()).find("case-1"), std::string::npos);
}

TEST(HostileInput, AbsurdThreadCountsAreUsageErrors) {
  std::string ev = example() + "/falco";
  for (std::vector<std::string> args :
       {std::vector<std::string>{"investigate", ev, "--threads", "100000"},
        std::vector<std::string>{"detect", ev, "--threads", "100000"},
        std::vector<std::string>{"hunt", "event.module:falco", ev, "--threads", "0"},
        std::vector<std::string>{"hunt", "event.module:falco", ev, "--threads", "-3"},
        std::vector<std::string>{"hunt", "event.module:falco", ev, "--threads", "many"}}) {
    auto r = run_eksir(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args.back() << ": " << r.err;
    EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
  }
  EXPECT_EQ(run_eksir({"hunt", "event.module:falco", ev, "--threads", "1024", "--count"}).exit_code,
            0);
}

// A file-size limit in the child stands for a full disk: whatever could not be written is an
// error naming it, and nothing claims it was written.
TEST(HostileInput, DiskFullIsAnErrorAndNothingMissingIsClaimed) {
  std::string ev = example();
  std::string ref = eksir::test::temp_dir() + "/ref";
  ASSERT_EQ(run_eksir({"investigate", ev, "-o", ref, "-q"}).exit_code, 0);
  // Not even the case database fits.
  std::string tiny = eksir::test::temp_dir() + "/tiny";
  auto t = run_eksir({"investigate", ev, "-o", tiny}, 8192);
  EXPECT_EQ(t.exit_code, 2) << t.err;
  EXPECT_NE(t.err.find(tiny + "/case.db"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("disk I/O error"), std::string::npos) << t.err;  // SQLite's words
  EXPECT_FALSE(fs::exists(tiny + "/incident.json"));
  EXPECT_FALSE(fs::exists(tiny + "/report.html"));
  EXPECT_TRUE(tmp_files(tiny).empty());

  // eksir report -o FILE on a full disk.
  std::string out = eksir::test::temp_dir() + "/report.html";
  auto rep = run_eksir({"report", ref, "--format", "html", "-o", out}, 16 * 1024);
  EXPECT_EQ(rep.exit_code, 2);
  EXPECT_NE(rep.err.find(out), std::string::npos) << rep.err;
  EXPECT_NE(rep.err.find("File too large"), std::string::npos) << rep.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(tmp_files(fs::path(out).parent_path().string()).empty());
}

// A disk that fills up after the case database and incident.json, while the reports are written:
// a small tmpfs (skipped where it cannot be mounted).
class SmallDisk : public ::testing::Test {
 protected:
  void TearDown() override {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mount(uint64_t bytes) {
    dir_ = eksir::test::temp_dir() + "/disk";
    fs::create_directories(dir_);
    std::string size = "size=" + std::to_string((bytes + 4095) / 4096 * 4096);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, size.c_str()) == 0;
    return mounted_;
  }
  std::string dir_;
  bool mounted_ = false;
};

TEST_F(SmallDisk, ReportsThatDoNotFitAreAnErrorAndNotClaimed) {
  std::string ev = example();
  std::string ref = eksir::test::temp_dir() + "/ref";
  ASSERT_EQ(run_eksir({"investigate", ev, "-o", ref, "-q"}).exit_code, 0);
  uint64_t db = fs::file_size(ref + "/case.db"), json = fs::file_size(ref + "/incident.json");
  uint64_t reports = fs::file_size(ref + "/report.html") + fs::file_size(ref + "/report.md");
  ASSERT_GT(reports, 96u * 1024);
  if (!mount(db + json + 48 * 1024)) GTEST_SKIP() << "cannot mount a tmpfs here";
  std::string kase = dir_ + "/case";
  auto r = run_eksir({"investigate", ev, "-o", kase});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the report was not written"), std::string::npos) << r.err;
  EXPECT_TRUE(tmp_files(kase).empty());
  ASSERT_TRUE(fs::exists(kase + "/incident.json"));
  // The last line names only what exists, and something is missing.
  size_t at = r.err.find("eksir investigate: case " + kase);
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string claimed = r.err.substr(at, r.err.find('\n', at) - at);
  size_t missing = 0;
  for (const char* f : {"case.db", "incident.json", "report.md", "report.html"}) {
    bool exists = fs::exists(kase + "/" + f);
    EXPECT_EQ(claimed.find(f) != std::string::npos, exists) << f << ": " << claimed;
    missing += !exists;
  }
  EXPECT_GE(missing, 1u);
}

TEST(HostileInput, ReportThroughAPlantedSymlinkWritesNeitherTheVictimNorThroughIt) {
  std::string ref = eksir::test::temp_dir() + "/ref";
  ASSERT_EQ(
      run_eksir({"investigate", example() + "/falco", "-o", ref, "-q", "--no-report"}).exit_code,
      0);
  std::string dir = eksir::test::temp_dir();
  write(dir + "/victim", "precious");
  fs::create_symlink(dir + "/victim", dir + "/out.md.tmp");
  auto r = run_eksir({"report", ref, "-o", dir + "/out.md"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir + "/victim"), "precious");
  EXPECT_NE(slurp(dir + "/out.md").find("Incident summary"), std::string::npos);
}

}  // namespace
