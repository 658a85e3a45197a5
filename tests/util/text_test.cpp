// fit(), display_width(), pad(), CSV and JSON string writing: the text helpers of every writer.
#include "util/text.h"

#include <gtest/gtest.h>

#include "util/visible.h"

namespace eksir::util {
namespace {

// Columns of text as a terminal prints it (the text is already visible).
size_t printed_width(std::string_view s) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size();) {
    CodePoint cp = decode_utf8(s, i);
    EXPECT_NE(cp.length, 0u) << "invalid UTF-8 in printed text at " << i;
    if (cp.length == 0) return cols;
    cols += char_columns(cp.value);
    i += cp.length;
  }
  return cols;
}

TEST(DisplayWidth, CountsWhatIsPrinted) {
  EXPECT_EQ(display_width(""), 0u);
  EXPECT_EQ(display_width("kube-system"), 11u);
  EXPECT_EQ(display_width("r\xC3\xA9sum\xC3\xA9"), 6u);
  EXPECT_EQ(display_width("\xE6\x97\xA5\xE6\x9C\xAC"), 4u);  // two wide characters
  EXPECT_EQ(display_width("pod-\xF0\x9F\x98\x80"), 6u);      // emoji: 2
  EXPECT_EQ(display_width("e\xCC\x81"), 1u);                 // combining mark: 0
  EXPECT_EQ(display_width("a\x1b[K"), 7u);                   // a \x1b [ K
  EXPECT_EQ(display_width("\xE2\x80\xAE"), 6u);              // \u202e
  EXPECT_EQ(display_width("\xFF"), 4u);                      // \xff
  EXPECT_EQ(display_width("a\\x1b"), 5u);  // a literal backslash is printed as it is
}

TEST(Fit, ShortTextIsOnlyMadeVisible) {
  EXPECT_EQ(fit("default/web", 20), "default/web");
  EXPECT_EQ(fit("a\nb", 20), "a\\nb");
  EXPECT_EQ(fit("exact", 5), "exact");
  EXPECT_EQ(fit("anything", 0), "");
}

TEST(Fit, CutsBetweenWholeCharactersAndMarksTheCut) {
  EXPECT_EQ(fit("abcdefgh", 5), "abcd…");
  EXPECT_EQ(fit("r\xC3\xA9sum\xC3\xA9-long", 4), "r\xC3\xA9s…");
  // A wide character that does not fit whole is left out, not split.
  EXPECT_EQ(fit("ab\xE6\x97\xA5\xE6\x9C\xAC", 4), "ab…");
  EXPECT_EQ(fit("ab\xE6\x97\xA5\xE6\x9C\xAC", 5), "ab\xE6\x97\xA5…");
}

TEST(Fit, NeverCutsAnEscape) {
  // The escape \x1b takes 4 columns: it is shown whole, with the mark, from width 6.
  std::string hostile = "x\x1b[35Dharmless\x1b[K";
  EXPECT_EQ(fit(hostile, 5), "x…");
  EXPECT_EQ(fit(hostile, 6), "x\\x1b…");
  EXPECT_EQ(fit("\xE2\x80\xAEtxt.exe", 6), "…");
  EXPECT_EQ(fit("\xE2\x80\xAEtxt.exe", 7), "\\u202e…");
  EXPECT_EQ(fit("\xC2\x9B"
                "31m",
                8),
            "\\u009b3…");
  EXPECT_EQ(fit("ab\xFF\xFE", 6), "ab…");
  EXPECT_EQ(fit("ab\xFF\xFE", 7), "ab\\xff…");
  for (size_t w = 0; w < 40; ++w) {
    std::string f = fit(hostile + "\xE6\x97\xA5\xE2\x80\x8B\xFF", w);
    EXPECT_LE(printed_width(f), w) << f;
    for (unsigned char c : f) EXPECT_FALSE(c < 0x20 || c == 0x7F) << w;
  }
}

TEST(Fit, VeryLongNamesAreBounded) {
  std::string name(100000, 'A');
  name += "\x1b[2J";
  std::string f = fit(name, 64);
  EXPECT_EQ(printed_width(f), 64u);
  EXPECT_TRUE(f.ends_with("…"));
}

TEST(Pad, FillsToTheWidthInColumns) {
  EXPECT_EQ(pad("ab", 4), "ab  ");
  EXPECT_EQ(pad("\xE6\x97\xA5", 4), "\xE6\x97\xA5  ");
  EXPECT_EQ(pad("a\tb", 6), "a\\tb  ");
  EXPECT_EQ(printed_width(pad("ab\xE6\x97\xA5\xE6\x9C\xAC", 4)), 4u);  // "ab…" and a space
}

std::string csv(std::string_view s) {
  std::string out;
  append_csv_field(out, s);
  return out;
}

