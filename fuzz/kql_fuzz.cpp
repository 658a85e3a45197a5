// KQL: a query as `eksir hunt` and rule conditions give it — parsed, printed, compiled (date
// math against a fixed `now`) and matched against one event of every source.
#include "fuzz_common.h"
#include "query/query.h"

using namespace eksir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = query::parse(fuzz::as_text(data, size));
  if (!parsed) return 0;
  query::to_string(parsed->root);
  query::fields(parsed->root);
  query::CompileOptions options;
  options.now = 1773479700000000000;  // 2026-03-14T09:15:00Z
  query::CompiledQuery compiled = query::compile(parsed->root, options);
  compiled.required_literals();
  fuzz::for_each_fixed_event([&](const EventView& ev) {
    if (compiled.may_match(ev.source)) compiled.matches(ev);
  });
  return 0;
}
