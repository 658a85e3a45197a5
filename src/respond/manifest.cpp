#include "respond/manifest.h"

#include <algorithm>

namespace eksir::respond {

Manifest Manifest::array(std::initializer_list<Manifest> items) {
  Manifest m;
  m.type_ = Type::array;
  m.items_ = items;
  return m;
}

Manifest& Manifest::operator[](std::string_view key) {
  auto it = std::find_if(members_.begin(), members_.end(),
                         [key](const Member& m) { return m.first >= key; });
  if (it == members_.end() || it->first != key) it = members_.emplace(it, key, Manifest());
  return it->second;
}

const Manifest* Manifest::find(std::string_view key) const {
  auto it = std::find_if(members_.begin(), members_.end(),
                         [key](const Member& m) { return m.first >= key; });
  return it == members_.end() || it->first != key ? nullptr : &it->second;
}

std::string Manifest::text_at(std::initializer_list<std::string_view> path) const {
  const Manifest* m = this;
  for (std::string_view key : path)
    if (!(m = m->find(key))) return {};
  return m->is_string() ? m->text_ : std::string();
}

void Manifest::write(util::JsonWriter& w) const {
  switch (type_) {
    case Type::string:
      w.str(text_);
      return;
    case Type::array:
      w.open('[');
      for (const auto& item : items_) {
        w.item();
        item.write(w);
      }
      w.close(']');
      return;
    case Type::object:
      w.open('{');
      for (const auto& [key, value] : members_) {
        w.key(key);
        value.write(w);
      }
      w.close('}');
      return;
  }
}

std::string Manifest::json(int indent) const {
  util::JsonWriter w;
  w.indent = indent;
  write(w);
  return std::move(w.o);
}

}  // namespace eksir::respond
