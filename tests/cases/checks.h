// What the runner does with each kind of case: a check per kind, its assertions in GoogleTest's.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "case_file.h"
#include "rules/rules.h"

namespace eksir::test {

class SampleEvents;

using Checks = std::map<std::string, std::function<void(const Case&)>>;

void add_query_checks(Checks& checks);        // kql-*: query_checks.cpp
void add_rule_checks(Checks& checks);         // rule: rule_checks.cpp
void add_eql_checks(Checks& checks);          // eql-*: eql_checks.cpp
void add_esql_checks(Checks& checks);         // esql-*: esql_checks.cpp
void add_regex_checks(Checks& checks);        // regex-*: regex_checks.cpp
void add_correlation_checks(Checks& checks);  // correlation: correlation_checks.cpp

// The case's rule: `rule`, or the file's `template` filled, or `rule_file` (under ../shared); an
// Elastic TOML rule when `format` is elastic (rule_checks.cpp).
rules::LoadResult load_rule(const Case& c);
// Why a load is not the one rule a case needs: its first error, rule not loaded or warning.
std::string why_not_one_rule(const rules::LoadResult& res);

// The case's `correlation` (type, group_by, field, threshold, window, history, until, steps_by:
// those it gives) against a rule's (correlation_expect.cpp).
void expect_correlation(const Case& c, const rules::Correlation& got);

// The case's events (a sample file, or JSON text in `events`) read as its `source`, once for
// every case that names the same ones (query_checks.cpp).
const SampleEvents& sample_events(const Case& c);

}  // namespace eksir::test
