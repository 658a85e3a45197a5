// YAML rule files: one file as `eksir detect --rules` and `eksir rules test` read it. The loader
// tells the formats apart by content (built-in rules, Sigma, Falco), so this one target serves
// the sigma_fuzz, falco_fuzz and rules_fuzz binaries, which differ in seed corpus and dictionary
// only. The rules loaded are then compiled into the engine, run over one event of every source,
// and their own tests run.
#include "fuzz_common.h"
#include "rules/rules.h"

using namespace eksir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rules::LoadResult loaded = rules::load_text(fuzz::as_text(data, size), "rules.yml");
  for (const auto& d : loaded.errors) d.text();
  for (const auto& d : loaded.warnings) d.text();
  fuzz::run_rules(loaded.rules, true);
  return 0;
}
