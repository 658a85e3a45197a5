// Argv shown as bash words, exactly: a person reads (and may paste) what will run.
#include <fmt/format.h>

#include <algorithm>

#include "command/command.h"
#include "util/visible.h"

namespace eksir::command {

namespace {

bool bare(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
}

// $'...': printable characters as they are, everything that could hide or move text as an
// escape of its bytes (\xNN is exact whatever the locale; \uNNNN is not).
std::string ansi_c(std::string_view s) {
  std::string out = "$'";
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7f) {
      if (b == '\\' || b == '\'')
        out += '\\', out += static_cast<char>(b);
      else if (b == '!')  // never a history expansion, whatever the shell's options
        out += "\\x21";
      else
        out += static_cast<char>(b);
      ++i;
      continue;
    }
    if (b == '\n' || b == '\t' || b == '\r') {
      out += b == '\n' ? "\\n" : b == '\t' ? "\\t" : "\\r";
      ++i;
      continue;
    }
    util::CodePoint cp = util::decode_utf8(s, i);
    size_t len = cp.length ? cp.length : 1;
    std::string_view one = s.substr(i, len);
    if (cp.length && util::is_visible(one))
      out += one;
    else
      for (char c : one) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    i += len;
  }
  out += "'";
  return out;
}

}  // namespace

std::string shell_quote(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), bare)) return std::string(s);
  if (!util::is_visible(s)) return ansi_c(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += "'";
  return out;
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  return out;
}

}  // namespace eksir::command
