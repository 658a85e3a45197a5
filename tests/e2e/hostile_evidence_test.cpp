// Evidence written by the attacker, through every command that shows it to a person. Names, user
// agents, Falco outputs, labels and file names carry terminal escapes (CSI, OSC 8 hyperlinks),
// CR/LF, a C1 CSI, a bidi override, a zero-width space and a unit separator; a file name carries
// bytes that are not UTF-8. No raw control or bidi character may reach stdout, stderr or a report,
// the escaped form must be there instead, and the machine formats keep the exact values.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_paths.h"
#include "util/visible.h"

namespace eksir {
namespace {

using test::run_eksir;

// The payload as a JSON string body, and the pieces of its visible form.
const std::string kPayload =
    R"(evil\u001b[2K\r\u001b[35Dfake\u001b[K\u001b]8;;http://evil.example/\u0007click)"
    R"(\u001b]8;;\u0007\n2026 FORGED ROW\u009b31m\u202etxt.exe\u200b\u001fend)";
const char* const kShownStart = "evil\\x1b[2K\\r\\x1b[35Dfake";
const char* const kShownWhole =
    "evil\\x1b[2K\\r\\x1b[35Dfake\\x1b[K\\x1b]8;;http://evil.example/\\x07click\\x1b]8;;\\x07\\n"
    "2026 FORGED ROW\\u009b31m\\u202etxt.exe\\u200b\\x1fend";
const std::string kBadFile = "bad\x1b[31mname\xff\n.log";
const char* const kBadFileShown = "bad\\x1b[31mname\\xff\\n.log";

// The first character a terminal or a browser would obey rather than show: a C0 control other
// than newline, DEL, a C1 control, a bidi or zero-width format character, or a byte that is not
// UTF-8. Empty when there is none.
std::string raw_control(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    util::CodePoint cp = util::decode_utf8(text, i);
    char32_t c = cp.value;
    bool bad = cp.length == 0 || (c < 0x20 && c != '\n') || (c >= 0x7F && c <= 0x9F) ||
               (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
               (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
    if (bad) {
      size_t from = i > 40 ? i - 40 : 0;
      return "offset " + std::to_string(i) +
             " after: " + util::visible(text.substr(from, i - from));
    }
    i += cp.length;
  }
  return "";
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Nothing obeyed and no row forged by a newline in the evidence.
void expect_inert(const std::string& text, const std::string& what) {
  EXPECT_EQ(raw_control(text), "") << what;
  for (const auto& l : lines(text)) EXPECT_FALSE(l.starts_with("2026 FORGED ROW")) << what;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Printed columns of text up to byte offset end (text already visible).
size_t column_of(const std::string& s, size_t end) {
  size_t cols = 0;
  for (size_t i = 0; i < end;) {
    util::CodePoint cp = util::decode_utf8(s, i);
    if (!cp.length) return SIZE_MAX;
    cols += util::char_columns(cp.value);
    i += cp.length;
  }
  return cols;
}

class HostileEvidence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(test::temp_dir());
    std::string ev = *dir_ + "/evidence";
    std::filesystem::create_directories(ev);
    const std::string p = kPayload;
    std::ofstream(ev + "/audit.log")
        << R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",)"
        << R"("auditID":"4e2f1a9c-7b3d-4c8e-a6f0-5d1b9e3c7a20","stage":"ResponseStarted",)"
        << R"("requestURI":"/api/v1/namespaces/default/pods/x/exec?command=sh","verb":"create",)"
        << R"("user":{"username":")" << p << R"(","groups":["system:authenticated"],)"
        << R"("extra":{"arn":["arn:aws:iam::111122223333:user/)" << p << R"("]}},)"
        << R"("sourceIPs":["203.0.113.45"],"userAgent":")" << p << R"(",)"
        << R"("objectRef":{"resource":"pods","namespace":"default","name":")" << p
        << R"(","apiVersion":"v1","subresource":"exec"},"responseStatus":{"code":101},)"
        << R"("requestReceivedTimestamp":"2026-03-14T08:50:05.377215Z",)"
        << R"("stageTimestamp":"2026-03-14T08:50:05.431954Z"})"
        << "\n"
        // A very long name, and a user name a spreadsheet would run as a formula.
        << R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",)"
        << R"("auditID":"5e2f1a9c-7b3d-4c8e-a6f0-5d1b9e3c7a21","stage":"ResponseComplete",)"
        << R"("requestURI":"/api/v1/namespaces/default/configmaps/x","verb":"get",)"
        << R"j("user":{"username":"=HYPERLINK(\"http://evil.example\",\"x\")"},)j"
        << R"j("sourceIPs":["203.0.113.45"],"userAgent":"@SUM(A1)",)j"
        << R"("objectRef":{"resource":"configmaps","namespace":"default","name":")"
        << std::string(5000, 'A') << R"(\u202e"},"responseStatus":{"code":200},)"
        << R"("requestReceivedTimestamp":"2026-03-14T08:50:06Z","stageTimestamp":"2026-03-14T08:50:06Z"})"
        << "\n";
    std::ofstream(ev + "/falco.jsonl")
        << R"({"hostname":"node-1","output":"08:51:00: Critical Shell spawned )" << p
        << R"(","output_fields":{"k8s.pod.name":")" << p
        << R"(","k8s.ns.name":"default","proc.cmdline":")" << p
        << R"("},"priority":"Critical","rule":"Terminal shell )" << p
        << R"(","source":"syscall","tags":["T1059"],"time":"2026-03-14T08:51:00.000000000Z"})"
        << "\n";
    std::ofstream(ev + "/pods.json")
        << R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod",)"
        << R"("metadata":{"name":")" << p << R"(","namespace":"default","labels":{"app":")" << p
        << R"(",")" << p << R"(":"x"}},"spec":{"nodeName":"node-1","containers":[{"name":")" << p
        << R"(","image":"evil.example/miner:latest","securityContext":{"privileged":true}}]}}]})";
    std::ofstream(ev + "/" + kBadFile) << "{\"kind\":\"Event\", broken\n";
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string evidence() { return *dir_ + "/evidence"; }
  static std::string dir() { return *dir_; }

 private:
  static std::string* dir_;
};
std::string* HostileEvidence::dir_ = nullptr;

