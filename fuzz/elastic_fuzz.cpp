// Elastic detection-rules: one TOML rule file as `eksir detect --rules` reads it, the rules
// loaded then compiled into the engine and run over one event of every source.
#include "fuzz_common.h"
#include "rules/elastic.h"

using namespace eksir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rules::ElasticLoad loaded = rules::load_elastic_text(fuzz::as_text(data, size), "rule.toml");
  loaded.skipped_by_type();
  for (const auto& d : loaded.result.errors) d.text();
  fuzz::run_rules(loaded.result.rules, false);
  return 0;
}
