#include "util/severity.h"

#include <array>
#include <string>

namespace eksir::util {
namespace {

constexpr std::array<std::string_view, 5> kNames = {"info", "low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 5> kTitles = {"Info", "Low", "Medium", "High", "Critical"};

size_t index(Severity s) {
  auto i = static_cast<size_t>(s);
  return i < kNames.size() ? i : 0;
}

}  // namespace

std::string_view severity_name(Severity s) {
  return kNames[index(s)];
}

std::string_view severity_title(Severity s) {
  return kTitles[index(s)];
}

std::optional<Severity> parse_severity(std::string_view name) {
  std::string n(name);
  for (char& c : n)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (n == "informational") return Severity::Info;
  for (size_t i = 0; i < kNames.size(); ++i)
    if (n == kNames[i]) return static_cast<Severity>(i);
  return std::nullopt;
}

}  // namespace eksir::util
