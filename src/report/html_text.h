// HTML escaping and the two inline SVG drawings of the HTML report. Internal to
// the stage.
#pragma once

#include <string>
#include <string_view>

#include "report/model.h"

namespace eksir::report {

// Escapes text for an HTML text node or a quoted attribute value (also inside
// inline SVG).
std::string html_escape(std::string_view s);

// Events per layer over time, incident / detection / response marked.
std::string timeline_svg(const Report& r);
// Principal → objects → pods → nodes, from the incident's entities and links.
std::string graph_svg(const Report& r);

}  // namespace eksir::report
