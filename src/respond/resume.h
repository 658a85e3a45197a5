// Going on after a failed or declined step: the steps the operator names (by id or number), how
// each stands in the journal, and the command lines that carry the run on.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "respond/respond.h"
#include "store/store.h"

namespace eksir::respond {

// How a step of the plan stands before this run, from the journal of its phase.
struct StepState {
  const store::JournalEntry* done = nullptr;  // its latest successful run
  const store::JournalEntry* last = nullptr;  // its latest run or skip
  bool failed() const { return !done && last && last->kind == "step"; }
  bool skipped() const { return !done && last && last->kind == "skipped"; }
};
StepState step_state(const std::vector<store::JournalEntry>& journal, std::string_view phase,
                     std::string_view step_id);

// "" when ref cannot be a step number below 1 ("0", "-1"): checked before the plan is made.
std::string check_step_number(std::string_view ref, std::string_view option);
// The step ref names: its id, or its 1-based number. nullopt and error when none.
std::optional<size_t> find_step(const Plan& plan, std::string_view ref, std::string_view option,
                                std::string& error);
// --skip values as step refs: "1,3" is two numbers; anything else is one id or number (ids may
// hold commas: IAM names do).
std::vector<std::string> split_step_refs(const std::vector<std::string>& values);

}  // namespace eksir::respond
