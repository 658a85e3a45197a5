// Evidence text inside Markdown. Whatever the evidence holds, the rendered result is that text and
// nothing else: no link, no HTML, no emphasis, no new block, no broken table.
#pragma once

#include <string>
#include <string_view>

namespace eksir::util {

// s as Markdown inline text, good in a paragraph, a list item, a heading or a table cell:
// visible() first (so no newline starts a block and no control or bidi character survives), then
// every Markdown metacharacter backslash-escaped (| included, for table cells), a leading
// list/heading marker escaped, URLs broken (https\://, www\.) so that no renderer links them,
// and a word holding '@' set as a code span (GFM links e-mail addresses through any escape).
std::string md_text(std::string_view s);
// s as one inline code span (visible() first): the fence is longer than any backtick run inside,
// and a '|' is written between spans as \| so that a table cell is not split.
std::string md_code(std::string_view s);

}  // namespace eksir::util
