// Private to rules/: Falco rules files (https://falco.org/docs/concepts/rules/) into the one
// internal rule form.
//
// A YAML document is a Falco rules file when it is a sequence whose items are maps keyed `rule`,
// `macro`, `list`, `required_engine_version` or `required_plugin_versions`. Several files make
// one rule set, read in order: a later list, macro or rule of the same name replaces the earlier
// one; `append: true` and `override: {key: append|replace}` extend or replace parts of it; a rule
// item holding only `enabled` switches the rule on or off. Conditions are compiled once every
// file is read, so macros and lists may be used before they are defined.
//
// Loaded: enabled rules of `source: k8s_audit` (falco_check.h says how conditions evaluate), with
// their exceptions (`fields`/`comps`/`values`, single-field and tuple forms), priority →
// severity, tags T1234 → ATT&CK, and the output rendered into the finding's description. Every
// other rule is reported, never dropped: disabled ones, rules of another source (syscall,
// aws_cloudtrail...), and rules using something eksir does not support (named with the feature).
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string_view>

#include "rules/rules.h"

namespace eksir::rules {

bool is_falco(const YAML::Node& doc);

// The Falco files of one load, accumulated in order, compiled by finish().
class FalcoSet {
 public:
  FalcoSet();
  ~FalcoSet();
  FalcoSet(const FalcoSet&) = delete;
  FalcoSet& operator=(const FalcoSet&) = delete;

  // Reads one document (is_falco() true); problems with items go to out.
  void add(const YAML::Node& doc, std::string_view file, LoadResult& out);
  bool empty() const;
  // Compiles the rules read so far into out (rules, not_loaded, warnings).
  void finish(LoadResult& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eksir::rules
