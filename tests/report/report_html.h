// The HTML report as text to look for evidence in: the writer puts hints for where a line may
// break into evidence text (<wbr> after separators of a long name, <time> around a timestamp it
// keeps on one line); a test that looks for a text as the evidence has it takes them out first.
#pragma once

#include <string>
#include <string_view>

namespace eksir::test {

inline std::string without_break_hints(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  for (size_t i = 0; i < html.size();) {
    bool hint = false;
    for (std::string_view h : {"<wbr>", "<time>", "</time>"})
      if (html.substr(i, h.size()) == h) {
        i += h.size();
        hint = true;
        break;
      }
    if (!hint) out += html[i++];
  }
  return out;
}

}  // namespace eksir::test
