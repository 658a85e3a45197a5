#include "util/sarif.h"

#include <fmt/format.h>

namespace eksir::util::sarif {

double security_severity(std::string_view severity) {
  if (severity == "critical") return 9.5;
  if (severity == "high") return 8.0;
  if (severity == "medium") return 5.5;
  if (severity == "low") return 3.0;
  return 0.0;
}

std::string_view level(std::string_view severity) {
  if (severity == "critical" || severity == "high") return "error";
  if (severity == "medium") return "warning";
  return "note";
}

std::string uri(std::string_view path) {
  std::string out = !path.empty() && path[0] == '/' ? "file://" : "";
  for (unsigned char c : path) {
    if (c == ' ' || c == '%' || c == '#' || c == '?' || c < 0x20)
      out += fmt::format("%{:02X}", c);
    else
      out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace eksir::util::sarif
