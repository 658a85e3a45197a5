// The one sanitizer for evidence text on its way to a person. Evidence is written by whoever is
// being investigated: a pod name, a user agent or a Falco output may carry terminal escapes,
// newlines, C1 controls, bidi overrides or broken UTF-8 meant to make one row read as another.
// visible() shows every such character as an escape a person can read, so what is displayed is
// what the evidence holds; fit() and padding applied afterwards can never cut a sequence.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace eksir::util {

// s with every character that could change how the rest is displayed written as an escape:
// C0 controls and DEL as \n \r \t or \xNN; C1 controls, bidi controls, zero-width and other
// invisible characters (variation selectors, fillers, tags), line and paragraph separators and
// the BOM as \uNNNN or \UNNNNNNNN; bytes that are not valid UTF-8 as \xNN. Printable text (any
// script) passes unchanged. Idempotent — visible(visible(s)) == visible(s) — so a message that
// quotes an escaped name can cross another boundary unchanged; a literal "\x1b" in the evidence
// therefore reads like an escape, which is harmless text either way.
std::string visible(std::string_view s);
// Appends visible(s) to out.
void append_visible(std::string& out, std::string_view s);
// True when visible(s) == s (nothing to escape): the common case, checked without allocating.
bool is_visible(std::string_view s);

// One character of s (or one byte that is not valid UTF-8) as visible() writes it: the unit that
// display code may keep or drop whole, never cut.
struct VisibleUnit {
  size_t bytes = 0;    // of s it covers
  size_t columns = 0;  // its visible form takes on a terminal (wide characters 2, marks 0)
};
// Appends the visible form of the unit starting at s[i] (i < s.size()) to out.
VisibleUnit append_visible_unit(std::string& out, std::string_view s, size_t i);

// The code point starting at s[i] and its length in bytes; length 0 when s[i] does not start a
// valid, shortest-form UTF-8 sequence (surrogates and values above U+10FFFF are invalid).
struct CodePoint {
  char32_t value = 0;
  size_t length = 0;
};
CodePoint decode_utf8(std::string_view s, size_t i);

// Terminal columns of a printable code point: 2 for East Asian wide and most emoji, 0 for
// combining marks, 1 otherwise (an approximation of wcwidth that needs no locale).
size_t char_columns(char32_t c);

}  // namespace eksir::util
