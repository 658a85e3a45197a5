// One colour policy for every command: colour on a terminal, none when piped or redirected, none
// with NO_COLOR set (any value), and --color=always|never over both. Colour never costs a column:
// every line still fits an 80-column terminal when the escapes are not counted.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_paths.h"
#include "util/visible.h"

namespace eksir {
namespace {

using test::run_eksir;
using test::run_eksir_env;
using test::run_eksir_tty;

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Printed columns of a line: wide characters 2, SGR sequences none. SIZE_MAX when the line holds
// any other control character (a colour sequence is all eksir may write).
size_t columns(const std::string& line) {
  size_t cols = 0;
  for (size_t i = 0; i < line.size();) {
    if (line.compare(i, 2, "\x1b[") == 0) {
      size_t j = i + 2;
      while (j < line.size() && ((line[j] >= '0' && line[j] <= '9') || line[j] == ';')) ++j;
      if (j < line.size() && line[j] == 'm') {
        i = j + 1;
        continue;
      }
      return SIZE_MAX;
    }
    util::CodePoint cp = util::decode_utf8(line, i);
    if (cp.length == 0 || cp.value < 0x20 || cp.value == 0x7F) return SIZE_MAX;
    cols += util::char_columns(cp.value);
    i += cp.length;
  }
  return cols;
}

bool coloured(const std::string& text) {
  return text.find("\x1b[") != std::string::npos;
}

std::string example() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}

std::string config() {
  return test::source_dir() + "/examples/eksir.yaml";
}

// A terminal without NO_COLOR, whatever the environment the tests run in.
const std::vector<std::string> kNoNoColor = {"NO_COLOR"};

class TerminalColour : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(test::temp_dir());
    auto made = run_eksir(
        {"investigate", example(), "--config", config(), "-o", *dir_ + "/cases/INC-1", "-q"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string kase() { return *dir_ + "/cases/INC-1"; }
  static std::string* dir_;
};
std::string* TerminalColour::dir_ = nullptr;

TEST_F(TerminalColour, EveryCommandColoursATerminalAndFitsEightyColumns) {
  std::vector<std::vector<std::string>> commands = {
      {"detect", example(), "--rules", test::shared_dir() + "/rules/sigma", "-q"},
      {"posture", example() + "/snapshot", "-q"},
      {"investigate", example(), "--config", config(), "-o", *dir_ + "/cases/INC-2", "-q"},
      {"rules", "list"},
      {"case", "list", "--root", *dir_ + "/cases"},
      {"case", "show", kase()},
      {"hunt", "*", example(), "-q"},
  };
  for (const auto& args : commands) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    auto r = run_eksir_tty(args, 80, true, "", kNoNoColor);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(coloured(r.out)) << r.out.substr(0, 400);
    EXPECT_FALSE(coloured(r.err)) << "stderr is not the terminal here: " << r.err;
    auto ls = lines(r.out);
    ASSERT_GT(ls.size(), 2u);
    for (const auto& l : ls) EXPECT_LE(columns(l), 80u) << l;
  }
}

TEST_F(TerminalColour, SeveritiesInOnePalette) {
  // detect: critical red and bold, high red, medium yellow; the header bold.
  auto d = run_eksir_tty({"detect", example(), "-q"}, 200, true, "", kNoNoColor);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(d.out.starts_with("\x1b[1mSEVERITY\x1b[0m")) << d.out.substr(0, 200);
  EXPECT_NE(d.out.find("\n\x1b[1;31mcritical\x1b[0m"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("\n\x1b[31mhigh\x1b[0m"), std::string::npos) << d.out;
  // posture: the same codes for the same words.
  auto p = run_eksir_tty({"posture", example() + "/snapshot", "-q"}, 200, true, "", kNoNoColor);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("\n\x1b[1;31mcritical\x1b[0m"), std::string::npos) << p.out;
  // investigate's summary: the severity as a badge, headings bold, criteria coloured.
  auto i = run_eksir_tty(
      {"investigate", example(), "--config", config(), "-o", *dir_ + "/cases/INC-3", "-q"}, 200,
      true, "", kNoNoColor);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_TRUE(i.out.starts_with("\x1b[1;31;7m Critical \x1b[0m")) << i.out.substr(0, 200);
  EXPECT_NE(i.out.find("\x1b[1mTimeline\x1b[0m"), std::string::npos);
  EXPECT_NE(i.out.find("\x1b[1mATT&CK ("), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("\x1b[1;31mCritical\x1b[0m — "), std::string::npos) << i.out;
}

TEST_F(TerminalColour, NoColourPipedOrWithNoColorUnlessForced) {
  const std::vector<std::string> detect = {"detect", example(), "-q"};
  // Piped: none.
  auto piped = run_eksir_env(detect, kNoNoColor);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_FALSE(coloured(piped.out));
  // NO_COLOR on a terminal, whatever its value: none.
  for (const char* value : {"NO_COLOR=1", "NO_COLOR=0", "NO_COLOR=false"}) {
    auto r = run_eksir_tty(detect, 80, true, "", {value});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(coloured(r.out)) << value;
    EXPECT_NE(r.out.find("…"), std::string::npos) << "still fitted to the terminal";
  }
  // --color=always: colour piped and with NO_COLOR, before or after the command's name.
  for (auto args : std::vector<std::vector<std::string>>{
           {"--color=always", "detect", example(), "-q"},
           {"detect", example(), "-q", "--color", "always"},
       }) {
    auto r = run_eksir_env(args, {"NO_COLOR=1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(coloured(r.out)) << args[0];
    EXPECT_EQ(r.out.find("…"), std::string::npos) << "piped: nothing is cut";
  }
  // --color=never: none on a terminal.
  auto never =
      run_eksir_tty({"detect", example(), "-q", "--color=never"}, 80, true, "", kNoNoColor);
  ASSERT_EQ(never.exit_code, 0) << never.err;
  EXPECT_FALSE(coloured(never.out));
  // The summary and the case store follow the same flag.
  auto show = run_eksir_env({"case", "show", kase(), "--color=always"}, {});
  EXPECT_TRUE(coloured(show.out)) << show.out;
  auto summary = run_eksir_tty(
      {"investigate", example(), "--config", config(), "-o", *dir_ + "/cases/INC-4", "-q"}, 80,
      true, "", {"NO_COLOR=yes"});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_FALSE(coloured(summary.out));
  EXPECT_TRUE(summary.out.starts_with(" Critical ")) << summary.out.substr(0, 100);
  // A mode that is none of the three is a usage error.
  auto bad = run_eksir({"detect", example(), "--color=sometimes"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--color: must be auto, always or never, not \"sometimes\""),
            std::string::npos)
      << bad.err;
  auto typo = run_eksir({"detect", example(), "--colr=never"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean \"--color\"?"), std::string::npos) << typo.err;
}

TEST(StderrPrefix, PostureSpeaksAsEveryCommandDoes) {
  auto r = run_eksir({"posture", example() + "/snapshot", "--config", config()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ls = lines(r.err);
  ASSERT_GT(ls.size(), 1u);
  for (const auto& l : ls)
    EXPECT_TRUE(l.starts_with("eksir posture: ") || l.starts_with("  ")) << l;
  EXPECT_TRUE(ls[0].starts_with("eksir posture: ")) << ls[0];
  // A policy that does not load is said the same way.
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/bad.yaml") << "trusted_cidrs: [unclosed\n";
  auto bad = run_eksir({"posture", example() + "/snapshot", "--config", dir + "/bad.yaml"});
  EXPECT_EQ(bad.exit_code, 2);
  for (const auto& l : lines(bad.err)) EXPECT_TRUE(l.starts_with("eksir posture: ")) << l;
}

}  // namespace
}  // namespace eksir
