// The one sanitizer for evidence text on its way to a person. Evidence is written by whoever is
// being investigated: a pod name, a user agent or a Falco output may carry terminal escapes,
// newlines, C1 controls, bidi overrides or broken UTF-8 meant to make one row read as another.
// visible() shows every such character as an escape a person can read, so what is displayed is
// what the evidence holds; fit() and padding applied afterwards can never cut a sequence.
#pragma once

#include <string>
#include <string_view>

namespace eksir::util {

// s with every character that could change how the rest is displayed written as an escape:
// C0 controls and DEL as \n \r \t or \xNN; C1 controls, bidi controls, zero-width characters,
// line and paragraph separators and the BOM as \uNNNN; bytes that are not valid UTF-8 as \xNN.
// A backslash that would start such an escape is doubled, so the output reads back exactly.
// Printable text (any script) passes unchanged.
std::string visible(std::string_view s);
// Appends visible(s) to out.
void append_visible(std::string& out, std::string_view s);
// True when visible(s) == s (nothing to escape): the common case, checked without allocating.
bool is_visible(std::string_view s);

// The code point starting at s[i] and its length in bytes; length 0 when s[i] does not start a
// valid, shortest-form UTF-8 sequence (surrogates and values above U+10FFFF are invalid).
struct CodePoint {
  char32_t value = 0;
  size_t length = 0;
};
CodePoint decode_utf8(std::string_view s, size_t i);

}  // namespace eksir::util
