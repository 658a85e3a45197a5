#include "sources/unwrap_raw.h"

#include <cstdio>

namespace eksir::sources::detail {

namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && is_ws(s[i])) ++i;
  return i;
}

// i is at an opening quote; returns the index just past the closing quote.
size_t skip_string(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// i is at the first character of a value; returns the index just past it.
size_t skip_value(std::string_view s, size_t i) {
  if (i >= s.size()) return i;
  char c = s[i];
  if (c == '"') return skip_string(s, i);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (i < s.size()) {
      char d = s[i];
      if (d == '"') {
        i = skip_string(s, i);
        continue;
      }
      if (d == '{' || d == '[') ++depth;
      if (d == '}' || d == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && !is_ws(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}') ++i;
  return i;
}

}  // namespace

std::string_view trim_json(std::string_view text) {
  while (!text.empty() && is_ws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ws(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view raw_member(std::string_view s, std::string_view key) {
  size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return {};
  i = skip_ws(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    size_t key_end = skip_string(s, i);
    std::string_view name = s.substr(i + 1, key_end - i - 2);
    i = skip_ws(s, key_end);
    if (i >= s.size() || s[i] != ':') return {};
    i = skip_ws(s, i + 1);
    size_t value_end = skip_value(s, i);
    if (name == key) return s.substr(i, value_end - i);
    i = skip_ws(s, value_end);
    if (i < s.size() && s[i] == ',') i = skip_ws(s, i + 1);
  }
  return {};
}

RawArray::RawArray(std::string_view array_text) : text_(array_text) {
  pos_ = skip_ws(text_, 0);
  if (pos_ < text_.size() && text_[pos_] == '[') {
    pos_ = skip_ws(text_, pos_ + 1);
  } else {
    pos_ = text_.size();
  }
}

std::string_view RawArray::next() {
  if (pos_ >= text_.size() || text_[pos_] == ']') return {};
  size_t end = skip_value(text_, pos_);
  std::string_view element = text_.substr(pos_, end - pos_);
  pos_ = skip_ws(text_, end);
  if (pos_ < text_.size() && text_[pos_] == ',') pos_ = skip_ws(text_, pos_ + 1);
  return element;
}

void lower_first_letter_of_keys(std::string_view text, std::string& out) {
  out.assign(text);
  size_t i = 0;
  while (i < out.size()) {
    if (out[i] != '"') {
      ++i;
      continue;
    }
    size_t start = i;
    i = skip_string(out, i);
    // In valid JSON a string followed by ':' is always an object key.
    size_t j = skip_ws(out, i);
    if (j < out.size() && out[j] == ':' && start + 1 < out.size()) {
      char& first = out[start + 1];
      if (first >= 'A' && first <= 'Z') first = static_cast<char>(first - 'A' + 'a');
    }
  }
}

}  // namespace eksir::sources::detail
