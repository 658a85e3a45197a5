// The SARIF 2.1.0 vocabulary eksir's two SARIF outputs (detect's findings, posture's results)
// share, so that one severity reads the same in both: the level and GitHub's security-severity
// score of a severity name, and a file path as an artifact URI.
#pragma once

#include <string>
#include <string_view>

namespace eksir::util::sarif {

// "critical" 9.5, "high" 8.0, "medium" 5.5, "low" 3.0, anything else 0.0: each inside the band
// GitHub code scanning reads as that severity (9.0+, 7.0-8.9, 4.0-6.9, 0.1-3.9).
double security_severity(std::string_view severity);
// critical and high: "error"; medium: "warning"; low and info: "note".
std::string_view level(std::string_view severity);
// A path as an artifact location URI: absolute paths as file://, with space, %, #, ? and control
// bytes percent-encoded.
std::string uri(std::string_view path);

}  // namespace eksir::util::sarif
