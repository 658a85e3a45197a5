#include "util/visible.h"

#include <fmt/format.h>

namespace eksir::util {
namespace {

// Format characters that reorder, hide or break text on a terminal or in a browser.
bool invisible_format(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) ||      // C1 controls (CSI is U+009B)
         c == 0xAD ||                     // soft hyphen
         c == 0x061C ||                   // Arabic letter mark
         c == 0x180E ||                   // Mongolian vowel separator
         (c >= 0x200B && c <= 0x200F) ||  // zero-width space/joiners, LRM, RLM
         (c >= 0x2028 && c <= 0x202E) ||  // line/paragraph separators, LRE..RLO
         (c >= 0x2060 && c <= 0x2069) ||  // word joiner, invisible operators, LRI..PDI
         c == 0xFEFF ||                   // BOM / zero-width no-break space
         (c >= 0xFFF9 && c <= 0xFFFB) ||  // interlinear annotation
         (c >= 0xE0000 && c <= 0xE007F);  // tag characters
}

// The escape a backslash would start in our own output: \n \r \t \xNN \uNNNN \UNNNNNNNN \\.
bool starts_escape(std::string_view s, size_t i) {
  if (i + 1 >= s.size()) return false;
  char n = s[i + 1];
  return n == 'n' || n == 'r' || n == 't' || n == 'x' || n == 'u' || n == 'U' || n == '\\';
}

}  // namespace

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
      if (b == '\\' && starts_escape(s, i)) return false;
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

void append_visible(std::string& out, std::string_view s) {
  if (is_visible(s)) {
    out.append(s);
    return;
  }
  out.reserve(out.size() + s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) {
      out.push_back(static_cast<char>(b));
      if (b == '\\' && starts_escape(s, i)) out.push_back('\\');
      ++i;
      continue;
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
      ++i;
      continue;
    }
    CodePoint cp = decode_utf8(s, i);
    if (cp.length == 0) {
      out += fmt::format("\\x{:02x}", b);
      ++i;
      continue;
    }
    if (invisible_format(cp.value)) {
      if (cp.value > 0xFFFF)
        out += fmt::format("\\U{:08x}", static_cast<uint32_t>(cp.value));
      else
        out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp.value));
    } else {
      out.append(s.substr(i, cp.length));
    }
    i += cp.length;
  }
}

std::string visible(std::string_view s) {
  std::string out;
  append_visible(out, s);
  return out;
}

}  // namespace eksir::util
