#include "util/visible.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace eksir::util {
namespace {

struct Case {
  const char* name;
  std::string in, out;
};

class Visible : public ::testing::TestWithParam<Case> {};

TEST_P(Visible, ShowsWhatTheEvidenceHolds) {
  const Case& c = GetParam();
  EXPECT_EQ(visible(c.in), c.out);
  EXPECT_EQ(is_visible(c.in), c.in == c.out);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Visible,
    ::testing::Values(Case{"plain", "kube-system/backup-agent", "kube-system/backup-agent"},
                      Case{"other_scripts", "r\xC3\xA9sum\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC",
                           "r\xC3\xA9sum\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC"},
                      Case{"emoji", "pod-\xF0\x9F\x98\x80", "pod-\xF0\x9F\x98\x80"},
                      Case{"csi_cursor_left", "x\x1b[35Dharmless\x1b[K",
                           "x\\x1b[35Dharmless\\x1b[K"},
                      Case{"newline_forges_a_row", "a\nb\rc\td", "a\\nb\\rc\\td"},
                      Case{"nul_and_del", std::string("a\0b\x7f", 4), "a\\x00b\\x7f"},
                      Case{"c1_csi",
                           "a\xC2\x9B"
                           "31mred",
                           "a\\u009b31mred"},
                      Case{"bidi_override", "evil\xE2\x80\xAEtxt.exe", "evil\\u202etxt.exe"},
                      Case{"bidi_isolate", "\xE2\x81\xA6x\xE2\x81\xA9", "\\u2066x\\u2069"},
                      Case{"zero_width", "ad\xE2\x80\x8Bmin", "ad\\u200bmin"},
                      Case{"bom", "\xEF\xBB\xBFname", "\\ufeffname"},
                      Case{"tag_character", "a\xF3\xA0\x80\x81", "a\\U000e0001"},
                      Case{"invalid_utf8", "a\xFF\xC3", "a\\xff\\xc3"},
                      Case{"overlong", "\xC0\xAF", "\\xc0\\xaf"},
                      Case{"surrogate", "\xED\xA0\x80", "\\xed\\xa0\\x80"},
                      Case{"literal_escape_text_stays", "a\\x1b", "a\\x1b"},
                      Case{"other_backslashes_stay", "C:\\Windows", "C:\\Windows"},
                      Case{"trailing_backslash", "a\\", "a\\"},
                      Case{"osc_hyperlink",
                           "\x1b]8;;http://evil\x07"
                           "click\x1b]8;;\x07",
                           "\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07"},
                      Case{"variation_selector", "admin\xEF\xB8\x8F", "admin\\ufe0f"},
                      Case{"variation_selector_supplement", "a\xF3\xA0\x84\x80", "a\\U000e0100"},
                      Case{"hangul_filler", "\xE3\x85\xA4root", "\\u3164root"},
                      Case{"combining_grapheme_joiner", "a\xCD\x8F", "a\\u034f"},
                      Case{"combining_mark_stays", "e\xCC\x81", "e\xCC\x81"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Visible, EscapedTextHasNoControlBytes) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string v = visible(all);
  for (unsigned char c : v) {
    EXPECT_FALSE(c < 0x20 || c == 0x7F) << static_cast<int>(c);
  }
}

TEST(Visible, UnitsAreWholeCharactersOrEscapesWithTheirColumns) {
  std::string s = "a\x1b\xE6\x97\xA5\xCC\x81\xFF\xE2\x80\xAE";
  std::vector<std::pair<std::string, size_t>> units;
  for (size_t i = 0; i < s.size();) {
    std::string out;
    VisibleUnit u = append_visible_unit(out, s, i);
    units.emplace_back(out, u.columns);
    i += u.bytes;
  }
  std::vector<std::pair<std::string, size_t>> want = {
      {"a", 1}, {"\\x1b", 4}, {"\xE6\x97\xA5", 2}, {"\xCC\x81", 0}, {"\\xff", 4}, {"\\u202e", 6}};
  EXPECT_EQ(units, want);
}

TEST(Visible, CharColumns) {
  EXPECT_EQ(char_columns(U'a'), 1u);
  EXPECT_EQ(char_columns(U'\u00e9'), 1u);
  EXPECT_EQ(char_columns(U'\u65e5'), 2u);      // CJK
  EXPECT_EQ(char_columns(U'\uff21'), 2u);      // fullwidth A
  EXPECT_EQ(char_columns(U'\U0001F600'), 2u);  // emoji
  EXPECT_EQ(char_columns(U'\u0301'), 0u);      // combining acute
  EXPECT_EQ(char_columns(U'\u2026'), 1u);      // the ellipsis fit() appends
}

TEST(DecodeUtf8, RejectsTruncatedSequences) {
  EXPECT_EQ(decode_utf8("\xE2\x80", 0).length, 0u);
  EXPECT_EQ(decode_utf8("\xE2\x80\xAE", 0).value, 0x202Eu);
  EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80", 0).length, 0u);  // above U+10FFFF
}

}  // namespace
}  // namespace eksir::util
