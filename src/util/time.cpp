#include "util/time.h"

#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

namespace eksir {

// Howard Hinnant's algorithm.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

TimeNs parse_duration(std::string_view text) {
  if (text.size() < 2 || text.size() > 12) return 0;
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return 0;
  }
  int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  // A span longer than int64 nanoseconds hold (292 years) is not a span evidence can have.
  int64_t ns = 0;
  if (__builtin_mul_overflow(n, unit * 1000000000LL, &ns)) return 0;
  return ns;
}

std::string format_duration(TimeNs ns) {
  int64_t s = ns / 1000000000LL;
  if (s <= 0) return "0s";
  std::string out;
  for (auto [unit, name] :
       {std::pair<int64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}) {
    if (s >= unit) {
      out += std::to_string(s / unit) + name;
      s %= unit;
    }
  }
  return out;
}

namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool digits(size_t n, int& out) {
    if (i + n > s.size()) return false;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    out = v;
    i += n;
    return true;
  }
  bool eat(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool done() const { return i >= s.size(); }
};

}  // namespace

TimeNs parse_time(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  Cursor c{text};
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d))
    return kNoTime;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return kNoTime;
  // Nanoseconds since 1970 in an int64 reach from 1677 to 2262.
  if (y < 1678 || y > 2261) return kNoTime;
  int64_t frac_ns = 0;
  int64_t offset_s = 0;
  if (!c.done()) {
    if (!(c.eat('T') || c.eat('t') || c.eat(' '))) return kNoTime;
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return kNoTime;
    if (c.eat(':') && !c.digits(2, se)) return kNoTime;
    if (h > 23 || mi > 59 || se > 60) return kNoTime;
    if (c.eat('.') || c.eat(',')) {
      int64_t scale = 100000000;
      size_t start = c.i;
      while (!c.done() && c.s[c.i] >= '0' && c.s[c.i] <= '9') {
        frac_ns += (c.s[c.i] - '0') * scale;
        scale /= 10;
        ++c.i;
      }
      if (c.i == start) return kNoTime;
    }
    if (c.eat('Z') || c.eat('z')) {
    } else if (!c.done() && (c.s[c.i] == '+' || c.s[c.i] == '-')) {
      int sign = c.s[c.i] == '-' ? -1 : 1;
      ++c.i;
      int oh, om = 0;
      if (!c.digits(2, oh)) return kNoTime;
      c.eat(':');
      if (!c.done() && !c.digits(2, om)) return kNoTime;
      offset_s = sign * (oh * 3600 + om * 60);
    }
    if (!c.done()) return kNoTime;
  }
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  return secs * 1000000000LL + frac_ns;
}

std::string format_time(TimeNs t) {
  if (t == kNoTime) return "-";
  int64_t secs = t / 1000000000LL;
  int64_t ns = t % 1000000000LL;
  if (ns < 0) {
    ns += 1000000000LL;
    secs -= 1;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 48> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, static_cast<int>(ns / 1000000));
  return std::string(buf.data(), static_cast<size_t>(n));
}

}  // namespace eksir
