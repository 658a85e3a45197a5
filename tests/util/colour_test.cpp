// The colour policy (util/colour.h) and colour in tables: SGR sequences only around eksir's own
// text, never counted as columns, never carried in by evidence.
#include "util/colour.h"

#include <gtest/gtest.h>

#include <sstream>

#include "util/table.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::util {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// s without eksir's SGR sequences (ESC [ digits and ; m).
std::string strip_sgr(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "\x1b[") == 0) {
      size_t j = i + 2;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) ++j;
      if (j < s.size() && s[j] == 'm') {
        i = j;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

TEST(Colour, ModesParseAndDecideOnce) {
  EXPECT_EQ(parse_colour_mode("auto"), ColourMode::Auto);
  EXPECT_EQ(parse_colour_mode("always"), ColourMode::Always);
  EXPECT_EQ(parse_colour_mode("NEVER"), ColourMode::Never);
  EXPECT_FALSE(parse_colour_mode("sometimes"));
  EXPECT_FALSE(parse_colour_mode(""));

  // auto: a terminal, unless NO_COLOR holds something (no-color.org: whatever its value).
  EXPECT_TRUE(use_colour(ColourMode::Auto, true, nullptr));
  EXPECT_FALSE(use_colour(ColourMode::Auto, false, nullptr));
  EXPECT_FALSE(use_colour(ColourMode::Auto, true, "1"));
  EXPECT_FALSE(use_colour(ColourMode::Auto, true, "0"));
  EXPECT_FALSE(use_colour(ColourMode::Auto, true, "false"));
  EXPECT_TRUE(use_colour(ColourMode::Auto, true, ""));  // set but empty: not a request
  // The flag overrides both.
  EXPECT_TRUE(use_colour(ColourMode::Always, false, "1"));
  EXPECT_FALSE(use_colour(ColourMode::Never, true, nullptr));
}

TEST(Colour, OnePaletteForSeverities) {
  EXPECT_EQ(severity_sgr("critical"), sgr::kCritical);
  EXPECT_EQ(severity_sgr("Critical"), "1;31");
  EXPECT_EQ(severity_sgr("high"), "31");
  EXPECT_EQ(severity_sgr("medium (exempt)"), "33");
  EXPECT_EQ(severity_sgr("low"), "");
  EXPECT_EQ(severity_sgr("info (sample)"), "2");
  EXPECT_EQ(severity_sgr("Warning"), "33");  // Falco's priorities as detect ranks them
  EXPECT_EQ(severity_sgr("-"), "");
  EXPECT_EQ(severity_sgr("T1098"), "");
  EXPECT_EQ(paint("31", "x"), "\x1b[31mx\x1b[0m");
  EXPECT_EQ(paint("", "x"), "x");
  EXPECT_EQ(Paint{false}("31", "x"), "x");
  EXPECT_EQ(Paint{true}("31", "x"), "\x1b[31mx\x1b[0m");
}

std::string table(size_t width, bool colour) {
  std::ostringstream out;
  TableWriter t(out, {"severity", "rule", "subject"}, width);
  t.set_colour(colour);
  t.colour_column(0, severity_sgr);
  t.add({"critical", "Cluster-admin bound to a new identity", "user=attacker"});
  t.add({"low", "Pod exec \x1b[31mred from the evidence", std::string(120, 'x')});
  t.add({"high", "\xE6\x97\xA5\xE6\x9C\xAC wide", "-"});
  t.finish();
  return out.str();
}

TEST(Colour, TablesAreColouredAroundCellsAndAlignedAsWithout) {
  for (size_t width : {size_t{0}, size_t{60}}) {
    SCOPED_TRACE(width);
    std::string plain = table(width, false), coloured = table(width, true);
    EXPECT_EQ(plain.find('\x1b'), std::string::npos);
    // The same text, columns and cuts: colour takes no room.
    EXPECT_EQ(strip_sgr(coloured), plain);
    auto ls = lines(coloured);
    ASSERT_EQ(ls.size(), 4u);
    EXPECT_TRUE(ls[0].starts_with("\x1b[1mSEVERITY\x1b[0m")) << ls[0];
    EXPECT_TRUE(ls[1].starts_with("\x1b[1;31mcritical\x1b[0m")) << ls[1];
    EXPECT_TRUE(ls[2].starts_with("low ")) << ls[2];  // low: the terminal's own colour
    EXPECT_TRUE(ls[3].starts_with("\x1b[31mhigh\x1b[0m")) << ls[3];
    // The escape the evidence carried is shown as text, not obeyed: the only ESC on the row is
    // none (low is not coloured).
    EXPECT_EQ(ls[2].find('\x1b'), std::string::npos) << ls[2];
    EXPECT_NE(ls[2].find("\\x1b[31mred"), std::string::npos) << ls[2];
    if (width) {
      for (const auto& l : lines(strip_sgr(coloured))) EXPECT_LE(display_width(l), width) << l;
    }
  }
}

TEST(Colour, ACutLineEndsItsColour) {
  // A line cut inside a coloured cell keeps the colour up to the cut, then resets.
  std::ostringstream out;
  TableWriter t(out, {"a", "b"}, 12);
  t.set_colour(true);
  t.colour_column(1, [](std::string_view) { return std::string_view("33"); });
  t.add({"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbb"});
  t.finish();
  for (const auto& l : lines(out.str())) {
    EXPECT_LE(display_width(strip_sgr(l)), 12u) << l;
    size_t opens = 0, resets = 0;
    for (size_t i = 0; (i = l.find("\x1b[", i)) != std::string::npos; ++i)
      (l.compare(i, 4, "\x1b[0m") == 0 ? resets : opens)++;
    EXPECT_EQ(opens, resets) << l;
  }
}

}  // namespace
}  // namespace eksir::util
