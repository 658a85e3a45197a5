// Where eksir's ECS names meet Elastic's beyond the field table's rows: the GuardDuty names
// Elastic renames, and the values that differ from Elastic's on purpose (both in docs/fields.md).
#pragma once

#include <string>
#include <vector>

#include "event/event.h"

namespace eksir {

// A name under a prefix row (aws.guardduty.*) that Elastic renames or restructures, so the prefix
// row's rule (snake_case to camelCase) does not reach it: `ecs` and every name below it resolve
// through `native` instead (aws.guardduty.service.action.type -> service.action.actionType). A
// computed or constant `native` (table notation) stands for `ecs` alone.
struct FieldRename {
  std::string ecs;
  std::string native;
};
const std::vector<FieldRename>& field_renames();

// A name whose value on one source differs from Elastic's on purpose.
struct FieldDifference {
  std::string ecs;
  Source source{};
  std::string eksir;    // what eksir gives
  std::string elastic;  // what Elastic's integration gives, and how a rule reads it in eksir
};
const std::vector<FieldDifference>& field_differences();

}  // namespace eksir
