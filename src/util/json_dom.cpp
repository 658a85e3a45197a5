#include "util/json_dom.h"

#include <simdjson.h>

namespace eksir::util {
namespace {

nlohmann::json convert(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      nlohmann::json a = nlohmann::json::array();
      auto& items = a.get_ref<nlohmann::json::array_t&>();
      simdjson::dom::array arr = e.get_array().value_unsafe();
      items.reserve(arr.size());
      for (simdjson::dom::element x : arr) items.push_back(convert(x));
      return a;
    }
    case element_type::OBJECT: {
      nlohmann::json o = nlohmann::json::object();
      auto& members = o.get_ref<nlohmann::json::object_t&>();
      // A repeated key keeps its last value, as nlohmann's parser does.
      simdjson::dom::object obj = e.get_object().value_unsafe();
      for (auto field : obj) members.insert_or_assign(std::string(field.key), convert(field.value));
      return o;
    }
    case element_type::INT64:
      return e.get_int64().value_unsafe();
    case element_type::UINT64:
      return e.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    case element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case element_type::BOOL:
      return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

nlohmann::json parse_json(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(text)).get(root) == simdjson::SUCCESS)
    return convert(root);
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

}  // namespace eksir::util
