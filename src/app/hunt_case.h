// The hunt over a case's inputs, which `eksir hunt --case` and `eksir case pin` share.
#pragma once

#include <iosfwd>
#include <string>

#include "app/app.h"
#include "hunt/hunt.h"

namespace eksir::app {

// The query over the inputs of the case's latest investigation run (relative paths from where it
// ran). An input gone or changed since (its SHA-256 differs) is named on `err`; with
// options.strict it fails the run (exit 2). options.evidence must be empty. With pin.pin, every
// match is also added to the case's timeline. Exit codes as hunt's; pinning: 1 when nothing
// matched, 2 when more than pin.max did (nothing is pinned then).
int hunt_case(const std::string& case_arg, hunt::HuntOptions options, const HuntOutput& output,
              const PinOptions& pin, std::ostream& out, std::ostream& err);

}  // namespace eksir::app
