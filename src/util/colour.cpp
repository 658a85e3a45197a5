#include "util/colour.h"

#include <unistd.h>

#include <cstdlib>

#include "util/text.h"

namespace eksir::util {

std::optional<ColourMode> parse_colour_mode(std::string_view name) {
  std::string n = ascii_lower(name);
  if (n == "auto" || n == "tty" || n == "if-tty") return ColourMode::Auto;
  if (n == "always" || n == "yes" || n == "force") return ColourMode::Always;
  if (n == "never" || n == "no" || n == "none") return ColourMode::Never;
  return std::nullopt;
}

bool use_colour(ColourMode mode, bool is_terminal, const char* no_color) {
  switch (mode) {
    case ColourMode::Always:
      return true;
    case ColourMode::Never:
      return false;
    case ColourMode::Auto:
      break;
  }
  return is_terminal && !(no_color && *no_color);
}

bool use_colour(ColourMode mode, int fd) {
  return use_colour(mode, ::isatty(fd) == 1, std::getenv("NO_COLOR"));
}

std::string_view severity_sgr(std::string_view severity) {
  std::string_view word = severity.substr(0, severity.find(' '));
  std::string w = ascii_lower(word);
  // Falco's priorities as detect reads them (Emergency/Alert/Critical critical, Error high,
  // Warning medium, Notice low, Informational/Debug info).
  if (w == "critical" || w == "emergency" || w == "alert") return sgr::kCritical;
  if (w == "high" || w == "error") return sgr::kHigh;
  if (w == "medium" || w == "warning") return sgr::kMedium;
  if (w == "low" || w == "notice") return sgr::kLow;
  if (w == "info" || w == "informational" || w == "debug") return sgr::kInfo;
  return {};
}

std::string paint(std::string_view code, std::string_view text) {
  if (code.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size() + code.size() + 7);
  out += "\x1b[";
  out += code;
  out += 'm';
  out += text;
  out += "\x1b[0m";
  return out;
}

}  // namespace eksir::util
