// Private to sources/: the exact source text of parts of a JSON text, and key re-casing.
//
// The DOM does not keep byte offsets, yet an event's raw text must be the evidence exactly as
// written. These helpers walk text that a parser has already accepted, so they only need to
// skip strings and balance brackets; they never validate.
#pragma once

#include <string>
#include <string_view>

namespace eksir::sources::detail {

// Strips JSON whitespace (space, tab, CR, LF) from both ends.
std::string_view trim_json(std::string_view text);

// The text of the value of the first top-level member named `key` in an object's text; empty
// when not found (e.g. the key is written with escapes).
std::string_view raw_member(std::string_view object_text, std::string_view key);

// Hands out the texts of an array's elements in order; next() is empty once they run out.
class RawArray {
 public:
  explicit RawArray(std::string_view array_text);
  std::string_view next();

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Copies `text` into `out` with the first letter of every object key lower-cased
// ("SchemaVersion" -> "schemaVersion"); values are copied untouched.
void lower_first_letter_of_keys(std::string_view text, std::string& out);

}  // namespace eksir::sources::detail
