// A small block-style YAML writer for the manifests eksir generates. Any string YAML could read
// as something else (a boolean, a number, null, a flow or comment character) is double-quoted
// with JSON escapes (non-ASCII too), which YAML reads back unchanged.
#include <algorithm>
#include <cctype>
#include <string>

#include "respond/manifest.h"

namespace eksir::respond {

namespace {

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

std::string scalar(const std::string& s) {
  if (plain_safe(s)) return s;
  // ASCII only: a bidi or zero-width character in a manifest shown for review is escaped.
  util::JsonWriter w;
  w.ascii = true;
  w.str(s);
  return std::move(w.o);
}

bool is_empty_collection(const Manifest& v) {
  return !v.is_string() && v.empty();
}

void write(const Manifest& v, int indent, std::string& out);

void write_object(const Manifest& v, int indent, std::string& out) {
  std::string pad(indent, ' ');
  for (const auto& [key, child] : v.members()) {
    out += pad + scalar(key) + ":";
    if (is_empty_collection(child)) {
      out += child.is_object() ? " {}\n" : " []\n";
    } else if (child.is_object()) {
      out += "\n";
      write_object(child, indent + 2, out);
    } else if (child.type() == Manifest::Type::array) {
      out += "\n";
      write(child, indent, out);
    } else {
      out += " " + scalar(child.text()) + "\n";
    }
  }
}

void write(const Manifest& v, int indent, std::string& out) {
  std::string pad(indent, ' ');
  if (v.is_object()) {
    write_object(v, indent, out);
    return;
  }
  if (v.type() == Manifest::Type::array) {
    for (const auto& item : v.items()) {
      if (is_empty_collection(item)) {
        out += pad + (item.is_object() ? "- {}\n" : "- []\n");
      } else if (item.is_object()) {
        std::string inner;
        write_object(item, indent + 2, inner);
        out += pad + "- " + inner.substr(indent + 2);
      } else if (item.type() == Manifest::Type::array) {
        std::string inner;
        write(item, indent + 2, inner);
        out += pad + "-\n" + inner;
      } else {
        out += pad + "- " + scalar(item.text()) + "\n";
      }
    }
    return;
  }
  out += pad + scalar(v.text()) + "\n";
}

}  // namespace

std::string to_yaml(const Manifest& value) {
  std::string out;
  write(value, 0, out);
  return out;
}

}  // namespace eksir::respond
