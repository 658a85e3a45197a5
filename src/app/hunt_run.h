// The hunt stage run for a command (`eksir hunt` over files, a store or a case's inputs, and
// `eksir case pin`): what it says before and after the scan, the rows and the exit code.
#pragma once

#include <functional>
#include <iosfwd>

#include "app/app.h"
#include "hunt/hunt.h"
#include "sources/sources.h"

namespace eksir::app {

// The query and the evidence paths checked (hunt::prepare), the rows written to out
// (hunt::Writer), the notes and the summary on err, each line after "eksir hunt: ".
// before_summary, when set, is given the scan's figures before the summary is said. Exit as
// grep's: 0 something matched, 1 nothing matched, 2 query error, unreadable evidence, a sort that
// failed, or a skip under strict.
int run_hunt(hunt::HuntOptions options, const HuntOutput& output, std::ostream& out,
             std::ostream& err,
             const std::function<void(const sources::ScanStats&)>& before_summary = {});

}  // namespace eksir::app
