#include "util/json_writer.h"

#include <fmt/format.h>

#include "util/visible.h"

namespace eksir::util {

void JsonWriter::num(double v, int decimals) {
  fmt::format_to(std::back_inserter(o), "{:.{}f}", v, decimals);
}

void JsonWriter::str_ascii(std::string_view s) {
  std::string run;  // ASCII, escaped as every string is
  auto flush = [&](size_t from, size_t to) {
    if (from == to) return;
    run.clear();
    append_json_string(run, s.substr(from, to - from));
    o.append(run, 1, run.size() - 2);
  };
  auto escape = [this](char32_t c) {
    fmt::format_to(std::back_inserter(o), "\\u{:04x}", static_cast<unsigned>(c));
  };
  o += '"';
  size_t from = 0;
  for (size_t i = 0; i < s.size();) {
    auto byte = static_cast<unsigned char>(s[i]);
    if (byte < 0x7f) {
      ++i;
      continue;
    }
    flush(from, i);
    CodePoint cp = byte == 0x7f ? CodePoint{0x7f, 1} : decode_utf8(s, i);
    if (!cp.length) {
      escape(0xfffd);
      cp.length = 1;
    } else if (cp.value <= 0xffff) {
      escape(cp.value);
    } else {
      escape(0xd7c0 + (cp.value >> 10));
      escape(0xdc00 + (cp.value & 0x3ff));
    }
    i += cp.length;
    from = i;
  }
  flush(from, s.size());
  o += '"';
}

}  // namespace eksir::util
