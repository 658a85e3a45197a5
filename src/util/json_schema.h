// JSON Schema validation (valijson): the one path by which eksir checks a document against a
// schema, for the response manifests (respond/schema_check.cpp, Kubernetes and Gatekeeper
// schemas) and the tests of the output formats (OCSF, STIX).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace eksir::util {

class JsonSchema {
 public:
  enum class Draft { V4, V7 };
  // The schema doc describes; error() says why it could not be read (its keywords are then not
  // checked: validate reports the error).
  static JsonSchema compile(const nlohmann::json& doc, Draft draft);
  // A schema file, read and compiled once per path and draft (a cache, safe across threads).
  static std::shared_ptr<const JsonSchema> load(const std::string& path, Draft draft);

  const std::string& error() const { return error_; }
  // Appends one line per violation ("what: /path: description"), or the schema's error; true when
  // there was none.
  bool validate(const nlohmann::json& target, const std::string& what,
                std::vector<std::string>& problems) const;

 private:
  struct Compiled;
  std::shared_ptr<Compiled> compiled_;
  std::string error_;
};

}  // namespace eksir::util
