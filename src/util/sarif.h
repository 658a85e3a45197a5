// The SARIF 2.1.0 vocabulary eksir's two SARIF outputs (detect's findings, posture's results)
// share, so that one severity reads the same in both: the level and GitHub's security-severity
// score of a severity name, and a file path as an artifact URI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eksir::util::sarif {

// "critical" 9.5, "high" 8.0, "medium" 5.5, "low" 3.0, anything else 0.0: each inside the band
// GitHub code scanning reads as that severity (9.0+, 7.0-8.9, 4.0-6.9, 0.1-3.9).
double security_severity(std::string_view severity);
// critical and high: "error"; medium: "warning"; low and info: "note".
std::string_view level(std::string_view severity);
// A path as an artifact location URI: absolute paths as file://, with space, %, #, ? and control
// bytes percent-encoded.
std::string uri(std::string_view path);

// One SARIF log of one eksir run: the rules the results cite, then the results, in the order
// given. The level and security-severity of each come from its severity name, the rule index
// from its rule id. Members particular to one output are JSON members (`"a":1,"b":2`, without
// braces) its writer makes with util::JsonWriter; "" leaves them out.
struct Rule {
  std::string id;
  std::string name;  // "" = no name member
  std::string short_text, full_text;
  std::string severity;           // "critical" ... "info": the default level and security-severity
  std::string properties_before;  // properties members before "security-severity"
  std::string properties_after;   // and after it
};
struct Result {
  std::string rule_id;
  std::string severity;
  std::string message;
  std::string locations;     // the elements of "locations"
  std::string fingerprints;  // members of "partialFingerprints"; "" = none
  std::string properties;    // members of "properties"
};
// The SARIF 2.1.0 log, one line.
std::string log(const std::vector<Rule>& rules, const std::vector<Result>& results);

}  // namespace eksir::util::sarif
