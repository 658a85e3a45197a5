// A small block-style YAML writer for the manifests eksir generates. Any string YAML could read
// as something else (a boolean, a number, null, a flow or comment character) is double-quoted
// with JSON escapes (non-ASCII too), which YAML reads back unchanged.
#include <algorithm>
#include <cctype>
#include <string>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

bool plain_safe(const std::string& s) {
  if (s.empty()) return false;
  static const char* const kReserved[] = {"true", "false", "yes", "no", "on",
                                          "off",  "null",  "y",   "n",  "~"};
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* r : kReserved)
    if (lower == r) return false;
  if (!std::isalpha(static_cast<unsigned char>(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

std::string scalar(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    // ASCII only: a bidi or zero-width character in a manifest shown for review is escaped.
    return plain_safe(s) ? s : v.dump(-1, ' ', true);
  }
  return v.dump();  // numbers, booleans, null
}

bool is_empty_collection(const json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

void write(const json& v, int indent, std::string& out);

void write_object(const json& v, int indent, std::string& out) {
  std::string pad(indent, ' ');
  for (auto it = v.begin(); it != v.end(); ++it) {
    out += pad + scalar(json(it.key())) + ":";
    const json& child = it.value();
    if (is_empty_collection(child)) {
      out += child.is_object() ? " {}\n" : " []\n";
    } else if (child.is_object()) {
      out += "\n";
      write_object(child, indent + 2, out);
    } else if (child.is_array()) {
      out += "\n";
      write(child, indent, out);
    } else {
      out += " " + scalar(child) + "\n";
    }
  }
}

void write(const json& v, int indent, std::string& out) {
  std::string pad(indent, ' ');
  if (v.is_object()) {
    write_object(v, indent, out);
    return;
  }
  if (v.is_array()) {
    for (const auto& item : v) {
      if (is_empty_collection(item)) {
        out += pad + (item.is_object() ? "- {}\n" : "- []\n");
      } else if (item.is_object()) {
        std::string inner;
        write_object(item, indent + 2, inner);
        out += pad + "- " + inner.substr(indent + 2);
      } else if (item.is_array()) {
        std::string inner;
        write(item, indent + 2, inner);
        out += pad + "-\n" + inner;
      } else {
        out += pad + "- " + scalar(item) + "\n";
      }
    }
    return;
  }
  out += pad + scalar(v) + "\n";
}

}  // namespace

std::string to_yaml(const json& value) {
  std::string out;
  write(value, 0, out);
  return out;
}

}  // namespace eksir::respond
