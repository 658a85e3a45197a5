// Private to sources/: GuardDuty specifics of the unwrapper.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace eksir::sources::detail {

// Whether a (camelCase) finding is an AWS-generated sample: service.additionalInfo.sample is
// true, or additionalInfo.value (a JSON string, the only place the CLI output keeps it) says so.
bool guardduty_sample(simdjson::dom::element finding);

// Whether a Security Hub (ASFF) finding was produced by GuardDuty.
bool asff_from_guardduty(simdjson::dom::element asff);

// The product an ASFF finding comes from, for messages.
std::string_view asff_product(simdjson::dom::element asff);

// Writes to `out` a camelCase GuardDuty-shaped finding built from an ASFF GuardDuty finding, so
// that rules read type, severity, title, createdAt, service.* alike for both forms:
//   type       Types[0] with the "TTPs/<tactic>/" prefix dropped and the '-' that ASFF put in
//              place of the GuardDuty '/' restored ("Stealth:IAMUser/CloudTrailLoggingDisabled")
//   severity   Severity.Product (the GuardDuty number), else Severity.Normalized / 10
//   service    ProductFields "aws/guardduty/service/a/b" unflattened to service.a.b (string
//              values, as ASFF stores them), plus additionalInfo.sample from Sample
//   resource   {resourceType} from Resources[0].Type (AwsEksCluster -> EKSCluster, ...)
//   asff       the whole ASFF finding with its keys camelCased
// `raw` is the ASFF text; `scratch` is a reusable buffer.
void asff_to_guardduty(std::string_view raw, simdjson::dom::element asff, std::string& out,
                       std::string& scratch);

}  // namespace eksir::sources::detail
