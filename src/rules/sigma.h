// Private to rules/: Sigma rules (https://github.com/SigmaHQ/sigma-specification) translated to
// the one internal rule form.
//
// A YAML document is a Sigma rule when it is a map with `logsource` and `detection`.
// Supported: logsource product kubernetes (service audit) → k8s_audit, product aws (service
// cloudtrail) → cloudtrail; selections as maps (AND) and lists of maps (OR); value lists (OR,
// AND with |all); keyword lists (free text); modifiers contains, startswith, endswith, all,
// re (with |i), cidr, exists, fieldref, cased; `null` (absent or null); `*` and `?` wildcards
// (`\*`, `\?` escapes; a lone `*` means the field exists); string matches ignore ASCII case
// unless |cased (|re is case-sensitive unless |i); wildcard values also search an object's
// JSON text; conditions with and/or/not/parentheses, `1 of x*`, `all of x*`, `1 of them`,
// `all of them`; the legacy `| count([field]) [by f] > N` (or >=) with `timeframe` (a count
// or distinct_count correlation). The kubernetes fields apiGroup, hostPath and capabilities
// (Aurora names) map to native audit paths. A rule using anything else (|expand, |base64,
// |windash, |re|m/s, near, timeframe without an aggregation, other logsources...) is skipped
// with a warning naming the file, the rule and the feature; unknown fields are warnings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "rules/rules.h"

namespace eksir::rules {

bool is_sigma(const YAML::Node& doc);
// Appends the rule to out.rules, or a warning saying why it was skipped.
void load_sigma(const YAML::Node& doc, std::string_view file, LoadResult& out);

}  // namespace eksir::rules
