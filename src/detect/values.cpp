#include "detect/values.h"

#include <fmt/format.h>

namespace eksir::detect {

void append_value(std::string& out, const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::String:
      out.append(v.str);
      break;
    case FieldValue::Type::Int:
      out += std::to_string(v.i);
      break;
    case FieldValue::Type::Uint:
      out += std::to_string(v.u);
      break;
    case FieldValue::Type::Double:
      out += fmt::format("{}", v.d);
      break;
    case FieldValue::Type::Bool:
      out += v.b ? "true" : "false";
      break;
    case FieldValue::Type::Null:
      break;
    case FieldValue::Type::Object:
      out += simdjson::minify(v.elem);
      break;
  }
}

std::string field_text(const FieldRef& f, const EventView& ev) {
  std::string out;
  f.any(ev, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Null) return false;
    if (!out.empty()) out += ",";
    append_value(out, v);
    return false;
  });
  return out;
}

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
