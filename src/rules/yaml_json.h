// Private to rules/: a test event written in YAML, as JSON text.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace eksir::rules {

// Writes a YAML map as a JSON object (plain scalars typed by the YAML 1.2 core schema, quoted
// scalars as strings). A top-level `_source` key is removed and returned in `hint`. A scalar is
// taken as JSON text as is. Returns false with `error` set when the node is not an event.
bool yaml_to_event_json(const YAML::Node& node, std::string& json, std::string& hint,
                        std::string& error);

}  // namespace eksir::rules
