// Private to sources/: integers wider than 64 bits. simdjson (3.0, as Debian 12 ships it) fails a
// whole document on one integer beyond the int64/uint64 range, so a record carrying, say, a
// 30-digit id would be dropped. Such a document is parsed again from a copy in which each of those
// integers is rewritten as a floating-point number of exactly the same length
// (123456789012345678901234567890 -> 1.2345678901234567890123456e29, truncated to the digits
// that fit): positions in the text do not move, so the record's own text (raw) still lines up with
// its parse, and the value is kept as a double.
#pragma once

#include <cstddef>

namespace eksir::sources::detail {

// Rewrites, in p[0..n), every integer outside strings whose value fits neither int64 nor uint64;
// returns how many. Anything that is not such an integer is left as it is.
size_t widen_big_integers(char* p, size_t n);

}  // namespace eksir::sources::detail
