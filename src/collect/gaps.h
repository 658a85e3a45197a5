// What a failed vulnerability query leaves out of the bundle, said so that a responder knows
// whether the service is off, the image is gone or the caller lacks a permission.
#pragma once

#include <string>
#include <string_view>

namespace eksir::collect {

// The meaning of error_line (the aws CLI's "An error occurred (Code) when calling ...") for
// `aws inspector2 list-findings` or `aws ecr describe-image-scan-findings` (operation is the
// aws operation word); "" when the code says nothing more than the line itself.
std::string vulnerability_gap(std::string_view operation, std::string_view error_line);

// True when the error is the service's answer about the image — it has no scan of it, or the
// image is gone — rather than a failure to ask: a gap of the evidence, not of the collection.
bool is_answer(std::string_view operation, std::string_view error_line);

}  // namespace eksir::collect
