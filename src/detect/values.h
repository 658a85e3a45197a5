// Private to detect/: reading a field of an event as text.
#pragma once

#include <string>
#include <string_view>

#include "event/event.h"
#include "event/fields.h"

namespace eksir::detect {

// The first non-empty value at a native path (arrays flattened), as text.
std::string path_text(simdjson::dom::element root, std::string_view path);
// The first non-empty of several native paths.
std::string first_path(simdjson::dom::element root, std::initializer_list<std::string_view> paths);

}  // namespace eksir::detect
