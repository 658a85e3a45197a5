// A JSON text writer: commas and quoting handled, members in the order written. For the output
// contracts (findings, the incident), where key order and number forms are fixed.
#pragma once

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

  void raw(std::string_view s) { o += s; }  // a value already JSON
  void str(std::string_view s) { append_json_string(o, s); }
  void key(std::string_view k) {
    item();
    str(k);
    o += ':';
  }
  void open(char c) {  // '{' or '['
    o += c;
    first = true;
  }
  void close(char c) {  // '}' or ']'
    o += c;
    first = false;
  }
  void item() {  // before an array element
    if (!first) o += ',';
    first = false;
  }
  void kv(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void kv_or_null(std::string_view k, std::string_view v) {  // "" as null
    key(k);
    if (v.empty())
      raw("null");
    else
      str(v);
  }
  void kv_time(std::string_view k, TimeNs t) {  // ISO 8601, or null
    key(k);
    if (t == kNoTime)
      raw("null");
    else
      str(format_time(t));
  }
  void kv_num(std::string_view k, int64_t v) {
    key(k);
    raw(std::to_string(v));
  }
  void kv_bool(std::string_view k, bool v) {
    key(k);
    raw(v ? "true" : "false");
  }
  void kv_map(std::string_view k, const std::map<std::string, std::string>& m) {
    key(k);
    open('{');
    for (const auto& [a, b] : m) kv(a, b);
    close('}');
  }
  void kv_list(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    open('[');
    for (const auto& s : v) {
      item();
      str(s);
    }
    close(']');
  }
};

}  // namespace eksir::util
