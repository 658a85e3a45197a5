// A manifest the plan applies, or a part of one: an object, an array or a string. An object keeps
// its keys sorted, the order manifests have always been written in, JSON and YAML alike; a member
// stays where it is while others are added, so a reference to it can be kept.
#pragma once

#include <initializer_list>
#include <list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json_writer.h"

namespace eksir::respond {

class Manifest {
 public:
  enum class Type { object, array, string };
  using Member = std::pair<std::string, Manifest>;

  Manifest() = default;  // an empty object
  Manifest(std::string s) : type_(Type::string), text_(std::move(s)) {}
  Manifest(std::string_view s) : Manifest(std::string(s)) {}
  Manifest(const char* s) : Manifest(std::string(s)) {}
  static Manifest array(std::initializer_list<Manifest> items = {});

  Type type() const { return type_; }
  bool is_object() const { return type_ == Type::object; }
  bool is_string() const { return type_ == Type::string; }
  const std::string& text() const { return text_; }              // a string's
  const std::list<Member>& members() const { return members_; }  // an object's, by key
  const std::vector<Manifest>& items() const { return items_; }  // an array's
  bool empty() const { return members_.empty() && items_.empty(); }

  // The member, made (an empty object) when missing.
  Manifest& operator[](std::string_view key);
  // The member, or nullptr.
  const Manifest* find(std::string_view key) const;
  // The string at a path of keys, "" when there is none.
  std::string text_at(std::initializer_list<std::string_view> path) const;
  void push_back(Manifest item) { items_.push_back(std::move(item)); }

  void write(util::JsonWriter& w) const;
  std::string json(int indent = 0) const;

 private:
  Type type_ = Type::object;
  std::string text_;
  std::list<Member> members_;
  std::vector<Manifest> items_;
};

// Block-style YAML of a manifest; strings are quoted whenever YAML could read them otherwise.
std::string to_yaml(const Manifest& m);

}  // namespace eksir::respond
