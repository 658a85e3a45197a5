// TableWriter: every cell shown through visible(), columns aligned on what is printed.
#include "util/table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "util/visible.h"

namespace eksir::util {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Printed columns of s up to byte offset `end`.
size_t column_of(const std::string& s, size_t end) {
  size_t cols = 0;
  for (size_t i = 0; i < end;) {
    CodePoint cp = decode_utf8(s, i);
    if (cp.length == 0) return SIZE_MAX;
    cols += char_columns(cp.value);
    i += cp.length;
  }
  return cols;
}

std::string hostile_table(size_t width) {
  std::ostringstream out;
  TableWriter t(out, {"name", "user", "last"}, width);
  t.add({"ok", "alice", "1"});
  t.add({"evil\x1b[2K\r\x1b[35Dfake\nFORGED ROW", "bob\xE2\x80\xAE", "2"});
  t.add({"\xE6\x97\xA5\xE6\x9C\xAC-pod",
         "\xC2\x9B"
         "31m\x1b]8;;http://evil\x07x",
         "3"});
  t.add({std::string(500, 'A'), "u", "4\x1b[K"});
  t.finish();
  return out.str();
}

TEST(TableWriter, HostileCellsCannotMoveTheCursorOrForgeRows) {
  // On a terminal of 100 columns, and not on a terminal (0).
  for (size_t width : {size_t{100}, size_t{0}}) {
    SCOPED_TRACE(width);
    std::string text = hostile_table(width);
    for (unsigned char c : text) EXPECT_FALSE((c < 0x20 && c != '\n') || c == 0x7F);
    auto ls = lines(text);
    ASSERT_EQ(ls.size(), 5u);
    EXPECT_NE(ls[2].find("evil\\x1b[2K\\r\\x1b[35Dfake\\nFORGED ROW"), std::string::npos);
    EXPECT_NE(ls[2].find("bob\\u202e"), std::string::npos);
    EXPECT_NE(ls[3].find("\\u009b31m\\x1b]8;;http://evil\\x07x"), std::string::npos);
    EXPECT_NE(ls[4].find("4\\x1b[K"), std::string::npos);
    // The last column starts at the same printed column on every row, wide characters included
    // (but for the row whose 500-character name pushes it right when nothing is cut).
    size_t want = column_of(ls[0], ls[0].find("LAST"));
    for (size_t i = 1; i < (width ? ls.size() : 4); ++i) {
      size_t at = ls[i].rfind("  ") + 2;
      EXPECT_EQ(column_of(ls[i], at), want) << ls[i];
    }
    if (width) {
      // Long cells are cut to fit the terminal, with the mark.
      for (const auto& l : ls) EXPECT_LE(column_of(l, l.size()), width) << l;
      EXPECT_NE(ls[4].find("A…"), std::string::npos);
      EXPECT_EQ(ls[4].find(std::string(100, 'A')), std::string::npos);
    } else {
      // Nothing is cut.
      EXPECT_NE(ls[4].find(std::string(500, 'A') + "  "), std::string::npos);
      EXPECT_EQ(text.find("…"), std::string::npos);
    }
  }
}

// Where each header word starts, in printed columns.
size_t header_column(const std::string& header, const std::string& word) {
  return column_of(header, header.find(word));
}

const std::string kTime = "2026-03-14T08:47:20.000Z";

TEST(TableWriter, OnATerminalEveryLineFitsAndTimesStayWhole) {
  std::ostringstream out;
  TableWriter t(out, {"time", "actor", "action", "target"}, 80);
  for (int i = 0; i < 30; ++i) {
    std::string n(static_cast<size_t>(i % 7), 'x');  // cells of several widths
    t.add({kTime, "arn:aws:sts::111122223333:assumed-role/github-actions-deploy/GitHub" + n,
           "eks:DescribeCluster" + n, "arn:aws:eks:us-east-1:111122223333:cluster/prod-" + n});
  }
  t.finish();
  auto ls = lines(out.str());
  ASSERT_EQ(ls.size(), 31u);
  for (const auto& l : ls) EXPECT_LE(column_of(l, l.size()), 80u) << l;
  for (size_t i = 1; i < ls.size(); ++i) {
    EXPECT_EQ(ls[i].rfind(kTime, 0), 0u) << ls[i];  // a column of one width is narrowed last
    EXPECT_NE(ls[i].find("…"), std::string::npos) << ls[i];
  }
  // Columns line up under their headers.
  size_t action = header_column(ls[0], "ACTION");
  for (size_t i = 1; i < ls.size(); ++i)
    EXPECT_EQ(column_of(ls[i], ls[i].find("eks:")), action) << ls[i];
}

TEST(TableWriter, OnAWideTerminalNothingIsCut) {
  std::ostringstream out;
  TableWriter t(out, {"time", "actor", "action"}, 200);
  t.add({kTime, std::string(70, 'a'), "x"});
  t.add({kTime, "b", std::string(90, 'c')});
  t.finish();
  std::string text = out.str();
  EXPECT_EQ(text.find("…"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(70, 'a')), std::string::npos);
  EXPECT_NE(text.find(std::string(90, 'c')), std::string::npos);
}

TEST(TableWriter, OnATerminalTooNarrowForTheColumnsLinesAreStillCut) {
  std::ostringstream out;
  TableWriter t(out, {"a", "b", "c", "d", "e", "f", "g", "h"}, 20);
  t.add({kTime, kTime, kTime, kTime, kTime, kTime, kTime, kTime});
  t.finish();
  for (const auto& l : lines(out.str())) EXPECT_LE(column_of(l, l.size()), 20u) << l;
}

TEST(TableWriter, NotOnATerminalOneLongCellDoesNotWidenItsColumn) {
  std::ostringstream out;
  TableWriter t(out, {"actor", "action", "outcome"});
  for (int i = 0; i < 20; ++i) {
    t.add({"alice", "get", "200"});
    if (i == 9) t.add({std::string(100, 'm'), "delete", "403"});
  }
  t.finish();
  auto ls = lines(out.str());
  ASSERT_EQ(ls.size(), 22u);
  EXPECT_EQ(header_column(ls[0], "ACTION"), 7u);  // "ALICE" and two spaces, not 102
  // The long cell is whole; its row goes on two spaces after it; the next row lines up again.
  EXPECT_EQ(ls[11], std::string(100, 'm') + "  delete  403");
  EXPECT_EQ(column_of(ls[12], ls[12].find("get")), 7u);
  EXPECT_EQ(out.str().find("…"), std::string::npos);
}

TEST(TableWriter, NotOnATerminalColumnsArePaddedToFortyAtMost) {
  std::ostringstream out;
  TableWriter t(out, {"actor", "action", "target"});
  std::string arn = "arn:aws:sts::111122223333:assumed-role/github-actions-deploy/GitHubActions";
  t.add({arn, "eks:DescribeCluster", "prod"});
  t.add({arn, "eks:ListClusters", "prod"});
  t.finish();
  auto ls = lines(out.str());
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(header_column(ls[0], "ACTION"), 42u);
  EXPECT_EQ(ls[1], arn + "  eks:DescribeCluster  prod");
}

TEST(TableWriter, ColumnsHiddenBelowATerminalWidthOnlyThere) {
  auto table = [](size_t width) {
    std::ostringstream out;
    TableWriter t(out, {"severity", "rule", "tactic", "technique", "count"}, width);
    t.set_colour(true);
    t.colour_column(0, [](std::string_view) { return std::string_view("31"); });
    t.colour_column(4, [](std::string_view) { return std::string_view("33"); });
    t.hide_below(2, 140);
    t.hide_below(3, 100);
    t.add({"high", "Privileged pod", "privilege-escalation", "T1611", "1"});
    t.finish();
    return lines(out.str());
  };
  // 80 columns: both left out, every other cell whole and coloured as given.
  auto narrow = table(80);
  ASSERT_EQ(narrow.size(), 2u);
  EXPECT_EQ(narrow[0], "\x1b[1mSEVERITY\x1b[0m  \x1b[1mRULE\x1b[0m            \x1b[1mCOUNT\x1b[0m");
  EXPECT_EQ(narrow[1], "\x1b[31mhigh\x1b[0m      Privileged pod  \x1b[33m1\x1b[0m");
  // 120: the technique comes back; 200 and not a terminal: everything.
  auto mid = table(120);
  EXPECT_NE(mid[0].find("TECHNIQUE"), std::string::npos);
  EXPECT_EQ(mid[0].find("TACTIC"), std::string::npos);
  for (size_t width : {size_t{200}, size_t{0}}) {
    auto all = table(width);
    EXPECT_NE(all[1].find("privilege-escalation  T1611"), std::string::npos) << all[1];
  }
}

}  // namespace
}  // namespace eksir::util
