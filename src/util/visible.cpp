#include "util/visible.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace eksir::util {
namespace {

// Format characters that reorder, hide or break text on a terminal or in a browser, and
// characters that draw nothing (two names differing only by them would read the same).
bool invisible_format(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) ||        // C1 controls (CSI is U+009B)
         c == 0xAD ||                       // soft hyphen
         c == 0x034F ||                     // combining grapheme joiner
         c == 0x061C ||                     // Arabic letter mark
         c == 0x115F || c == 0x1160 ||      // Hangul choseong/jungseong fillers
         c == 0x17B4 || c == 0x17B5 ||      // Khmer inherent vowels
         c == 0x180E ||                     // Mongolian vowel separator
         (c >= 0x200B && c <= 0x200F) ||    // zero-width space/joiners, LRM, RLM
         (c >= 0x2028 && c <= 0x202E) ||    // line/paragraph separators, LRE..RLO
         (c >= 0x2060 && c <= 0x2069) ||    // word joiner, invisible operators, LRI..PDI
         c == 0x3164 || c == 0xFFA0 ||      // Hangul fillers
         (c >= 0xFE00 && c <= 0xFE0F) ||    // variation selectors
         c == 0xFEFF ||                     // BOM / zero-width no-break space
         (c >= 0xFFF9 && c <= 0xFFFB) ||    // interlinear annotation
         (c >= 0xE0000 && c <= 0xE007F) ||  // tag characters
         (c >= 0xE0100 && c <= 0xE01EF);    // variation selectors supplement
}

struct Range {
  char32_t from, to;
};
bool in(const Range* begin, const Range* end, char32_t c) {
  const Range* r =
      std::upper_bound(begin, end, c, [](char32_t v, const Range& x) { return v < x.from; });
  return r != begin && c <= (r - 1)->to;
}

// East Asian Wide and Fullwidth blocks and the emoji drawn two columns wide (sorted).
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18AFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F2FF}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};
// Combining marks, drawn on the character before them (sorted).
constexpr Range kCombining[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0E31, 0x0E31},
    {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x20D0, 0x20FF},
    {0xFE20, 0xFE2F},
};

}  // namespace

size_t char_columns(char32_t c) {
  if (c < 0x300) return 1;
  if (in(std::begin(kCombining), std::end(kCombining), c)) return 0;
  return in(std::begin(kWide), std::end(kWide), c) ? 2 : 1;
}

CodePoint decode_utf8(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return {b, 1};
  size_t len = 0;
  char32_t cp = 0, min = 0;
  if ((b & 0xE0) == 0xC0) {
    len = 2, cp = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, cp = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, cp = b & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (i + len > s.size()) return {};
  for (size_t k = 1; k < len; ++k) {
    unsigned char c = byte(i + k);
    if ((c & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, len};
}

bool is_visible(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      ++i;
      continue;
    }
    if (b < 0x80) return false;  // C0 control or DEL
    CodePoint cp = decode_utf8(s, i);
    if (cp.length == 0 || invisible_format(cp.value)) return false;
    i += cp.length;
  }
  return true;
}

VisibleUnit append_visible_unit(std::string& out, std::string_view s, size_t i) {
  const size_t before = out.size();
  unsigned char b = static_cast<unsigned char>(s[i]);
  if (b >= 0x20 && b < 0x7F) {
    out.push_back(static_cast<char>(b));
    return {1, out.size() - before};
  }
  if (b < 0x80) {
    if (b == '\n')
      out += "\\n";
    else if (b == '\r')
      out += "\\r";
    else if (b == '\t')
      out += "\\t";
    else
      out += fmt::format("\\x{:02x}", b);
    return {1, out.size() - before};
  }
  CodePoint cp = decode_utf8(s, i);
  if (cp.length == 0) {
    out += fmt::format("\\x{:02x}", b);
    return {1, out.size() - before};
  }
  if (invisible_format(cp.value)) {
    if (cp.value > 0xFFFF)
      out += fmt::format("\\U{:08x}", static_cast<uint32_t>(cp.value));
    else
      out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp.value));
    return {cp.length, out.size() - before};
  }
  out.append(s.substr(i, cp.length));
  return {cp.length, char_columns(cp.value)};
}

void append_visible(std::string& out, std::string_view s) {
  if (is_visible(s)) {
    out.append(s);
    return;
  }
  out.reserve(out.size() + s.size() + 8);
  for (size_t i = 0; i < s.size();) i += append_visible_unit(out, s, i).bytes;
}

std::string visible(std::string_view s) {
  std::string out;
  append_visible(out, s);
  return out;
}

}  // namespace eksir::util
