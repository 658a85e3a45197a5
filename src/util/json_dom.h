// JSON text to an nlohmann::json document, parsed by simdjson: the readers of incident.json
// (report, respond) walk nlohmann documents, and nlohmann's own parser is several times slower
// on a document of megabytes.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace eksir::util {

// The document, or a discarded value (is_discarded()) when text is not JSON. Text simdjson
// refuses but nlohmann reads (an integer beyond 64 bits) is read by nlohmann, as before.
nlohmann::json parse_json(std::string_view text);

}  // namespace eksir::util
