#include "detect/values.h"

#include <fmt/format.h>

namespace eksir::detect {

std::string path_text(simdjson::dom::element root, std::string_view path) {
  std::string out;
  FieldRef::any_in(root, path, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Null) return false;
    append_value(out, v);
    return !out.empty();
  });
  return out;
}

std::string first_path(simdjson::dom::element root, std::initializer_list<std::string_view> paths) {
  for (auto p : paths) {
    std::string v = path_text(root, p);
    if (!v.empty()) return v;
  }
  return {};
}

}  // namespace eksir::detect
