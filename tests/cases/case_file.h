// Test cases as data: the case files under tests/cases/<stage>/ (tests/cases/README.md), read
// into one list of cases the runner checks one by one.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <vector>

namespace eksir::test {

struct Case {
  std::string file;    // relative to tests/cases, e.g. "query/kql_eval.yaml"
  size_t line = 0;     // of the case in its file, from 1
  std::string id;      // unique and a valid GoogleTest name: <stage>_<file>_<index>[_<name>]
  std::string kind;    // what is checked (the runner's table of kinds)
  YAML::Node fields;   // the case's fields over the file's defaults
  std::string broken;  // why the file could not be read; the case then fails with it

  // A field as text ("" when absent), a number, a list of strings, whether it is there.
  std::string text(const std::string& key) const;
  size_t number(const std::string& key) const;
  std::vector<std::string> strings(const std::string& key) const;
  bool has(const std::string& key) const;
  // "query/kql_eval.yaml:42 (the case's name, else its query, pattern, condition or stats)": how
  // a failure names the case.
  std::string where() const;
};

// Every case of every *.yaml under dir, by file name and then order in the file; with an id, only
// the cases of the file that would hold it (the others are not read).
std::vector<Case> load_cases(const std::string& dir, const std::string& id = "");

// The template with each ${name} replaced by the case's field `name` ("" when absent); a value
// of several lines takes the indentation of its placeholder on each of its lines.
std::string fill(const std::string& templ, const Case& c);
// The same with each ${name} replaced by value(name).
std::string fill(const std::string& templ,
                 const std::function<std::string(const std::string&)>& value);

// gtest prints a parameter with this: the case's file and line.
void PrintTo(const Case& c, std::ostream* os);

}  // namespace eksir::test
