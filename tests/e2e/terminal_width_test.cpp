// Output sized to the terminal: on a pseudo-terminal of 80 columns every line of every table and
// summary fits (cells cut with "…"); piped, nothing is cut and hunt's columns are not padded to
// the longest actor or action.
#include <gtest/gtest.h>

#include <sstream>

#include "test_paths.h"
#include "util/visible.h"

namespace eksir {
namespace {

using test::run_eksir;
using test::run_eksir_tty;

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Printed columns of a line: wide characters 2, eksir's own colour sequences none.
size_t columns(const std::string& line) {
  size_t cols = 0;
  for (size_t i = 0; i < line.size();) {
    if (line.compare(i, 2, "\x1b[") == 0) {
      size_t m = line.find('m', i);
      if (m != std::string::npos) {
        i = m + 1;
        continue;
      }
    }
    util::CodePoint cp = util::decode_utf8(line, i);
    if (cp.length == 0) return SIZE_MAX;  // not UTF-8: never what a terminal is sent
    cols += util::char_columns(cp.value);
    i += cp.length;
  }
  return cols;
}

size_t widest(const std::string& text) {
  size_t w = 0;
  for (const auto& l : lines(text)) w = std::max(w, columns(l));
  return w;
}

std::string example() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}

TEST(TerminalWidth, EveryTableAndSummaryFitsEightyColumns) {
  std::string dir = test::temp_dir();
  std::string kase = dir + "/cases/INC-1";
  auto made = run_eksir({"investigate", example(), "--config",
                         test::source_dir() + "/examples/eksir.yaml", "-o", kase, "-q"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  run_eksir({"case", "note", kase,
             "the node was cordoned by the on-call engineer before the investigation began; "
             "its pods kept running and the miner's connections were still open at 09:10"});
  std::vector<std::vector<std::string>> commands = {
      {"hunt", "*", test::samples_dir(), "-q"},
      {"detect", example(), "--rules", test::shared_dir() + "/rules/sigma", "-q"},
      {"rules", "list"},
      {"posture", example() + "/snapshot", "-q"},
      {"investigate", example(), "--config", test::source_dir() + "/examples/eksir.yaml", "-o",
       dir + "/cases/INC-2", "-q"},
      {"case", "list", "--root", dir + "/cases"},
      {"case", "show", kase},
      {"fields"},
  };
  for (const auto& args : commands) {
    SCOPED_TRACE(args[0] + (args.size() > 1 ? " " + args[1] : ""));
    auto r = run_eksir_tty(args, 80);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto ls = lines(r.out);
    EXPECT_GT(ls.size(), 2u) << r.out;
    for (const auto& l : ls) EXPECT_LE(columns(l), 80u) << l;
    // Something had to be cut to fit, and the cut is marked.
    EXPECT_NE(r.out.find("…"), std::string::npos) << r.out;
  }
}

TEST(TerminalWidth, TheTerminalsOwnSizeWhenColumnsIsNotSet) {
  auto r = run_eksir_tty({"hunt", "*", example(), "-q"}, 120, /*use_columns_env=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LE(widest(r.out), 120u);
  EXPECT_GT(widest(r.out), 100u) << "the width is the terminal's, not a default";
}

TEST(TerminalWidth, HuntsColumnsAreSizedToTheTerminalNotPaddedTo65) {
  // Byte offsets in the header: without its bold.
  auto tty = run_eksir_tty({"hunt", "*", test::samples_dir(), "-q", "--color=never"}, 80);
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  std::string header = lines(tty.out).at(0);
  size_t actor = header.find("ACTOR"), action = header.find("ACTION"),
         target = header.find("TARGET");
  ASSERT_NE(target, std::string::npos) << header;
  EXPECT_LT(action - actor, 30u) << header;
  EXPECT_LT(target - action, 30u) << header;

  // Piped: nothing is cut, and a column is padded to what most of its cells need (40 at most).
  auto piped = run_eksir({"hunt", "*", test::samples_dir(), "-q"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out.find("…"), std::string::npos);
  header = lines(piped.out).at(0);
  actor = header.find("ACTOR"), action = header.find("ACTION"), target = header.find("TARGET");
  EXPECT_LE(action - actor, 42u) << header;
  EXPECT_LE(target - action, 42u) << header;
  // The longest actor of the example, whole.
  auto example_rows = run_eksir({"hunt", "*", example(), "-q"});
  EXPECT_NE(
      example_rows.out.find(
          "arn:aws:sts::111122223333:assumed-role/prod-payments-node-role/i-0abc1234def567890"),
      std::string::npos);
}

TEST(TerminalWidth, PipedSummariesAreWhole) {
  std::string dir = test::temp_dir();
  auto piped = run_eksir({"investigate", example(), "--config",
                          test::source_dir() + "/examples/eksir.yaml", "-o", dir + "/a", "-q"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  for (const auto& l : lines(piped.out)) {
    bool cut = l.find("…") != std::string::npos && l.find("… ") == std::string::npos;
    EXPECT_FALSE(cut) << "only '… N more' lines have the mark: " << l;
  }
  EXPECT_GT(widest(piped.out), 160u) << "timeline lines are whole";
  auto tty = run_eksir_tty({"investigate", example(), "--config",
                            test::source_dir() + "/examples/eksir.yaml", "-o", dir + "/b", "-q"},
                           100);
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_LE(widest(tty.out), 100u);
}

}  // namespace
}  // namespace eksir
