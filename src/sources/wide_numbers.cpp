#include "sources/wide_numbers.h"

#include <cstring>
#include <string>

namespace eksir::sources::detail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Whether the digits [p, p+d) of an integer (negative when `negative`) are beyond 64 bits.
bool too_wide(const char* p, size_t d, bool negative) {
  const char* limit = negative ? "9223372036854775808" : "18446744073709551615";
  size_t width = std::strlen(limit);
  if (d != width) return d > width;
  return std::memcmp(p, limit, width) > 0;
}

// Writes the d digits at p as "D.DDDDeN", exactly d characters (d >= 19 leaves 15 or more
// significant digits).
void rewrite(char* p, size_t d) {
  std::string exponent = "e" + std::to_string(d - 1);
  size_t mantissa = d - 1 - exponent.size();  // digits after the first, with the point
  std::string out;
  out.reserve(d);
  out.push_back(p[0]);
  out.push_back('.');
  out.append(p + 1, mantissa - 1);
  out += exponent;
  std::memcpy(p, out.data(), d);
}

}  // namespace

size_t widen_big_integers(char* p, size_t n) {
  size_t count = 0;
  bool in_string = false;
  for (size_t i = 0; i < n; ++i) {
    char c = p[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c != '-' && !is_digit(c)) continue;
    bool negative = c == '-';
    size_t start = negative ? i + 1 : i, end = start;
    while (end < n && is_digit(p[end])) ++end;
    bool integer = end == n || (p[end] != '.' && p[end] != 'e' && p[end] != 'E');
    size_t digits = end - start;
    if (integer && digits > 1 && p[start] != '0' && too_wide(p + start, digits, negative)) {
      rewrite(p + start, digits);
      ++count;
    }
    // Skip the rest of the number (fraction, exponent) in one go.
    while (end < n && (is_digit(p[end]) || p[end] == '.' || p[end] == 'e' || p[end] == 'E' ||
                       p[end] == '+' || p[end] == '-'))
      ++end;
    i = end - 1;
  }
  return count;
}

}  // namespace eksir::sources::detail
