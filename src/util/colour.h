// The one colour policy of every command. The CLI decides once, from --color and the stream it
// writes to (util::use_colour), and passes the answer down in each stage's options; no stage asks
// isatty() or the environment itself. Colour is only ever SGR sequences (ESC [ ... m) that eksir
// writes around text already made visible: evidence cannot carry one (util::visible escapes ESC),
// and the table and line fitting (util::fit_line, util::TableWriter) measure text without them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eksir::util {

// --color=auto|always|never: auto colours a terminal unless NO_COLOR is set; always and never
// override both.
enum class ColourMode { Auto, Always, Never };
// "auto", "always", "never" (also "yes"/"force" and "no"/"none", as other tools take them).
std::optional<ColourMode> parse_colour_mode(std::string_view name);

// Whether output written to fd is coloured: always / never as told; auto when fd is a terminal
// and NO_COLOR is not set to a non-empty value (no-color.org: whatever its value).
bool use_colour(ColourMode mode, int fd);
// The same decision with the facts given (for the tests): is_terminal, NO_COLOR's value or null.
bool use_colour(ColourMode mode, bool is_terminal, const char* no_color);

// SGR codes of the palette, the same in every command.
namespace sgr {
inline constexpr std::string_view kBold = "1";
inline constexpr std::string_view kDim = "2";
inline constexpr std::string_view kCritical = "1;31";  // red, bold
inline constexpr std::string_view kHigh = "31";        // red
inline constexpr std::string_view kMedium = "33";      // yellow
inline constexpr std::string_view kLow = "";           // the terminal's own colour
inline constexpr std::string_view kInfo = "2";         // dim
}  // namespace sgr

// The colour of a severity word, as eksir writes severities ("critical", "High", "medium
// (exempt)", "info (sample)": the first word decides, any case) and Falco's priorities as detect
// ranks them (Error as high, Warning as medium...); "" for anything else.
std::string_view severity_sgr(std::string_view severity);

// text between ESC [ code m and ESC [ 0 m; text unchanged when code is empty. text must already be
// visible (util::visible): nothing here escapes it.
std::string paint(std::string_view code, std::string_view text);

// A painter that colours only when told to: what a stage holds from its options.
struct Paint {
  bool on = false;
  std::string operator()(std::string_view code, std::string_view text) const {
    return on ? paint(code, text) : std::string(text);
  }
};

}  // namespace eksir::util
