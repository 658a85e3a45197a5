#include "util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "util/visible.h"

namespace eksir::util {

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else if (static_cast<unsigned char>(c) < 0x80) {
          out.push_back(c);
        } else if (CodePoint cp = decode_utf8(s, i); cp.length) {
          out.append(s.substr(i, cp.length));
          i += cp.length - 1;
        } else {
          // JSON is UTF-8: a byte that is not (a file name, a YAML value) cannot be carried.
          out += "\\ufffd";
        }
    }
  }
  out.push_back('"');
}

void append_csv_field(std::string& out, std::string_view s) {
  std::string field;
  if (!s.empty() &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    field.push_back('\'');
  append_visible(field, s);
  if (field.find_first_of(",\"") == std::string::npos) {
    out += field;
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {

bool plain_ascii(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F) return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
               hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

size_t display_width(std::string_view s) {
  if (plain_ascii(s)) return s.size();
  size_t cols = 0;
  std::string scratch;
  for (size_t i = 0; i < s.size();) {
    scratch.clear();
    VisibleUnit u = append_visible_unit(scratch, s, i);
    cols += u.columns;
    i += u.bytes;
  }
  return cols;
}

size_t append_fit(std::string& out, std::string_view s, size_t width) {
  size_t total = display_width(s);
  if (total <= width) {
    append_visible(out, s);
    return total;
  }
  if (width == 0) return 0;
  size_t cols = 0;
  std::string unit;
  for (size_t i = 0; i < s.size();) {
    unit.clear();
    VisibleUnit u = append_visible_unit(unit, s, i);
    if (cols + u.columns > width - 1) break;
    out += unit;
    cols += u.columns;
    i += u.bytes;
  }
  out += "…";
  return cols + 1;
}

std::string fit(std::string_view s, size_t width) {
  std::string out;
  append_fit(out, s, width);
  return out;
}

std::string fit_line(std::string_view line, size_t width) {
  if (width == 0) return std::string(line);
  // The columns of each piece: SGR sequences none, characters as printed.
  auto sgr = [&](size_t i) -> size_t {  // length of the SGR sequence at i, 0 when none
    if (line[i] != '\x1b' || i + 1 >= line.size() || line[i + 1] != '[') return 0;
    size_t j = i + 2;
    while (j < line.size() && ((line[j] >= '0' && line[j] <= '9') || line[j] == ';')) ++j;
    return j < line.size() && line[j] == 'm' ? j + 1 - i : 0;
  };
  size_t total = 0;
  for (size_t i = 0; i < line.size();) {
    if (size_t n = sgr(i)) {
      i += n;
      continue;
    }
    CodePoint cp = decode_utf8(line, i);
    total += cp.length ? char_columns(cp.value) : 1;
    i += cp.length ? cp.length : 1;
  }
  if (total <= width) return std::string(line);
  std::string out;
  size_t cols = 0;
  bool styled = false;
  for (size_t i = 0; i < line.size();) {
    if (size_t n = sgr(i)) {
      out.append(line.substr(i, n));
      styled = line.substr(i, n) != "\x1b[0m";
      i += n;
      continue;
    }
    CodePoint cp = decode_utf8(line, i);
    size_t c = cp.length ? char_columns(cp.value) : 1, len = cp.length ? cp.length : 1;
    if (cols + c > width - 1) break;
    out.append(line.substr(i, len));
    cols += c;
    i += len;
  }
  out += "…";
  if (styled) out += "\x1b[0m";
  return out;
}

std::string pad(std::string_view s, size_t width) {
  std::string out;
  size_t cols = append_fit(out, s, width);
  out.append(width - cols, ' ');
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: i - 2, i - 1 and i.
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    size_t allowed = std::max(word.size(), c.size()) <= 5 ? 1 : 2;
    if (d == 0 || d > allowed || d >= best_distance) continue;
    best = c;
    best_distance = d;
  }
  return best;
}

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string human_duration(int64_t seconds) {
  if (seconds == INT64_MIN) seconds = -INT64_MAX;  // its negation does not fit
  if (seconds < 0) return "-" + human_duration(-seconds);
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m {}s", seconds / 60, seconds % 60);
  if (seconds < 86400) return fmt::format("{}h {}m", seconds / 3600, seconds % 3600 / 60);
  return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace eksir::util
