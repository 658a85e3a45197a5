// A JSON text writer: commas and quoting handled, members in the order written. For the output
// contracts (findings, the incident, the report, plans), where key order and number forms are
// fixed. Compact by default; with `indent`, pretty-printed as nlohmann's dump(indent) lays it out
// (one member or element a line, ": " after keys, "[]" and "{}" when empty), and a container opened
// with `one_line` stays on one line with ", " and ": " inside.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/text.h"
#include "util/time.h"

namespace eksir::util {

struct JsonWriter {
  std::string o;
  bool first = true;  // no member or element yet in the innermost object or array
  int indent = 0;     // spaces a level when pretty-printed; 0: compact
  // Strings with DEL and every character past ASCII escaped too (\uXXXX, a UTF-16 surrogate pair
  // above U+FFFF), for text shown for review where no character may hide.
  bool ascii = false;

  void raw(std::string_view s) { o += s; }  // a value already JSON
  void str(std::string_view s) {
    if (ascii)
      str_ascii(s);
    else
      append_json_string(o, s);
  }
  void key(std::string_view k) {
    item();
    str(k);
    o += indent ? ": " : ":";
  }
  void open(char c, bool one_line = false) {  // '{' or '['
    o += c;
    first = true;
    bool inherited = on_one_line();
    ++depth_;
    uint64_t bit = uint64_t{1} << level(depth_ - 1);
    one_line_ = (one_line || inherited) ? (one_line_ | bit) : (one_line_ & ~bit);
  }
  void close(char c) {  // '}' or ']'
    bool lines = indent && !on_one_line();
    if (depth_ > 0) --depth_;
    if (lines && !first) newline();
    o += c;
    first = false;
  }
  void item() {  // before an array element
    if (first) {
      first = false;
      if (indent && !on_one_line()) newline();
      return;
    }
    o += ',';
    if (break_at_ >= 0) {
      o += '\n';
      o.append(static_cast<size_t>(break_at_), ' ');
      break_at_ = -1;
    } else if (indent) {
      if (on_one_line())
        o += ' ';
      else
        newline();
    }
  }
  // In a container on one line: the next member or element starts a new line, at this column.
  void break_line(int column) { break_at_ = column; }
  // The current depth's line break and indentation, for a layout of the caller's own.
  void newline() {
    o += '\n';
    o.append(static_cast<size_t>(depth_) * static_cast<size_t>(indent), ' ');
  }

  template <std::integral T>
  void num(T v) {
    o += std::to_string(v);
  }
  void num(double v, int decimals);  // fixed-point: 1.250
  void boolean(bool v) { o += v ? "true" : "false"; }
  void null() { o += "null"; }
  void time(TimeNs t) {  // ISO 8601, or null
    if (t == kNoTime)
      null();
    else
      str(format_time(t));
  }
  void list(const std::vector<std::string>& v) {
    open('[');
    for (const auto& s : v) {
      item();
      str(s);
    }
    close(']');
  }

  void kv(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void kv_or_null(std::string_view k, std::string_view v) {  // "" as null
    key(k);
    if (v.empty())
      null();
    else
      str(v);
  }
  void kv_time(std::string_view k, TimeNs t) {
    key(k);
    time(t);
  }
  template <std::integral T>
  void kv_num(std::string_view k, T v) {
    key(k);
    num(v);
  }
  void kv_num(std::string_view k, double v, int decimals) {
    key(k);
    num(v, decimals);
  }
  void kv_bool(std::string_view k, bool v) {
    key(k);
    boolean(v);
  }
  void kv_map(std::string_view k, const std::map<std::string, std::string>& m) {
    key(k);
    open('{');
    for (const auto& [a, b] : m) kv(a, b);
    close('}');
  }
  void kv_list(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    list(v);
  }

 private:
  void str_ascii(std::string_view s);
  // Whether each open container is on one line, a bit a level, so that a writer made per row
  // allocates nothing for it (past 64 levels the deepest share the last bit; only pretty-printing
  // reads them).
  static int level(int depth) { return depth < 63 ? depth : 63; }
  bool on_one_line() const { return depth_ > 0 && ((one_line_ >> level(depth_ - 1)) & 1) != 0; }
  int depth_ = 0;
  uint64_t one_line_ = 0;
  int break_at_ = -1;
};

}  // namespace eksir::util
