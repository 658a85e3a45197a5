// A small block-style YAML writer for the manifests eksir generates. Any string YAML could read
// as something else (a boolean, a number, null, a flow or comment character) is double-quoted
// with JSON escapes (non-ASCII too, a character above U+FFFF as YAML's \U escape), which YAML
// reads back unchanged.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include <fmt/format.h>

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

int hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// JSON writes a character above U+FFFF as a UTF-16 surrogate pair (\ud83d\udca3), which YAML
// does not read back as that character: YAML's own escape for it is \U0001f4a3.
std::string astral_as_yaml(std::string json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '\\' || i + 1 >= json.size()) {
      out.push_back(json[i]);
      continue;
    }
    const int high = json[i + 1] == 'u' ? hex4(json, i + 2) : -1;
    const int low = high >= 0xd800 && high <= 0xdbff && json.compare(i + 6, 2, "\\u") == 0
                        ? hex4(json, i + 8)
                        : -1;
    if (low >= 0xdc00 && low <= 0xdfff) {
      const unsigned cp = 0x10000u + ((static_cast<unsigned>(high) - 0xd800u) << 10) +
                          (static_cast<unsigned>(low) - 0xdc00u);
      out += fmt::format("\\U{:08x}", cp);
      i += 11;
      continue;
    }
    out.append(json, i, 2);  // any other escape, whole (\\ included)
    ++i;
  }
  return out;
}

std::string scalar(const std::string& s) {
  if (plain_safe(s)) return s;
  // ASCII only: a bidi or zero-width character in a manifest shown for review is escaped.
  util::JsonWriter w;
  w.ascii = true;
  w.str(s);
  return astral_as_yaml(std::move(w.o));
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
