#include "util/markdown.h"

#include <algorithm>

#include "util/visible.h"

namespace eksir::util {
namespace {

bool ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// v (already visible, no '|') as one code span.
void append_span(std::string& out, std::string_view v) {
  if (v.empty()) return;
  size_t run = 0, longest = 0;
  for (char c : v) longest = std::max(longest, run = c == '`' ? run + 1 : 0);
  std::string fence(longest + 1, '`');
  // A span starting or ending with a backtick needs a space on both sides (one is stripped each).
  bool padded = v.front() == '`' || v.back() == '`';
  out += fence;
  if (padded) out += ' ';
  out += v;
  if (padded) out += ' ';
  out += fence;
}

// v (already visible) as code spans split at '|'.
void append_code(std::string& out, std::string_view v) {
  for (size_t start = 0;;) {
    size_t bar = v.find('|', start);
    append_span(out, v.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    out += "\\|";
    start = bar + 1;
  }
}

bool is_meta(char c) {
  switch (c) {
    case '\\':
    case '`':
    case '*':
    case '_':
    case '[':
    case ']':
    case '<':
    case '>':
    case '|':
    case '#':
    case '~':
    case '!':
    case '&':
      return true;
    default:
      return false;
  }
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// One word (no space) of visible text.
void append_word(std::string& out, std::string_view w, bool first_word) {
  if (w.find('@') != std::string_view::npos) {
    append_code(out, w);
    return;
  }
  size_t digits = 0;
  while (digits < w.size() && w[digits] >= '0' && w[digits] <= '9') ++digits;
  for (size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    bool escape = is_meta(c);
    // A list, heading or thematic-break marker where a block could start.
    if (first_word && i == 0 && (c == '-' || c == '+' || c == '=')) escape = true;
    if (first_word && digits > 0 && i == digits && (c == '.' || c == ')')) escape = true;
    // Scheme separators and www. are where GFM and other renderers start a bare link.
    if (c == ':' && w.substr(i + 1, 2) == "//") escape = true;
    if (c == '.' && i >= 3 && ieq(w.substr(i - 3, 3), "www") && (i == 3 || !ascii_alnum(w[i - 4])))
      escape = true;
    if (escape) out += '\\';
    out += c;
  }
}

}  // namespace

std::string md_text(std::string_view s) {
  std::string v = visible(s);
  std::string out;
  out.reserve(v.size() + 8);
  bool first = true;  // no word yet: a marker here could start a block
  for (size_t start = 0; start <= v.size();) {
    size_t space = v.find(' ', start);
    if (space == std::string::npos) space = v.size();
    std::string_view word = std::string_view(v).substr(start, space - start);
    append_word(out, word, first);
    if (!word.empty()) first = false;
    if (space < v.size()) out += ' ';
    start = space + 1;
  }
  return out;
}

std::string md_code(std::string_view s) {
  std::string out;
  append_code(out, visible(s));
  return out;
}

}  // namespace eksir::util