TEST_F(HostileEvidence, HuntTableShowsEscapesInAlignedColumns) {
  auto r = run_eksir({"hunt", "*", evidence()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_inert(r.out, "hunt stdout");
  expect_inert(r.err, "hunt stderr");
  EXPECT_NE(r.out.find(kShownStart), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(kBadFileShown), std::string::npos) << r.err;
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 4u) << r.out;  // header and three events: no row split, none forged
  // Not on a terminal, nothing is cut: the escaped payload is whole.
  EXPECT_NE(r.out.find(kShownWhole), std::string::npos) << r.out;
  // On a terminal, the outcome column starts at the same printed column on every row (a \x1f in
  // a name no longer splits its cell; widths count what is printed) and long names are cut.
  // Without colour, nothing on the terminal is a control character; with it, only the header's
  // bold is, never a row the evidence fills.
  auto coloured = test::run_eksir_tty({"hunt", "*", evidence(), "--color=always"}, 150);
  ASSERT_EQ(coloured.exit_code, 0) << coloured.err;
  auto rows = lines(coloured.out);
  ASSERT_EQ(rows.size(), 4u) << coloured.out;
  EXPECT_NE(rows[0].find("\x1b[1mTIME\x1b[0m"), std::string::npos) << rows[0];
  for (size_t i = 1; i < rows.size(); ++i) expect_inert(rows[i], "a row on a colour terminal");
  auto tty = test::run_eksir_tty({"hunt", "*", evidence(), "--color=never"}, 150);
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  expect_inert(tty.out, "hunt on a terminal");
  EXPECT_NE(tty.out.find(kShownStart), std::string::npos) << tty.out;
  ls = lines(tty.out);
  ASSERT_EQ(ls.size(), 4u) << tty.out;
  size_t want = column_of(ls[0], ls[0].find("OUTCOME"));
  for (size_t i = 1; i < ls.size(); ++i) {
    EXPECT_EQ(column_of(ls[i], ls[i].rfind("  ") + 2), want) << ls[i];
    EXPECT_LE(column_of(ls[i], ls[i].size()), 150u) << "long names are cut";
  }
}

TEST_F(HostileEvidence, HuntCsvIsOneLinePerEventWithFormulasDisarmed) {
  auto r = run_eksir({"hunt", "*", evidence(), "--format", "csv", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_inert(r.out, "csv");
  EXPECT_EQ(lines(r.out).size(), 4u) << r.out;
  EXPECT_NE(r.out.find(kShownWhole), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find(",=HYPERLINK"), std::string::npos);
  auto f = run_eksir({"hunt", "*", evidence(), "--format", "csv", "--fields", "userAgent", "-q"});
  EXPECT_NE(f.out.find("\n'@SUM(A1)\n"), std::string::npos) << f.out;
}

TEST_F(HostileEvidence, QueryErrorsShowTheQueryWithTheCaretUnderThePrintedColumn) {
  auto r = run_eksir({"hunt", "user.name:\xE6\x97\xA5\x1b[2J and (", evidence()});
  EXPECT_EQ(r.exit_code, 2);
  expect_inert(r.err, "query error");
  auto ls = lines(r.err);
  ASSERT_GE(ls.size(), 3u) << r.err;
  EXPECT_EQ(ls[1], "  user.name:\xE6\x97\xA5\\x1b[2J and (");
  EXPECT_EQ(ls[2], std::string(2 + 10 + 2 + 4 + 9, ' ') + "^");  // after the '('
}

TEST_F(HostileEvidence, HuntMachineFormatsKeepTheExactValues) {
  auto r = run_eksir({"hunt", "verb:create", evidence(), "--format", "ndjson", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("userAgent":")" + kPayload + "\""), std::string::npos) << r.out;
  auto j = run_eksir(
      {"hunt", "verb:create", evidence(), "--format", "json", "--fields", "userAgent", "-q"});
  EXPECT_NE(j.out.find(R"("userAgent":"evil\u001b[2K\r\u001b[35Dfake)"), std::string::npos)
      << j.out;
}

TEST_F(HostileEvidence, DetectTableRuleTitlesAndSuppressionLines) {
  std::string rule = dir() + "/rule.yml";
  std::ofstream(rule) << "id: \"hostile-\\e[31mrule\"\n"
                      << "title: \"Title \\e]8;;http://evil.example/\\aclick\\u202e\"\n"
                      << "description: d\nseverity: high\nsources: [k8s_audit]\n"
                      << "condition: verb:get\nsubject: [objectRef.name]\n"
                      << "tests:\n  positive:\n  - {kind: Event, apiVersion: audit.k8s.io/v1, "
                         "verb: get, objectRef: {resource: pods, name: x}, "
                         "requestReceivedTimestamp: '2026-03-14T09:20:11Z'}\n";
  std::string config = dir() + "/eksir.yaml";
  std::ofstream(config) << "suppressions:\n  - rule: eksir-k8s-pod-exec\n    namespace: default\n"
                        << "    reason: \"ok \\e[2Jhidden\\u202e\\nFORGED\"\n";
  auto r = run_eksir({"detect", evidence(), "--rules", rule, "--config", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_inert(r.out, "detect stdout");
  expect_inert(r.err, "detect stderr");
  // The RULE column shows the title, escapes visible.
  EXPECT_NE(r.out.find("Title \\x1b]8;;http://evil.example/\\x07click\\u202e"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("falco: Terminal shell evil\\x1b[2K"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("hid 1 finding (ok \\x1b[2Jhidden\\u202e\\nFORGED)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(kBadFileShown), std::string::npos) << r.err;
  auto list = run_eksir({"rules", "list", rule});
  expect_inert(list.out, "rules list");
  EXPECT_NE(list.out.find("Title \\x1b]8;;http://evil.example/\\x07click\\u202e"),
            std::string::npos)
      << list.out;
  auto j = run_eksir({"detect", evidence(), "--format", "json", "-q"});
  EXPECT_NE(j.out.find("\\u001b[2K"), std::string::npos) << "JSON keeps the exact value";
}

TEST_F(HostileEvidence, RuleErrorsQuoteTheRuleVisibly) {
  std::string bad = dir() + "/bad-rule.yml";
  std::ofstream(bad) << "id: \"bad-\\e[31mrule\\u202e\"\ntitle: t\nseverity: nope\n"
                     << "sources: [k8s_audit]\ncondition: verb:(\n";
  auto r = run_eksir({"detect", evidence(), "--rules", bad});
  EXPECT_EQ(r.exit_code, 2);
  expect_inert(r.err, "rule errors");
  EXPECT_NE(r.err.find("[bad-\\x1b[31mrule\\u202e]"), std::string::npos) << r.err;
}

TEST_F(HostileEvidence, InvestigateSummaryCaseAndReports) {
  std::string root = dir() + "/cases";
  std::string kase = root + "/c1";
  auto r = run_eksir({"investigate", evidence(), "-o", kase});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_inert(r.out, "investigate summary");
  expect_inert(r.err, "investigate stderr");
  EXPECT_NE(r.out.find(kShownWhole), std::string::npos) << r.out;  // the title, whole
  EXPECT_NE(r.err.find(kBadFileShown), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;  // the reports were written

  // The case keeps the exact values: incident.json is JSON, escapes and all.
  std::string inc = slurp(kase + "/incident.json");
  EXPECT_NE(inc.find("\\u001b[2K"), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(inc).get(doc), simdjson::SUCCESS)
      << "valid JSON: a file name's bytes that are not UTF-8 are written as U+FFFD";

  std::string md = slurp(kase + "/report.md");
  expect_inert(md, "report.md");
  EXPECT_NE(md.find("evil\\\\x1b\\[2K\\\\r"), std::string::npos);
  EXPECT_NE(md.find("\\\\u202etxt.exe"), std::string::npos);
  EXPECT_NE(md.find("http\\://evil.example"), std::string::npos);
  if (access("/usr/bin/cmark-gfm", X_OK) == 0) {  // how a GFM tracker would render it
    std::string rendered = dir() + "/report.rendered.html";
    std::string cmd = "/usr/bin/cmark-gfm -e autolink -e table -e tagfilter -e strikethrough '" +
                      kase + "/report.md' > '" + rendered + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::string gfm = slurp(rendered);
    // The only links are the ATT&CK technique pages the rules cite, never one from the evidence.
    for (size_t a = gfm.find("<a "); a != std::string::npos; a = gfm.find("<a ", a + 1))
      EXPECT_EQ(gfm.compare(a, 45, "<a href=\"https://attack.mitre.org/techniques/"), 0)
          << "a link from the evidence: " << gfm.substr(a, 120);
    EXPECT_EQ(gfm.find("<img"), std::string::npos);
    EXPECT_NE(gfm.find("evil\\x1b[2K\\r\\x1b[35Dfake"), std::string::npos);
  }
  std::string html = slurp(kase + "/report.html");
  expect_inert(html, "report.html");
  EXPECT_NE(html.find("evil\\x1b[2K\\r\\x1b[35Dfake"), std::string::npos);
  EXPECT_NE(html.find("\\u202etxt.exe"), std::string::npos);

  auto note = run_eksir({"case", "note", kase,
                         "note \x1b[2J\xE2\x80\xAE"
                         "evil\nsecond"});
  ASSERT_EQ(note.exit_code, 0) << note.err;
  auto show = run_eksir({"case", "show", kase});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  expect_inert(show.out, "case show");
  EXPECT_NE(show.out.find(kShownWhole), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("note \\x1b[2J\\u202eevil\\nsecond"), std::string::npos) << show.out;
  auto list = run_eksir({"case", "list", "--root", root});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  expect_inert(list.out, "case list");
  EXPECT_NE(list.out.find("Compromised pod default/evil\\x1b[2K"), std::string::npos) << list.out;
  auto rep = run_eksir({"report", kase});
  expect_inert(rep.out, "report --format md");
  EXPECT_NE(rep.out.find("note \\\\x1b\\[2J\\\\u202eevil\\\\nsecond"), std::string::npos);
}

TEST_F(HostileEvidence, PostureTableAndSkippedFiles) {
  auto r = run_eksir({"posture", evidence()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_inert(r.out, "posture stdout");
  expect_inert(r.err, "posture stderr");
  EXPECT_NE(r.out.find("Pod/default/evil\\x1b[2K"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(kBadFileShown), std::string::npos) << r.err;
  auto j = run_eksir({"posture", evidence(), "--format", "json", "-q"});
  EXPECT_NE(j.out.find("\\u001b[2K"), std::string::npos) << "JSON keeps the exact value";
}

}  // namespace
}  // namespace eksir
