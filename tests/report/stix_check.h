// What the tests check of a STIX 2.1 bundle beyond the JSON Schema (tests/data/stix/): ids once
// each and named by their type, every reference resolvable, and the patterns eksir writes parsed.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_paths.h"
#include "util/json_schema.h"

namespace eksir::test {

// The forms eksir writes: [OBJECT:PATH = 'VALUE'], VALUE with ' and \ escaped by \. Gives the
// object path and the value unescaped; false for anything else.
inline bool parse_stix_pattern(const std::string& pattern, std::string& object,
                               std::string& value) {
  static const std::set<std::string> kPaths = {"ipv4-addr:value",   "ipv6-addr:value",
                                               "domain-name:value", "user-account:user_id",
                                               "software:name",     "file:hashes.'SHA-256'"};
  const std::string open = " = '";
  if (pattern.size() < 4 || pattern.front() != '[' || !pattern.ends_with("']")) return false;
  size_t eq = pattern.find(open);
  if (eq == std::string::npos) return false;
  object = pattern.substr(1, eq - 1);
  if (!kPaths.contains(object)) return false;
  value.clear();
  const size_t end = pattern.size() - 2;  // the closing quote
  for (size_t i = eq + open.size(); i < end; ++i) {
    char c = pattern[i];
    if (c == '\'') return false;  // an unescaped quote ends the literal early
    if (c == '\\') {
      if (i + 1 >= end || (pattern[i + 1] != '\'' && pattern[i + 1] != '\\')) return false;
      c = pattern[++i];
    }
    value += c;
  }
  return true;
}

// The bundle's problems: the schema's, ids repeated or not of their object's type, references to
// objects not in the bundle, patterns not of eksir's forms.
inline std::vector<std::string> stix_problems(const nlohmann::json& bundle) {
  std::vector<std::string> problems;
  auto schema = util::JsonSchema::load(
      source_dir() + "/tests/data/stix/stix-2.1-bundle.schema.json", util::JsonSchema::Draft::V7);
  schema->validate(bundle, "bundle", problems);
  if (!bundle.contains("objects") || !bundle["objects"].is_array()) return problems;
  std::set<std::string> ids;
  for (const auto& o : bundle["objects"]) {
    std::string id = o.value("id", ""), type = o.value("type", "");
    if (!ids.insert(id).second) problems.push_back(id + ": twice");
    if (!id.starts_with(type + "--")) problems.push_back(id + ": not a " + type + " id");
    if (o.contains("pattern")) {
      std::string object, value;
      if (!parse_stix_pattern(o["pattern"].get<std::string>(), object, value))
        problems.push_back(id + ": pattern " + o["pattern"].dump());
    }
  }
  for (const auto& o : bundle["objects"]) {
    std::vector<std::string> refs;
    if (o.contains("created_by_ref")) refs.push_back(o["created_by_ref"]);
    if (o.contains("object_refs"))
      for (const auto& r : o["object_refs"]) refs.push_back(r);
    for (const auto& r : refs)
      if (!ids.contains(r))
        problems.push_back(o.value("id", "") + ": " + r + " is not in the bundle");
  }
  return problems;
}

}  // namespace eksir::test
