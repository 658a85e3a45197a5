// The one severity scale: of a rule's finding, of a posture check's, and of the incident (the
// playbook's four levels, Low to Critical; an incident is never Info).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace eksir::util {

enum class Severity : uint8_t { Info, Low, Medium, High, Critical };

std::string_view severity_name(Severity s);   // "info" .. "critical"
std::string_view severity_title(Severity s);  // "Info" .. "Critical", as the playbook writes it
// Any letter case; "informational" is info. nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view name);

}  // namespace eksir::util
