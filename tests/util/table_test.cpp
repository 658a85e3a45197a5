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

TEST(TableWriter, HostileCellsCannotMoveTheCursorOrForgeRows) {
  std::ostringstream out;
  TableWriter t(out, {"name", "user", "last"});
  t.add({"ok", "alice", "1"});
  t.add({"evil\x1b[2K\r\x1b[35Dfake\nFORGED ROW", "bob\xE2\x80\xAE", "2"});
  t.add({"\xE6\x97\xA5\xE6\x9C\xAC-pod",
         "\xC2\x9B"
         "31m\x1b]8;;http://evil\x07x",
         "3"});
  t.add({std::string(500, 'A'), "u", "4\x1b[K"});
  t.finish();
  std::string text = out.str();
  for (unsigned char c : text) EXPECT_FALSE((c < 0x20 && c != '\n') || c == 0x7F);
  auto ls = lines(text);
  ASSERT_EQ(ls.size(), 5u);
  EXPECT_NE(ls[2].find("evil\\x1b[2K\\r\\x1b[35Dfake\\nFORGED ROW"), std::string::npos);
  EXPECT_NE(ls[2].find("bob\\u202e"), std::string::npos);
  EXPECT_NE(ls[3].find("\\u009b31m\\x1b]8;;http://evil\\x07x"), std::string::npos);
  EXPECT_NE(ls[4].find("4\\x1b[K"), std::string::npos);
  // The last column starts at the same printed column on every row, wide characters included.
  size_t want = column_of(ls[0], ls[0].find("LAST"));
  for (size_t i = 1; i < ls.size(); ++i) {
    size_t at = ls[i].rfind("  ") + 2;
    EXPECT_EQ(column_of(ls[i], at), want) << ls[i];
  }
  // Long cells are cut at the column limit, with the mark.
  EXPECT_NE(ls[4].find(std::string(63, 'A') + "…"), std::string::npos);
  EXPECT_EQ(ls[4].find(std::string(64, 'A')), std::string::npos);
}

}  // namespace
}  // namespace eksir::util
