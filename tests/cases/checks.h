// What the runner does with each kind of case: a check per kind, its assertions in GoogleTest's.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "case_file.h"

namespace eksir::test {

using Checks = std::map<std::string, std::function<void(const Case&)>>;

void add_query_checks(Checks& checks);  // kql-*: query_checks.cpp
void add_rule_checks(Checks& checks);   // rule: rule_checks.cpp
void add_eql_checks(Checks& checks);    // eql-*: eql_checks.cpp
void add_esql_checks(Checks& checks);   // esql-*: esql_checks.cpp

}  // namespace eksir::test
