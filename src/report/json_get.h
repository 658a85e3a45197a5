// Tolerant reads from the incident document: a missing key or a value of the
// wrong type reads as empty, never throws.
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "event/event.h"
#include "report/model.h"

namespace eksir::report::jget {

using nlohmann::json;

inline const json& at(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

inline const json& array(const json& j, const char* key) {
  static const json kEmpty = json::array();
  const json& v = at(j, key);
  return v.is_array() ? v : kEmpty;
}

inline std::string text(const json& v) {
  if (v.is_string()) return valid_utf8(v.get_ref<const std::string&>());
  if (v.is_number() || v.is_boolean()) return v.dump();
  return "";
}

inline std::string str(const json& j, const char* key) {
  return text(at(j, key));
}

inline int64_t num(const json& j, const char* key, int64_t missing = -1) {
  const json& v = at(j, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d > 9e18 || d < -9e18) return missing;
    return static_cast<int64_t>(d);
  }
  return missing;
}

inline TimeNs time(const json& j, const char* key) {
  std::string s = str(j, key);
  return s.empty() ? kNoTime : parse_time(s);
}

inline EvidenceRef evidence(const json& e) {
  EvidenceRef r;
  r.source = str(e, "source");
  r.file = str(e, "file");
  int64_t line = num(e, "line", 0);
  r.line = line > 0 ? static_cast<uint64_t>(line) : 0;
  r.event_id = str(e, "event_id");
  r.finding = str(e, "finding");
  r.rule = str(e, "rule");
  r.time = time(e, "time");
  return r;
}

}  // namespace eksir::report::jget
