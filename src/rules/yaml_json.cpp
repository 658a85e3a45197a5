#include "rules/yaml_json.h"

#include <simdjson.h>

#include <charconv>

#include "rules/rules.h"
#include "sources/unwrap.h"
#include "util/json_writer.h"

namespace eksir::rules {
namespace {

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  // JSON numbers only: no leading '+', no leading zeros, no inf/nan, no hex.
  size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[i] == '0' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))
    return false;
  return s.find_first_of("xXnN") == std::string::npos;
}

void write(const YAML::Node& n, util::JsonWriter& j) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return j.null();
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() != "!") {  // plain scalar
        if (s == "null" || s == "~" || s == "Null" || s == "NULL") return j.null();
        if (s == "true" || s == "True" || s == "TRUE") return j.boolean(true);
        if (s == "false" || s == "False" || s == "FALSE") return j.boolean(false);
        if (is_number(s)) return j.raw(s);
      }
      return j.str(s);
    }
    case YAML::NodeType::Sequence:
      j.open('[');
      for (const auto& item : n) {
        j.item();
        write(item, j);
      }
      return j.close(']');
    case YAML::NodeType::Map:
      j.open('{');
      for (const auto& kv : n) {
        j.key(kv.first.Scalar());
        write(kv.second, j);
      }
      return j.close('}');
  }
}

}  // namespace

bool yaml_to_event_json(const YAML::Node& node, std::string& json, std::string& hint,
                        std::string& error) {
  if (node.IsScalar()) {
    json = node.Scalar();
    return true;
  }
  if (!node.IsMap()) {
    error = "a test event must be a map (or a JSON text)";
    return false;
  }
  util::JsonWriter j;
  j.open('{');
  for (const auto& kv : node) {
    if (kv.first.Scalar() == "_source") {
      hint = kv.second.IsScalar() ? kv.second.Scalar() : "";
      continue;
    }
    j.key(kv.first.Scalar());
    write(kv.second, j);
  }
  j.close('}');
  json = std::move(j.o);
  return true;
}

std::string classify_json(std::string_view json, const std::function<void(const EventView&)>& fn) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc))
    return std::string("invalid JSON: ") + simdjson::error_message(err);
  sources::detail::Unwrapper unwrapper;
  sources::detail::Position pos{"<test>", 1};
  uint64_t record = 0;
  std::string skipped;
  size_t n = unwrapper.unwrap(json, doc, pos, record, false, fn, [&](sources::Skip&& s) {
    if (skipped.empty()) skipped = s.reason + ": " + s.detail;
  });
  if (n == 0) return skipped.empty() ? "not recognised as an event of any source" : skipped;
  return {};
}

}  // namespace eksir::rules
