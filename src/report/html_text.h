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
// Escapes text for an HTML text node (not inside SVG or <title>), with hints for where it may
// break: <wbr> after each separator (/ : . - _ = @ …) of a word of 16 characters or more and
// every 20 characters of a run of more than 40 letters and digits; dates and times in <time>,
// which the page never breaks.
std::string html_text(std::string_view s);

// Events per layer over time, incident / detection / response marked.
std::string timeline_svg(const Report& r);
// Principal → objects → pods → nodes, from the incident's entities and links.
std::string graph_svg(const Report& r);

}  // namespace eksir::report