TEST(Csv, QuotesPerRfc4180) {
  EXPECT_EQ(csv("plain"), "plain");
  EXPECT_EQ(csv(""), "");
  EXPECT_EQ(csv("a,b"), "\"a,b\"");
  EXPECT_EQ(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(Csv, FormulaTriggersGetAQuotePrefix) {
  EXPECT_EQ(csv("=HYPERLINK(\"http://evil\")"), "\"'=HYPERLINK(\"\"http://evil\"\")\"");
  EXPECT_EQ(csv("=1+1"), "'=1+1");
  EXPECT_EQ(csv("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
  EXPECT_EQ(csv("-2+3"), "'-2+3");
  EXPECT_EQ(csv("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv("\t=1"), "'\\t=1");
  EXPECT_EQ(csv("\r=1"), "'\\r=1");
  EXPECT_EQ(csv("=a,b"), "\"'=a,b\"");
  // Only the first character counts.
  EXPECT_EQ(csv("a=1"), "a=1");
  EXPECT_EQ(csv(" =1"), " =1");
}

TEST(Csv, ControlCharactersAreMadeVisibleSoNoRecordIsForged) {
  EXPECT_EQ(csv("a\nb"), "a\\nb");
  EXPECT_EQ(csv("a\r\nforged,row"), "\"a\\r\\nforged,row\"");
  EXPECT_EQ(csv("x\x1b[2K\xE2\x80\xAE"), "x\\x1b[2K\\u202e");
}

TEST(JsonString, EscapesControlsAndKeepsUtf8) {
  std::string out;
  append_json_string(out, "a\"\\\n\x1b\xE6\x97\xA5\xE2\x80\xAE");
  EXPECT_EQ(out, "\"a\\\"\\\\\\n\\u001b\xE6\x97\xA5\xE2\x80\xAE\"");
}

TEST(JsonString, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  std::string out;
  append_json_string(out, "bad\xFF name\xC3");
  EXPECT_EQ(out, "\"bad\\ufffd name\\ufffd\"");
}

TEST(FitLine, CutsVisibleTextAndKeepsColours) {
  EXPECT_EQ(fit_line("abcdef", 0), "abcdef");
  EXPECT_EQ(fit_line("abcdef", 6), "abcdef");
  EXPECT_EQ(fit_line("abcdef", 4), "abc…");
  // Colour sequences take no columns; a cut inside colour resets it.
  EXPECT_EQ(fit_line("\x1b[1mab\x1b[0mcd", 4), "\x1b[1mab\x1b[0mcd");
  EXPECT_EQ(fit_line("\x1b[1mabcdef\x1b[0m", 4), "\x1b[1mabc…\x1b[0m");
  EXPECT_EQ(fit_line("\x1b[1mab\x1b[0mcdef", 4), "\x1b[1mab\x1b[0mc…");
  // Wide characters count two and are kept or dropped whole; escapes are text.
  EXPECT_EQ(fit_line("ab\xE6\x97\xA5\xE6\x9C\xAC", 5), "ab\xE6\x97\xA5…");
  EXPECT_EQ(printed_width(fit_line(visible("evil\x1b[2Jname-that-is-long"), 10)), 10u);
}

TEST(EditDistance, CountsInsertionsDeletionsReplacementsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("plan", "plan"), 0u);
  EXPECT_EQ(edit_distance("investgate", "investigate"), 1u);  // a letter left out
  EXPECT_EQ(edit_distance("hunnt", "hunt"), 1u);              // one too many
  EXPECT_EQ(edit_distance("--formst", "--format"), 1u);       // one replaced
  EXPECT_EQ(edit_distance("plna", "plan"), 1u);               // two swapped
  EXPECT_EQ(edit_distance("", "case"), 4u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(ClosestName, SuggestsOnlyWhatIsCloseEnough) {
  std::vector<std::string> commands = {"hunt", "detect", "rules",  "investigate",
                                       "plan", "report", "respond"};
  EXPECT_EQ(closest_name("investgate", commands), "investigate");
  EXPECT_EQ(closest_name("dtect", commands), "detect");
  EXPECT_EQ(closest_name("plna", commands), "plan");
  EXPECT_EQ(closest_name("rule", commands), "rules");
  EXPECT_EQ(closest_name("xyzzy", commands), "");
  EXPECT_EQ(closest_name("pl", commands), "");  // two letters short of "plan": too far
  EXPECT_EQ(closest_name("reprot", commands), "report");
  EXPECT_EQ(closest_name("--formt", {"--fields", "--format", "--count"}), "--format");
  EXPECT_EQ(closest_name("hunt", {"hunt"}), "");  // already a name: nothing to suggest
  EXPECT_EQ(closest_name("x", {}), "");
}

}  // namespace
}  // namespace eksir::util
