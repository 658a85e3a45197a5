// Shared by the fuzz targets: a few fixed events, one of each source, and the product's way of
// running loaded rules over events. The events are written here, not taken from any sample.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/detect.h"
#include "event/event.h"
#include "rules/rules.h"

namespace eksir::fuzz {

// One event of every source (CloudTrail, Kubernetes audit, GuardDuty, Falco, OCSF), as JSON.
const std::vector<std::string>& fixed_events();

// Each fixed event through the evidence unwrapper, as rule tests read events.
void for_each_fixed_event(const std::function<void(const EventView&)>& fn);

// What detect does with loaded rules: an Engine over them, every fixed event fed to it, then
// correlation and de-duplication. With `tests`, each rule's own tests run too (`rules test`).
void run_rules(const std::vector<rules::Rule>& loaded, bool tests);

// The bytes libFuzzer gives, as text.
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace eksir::fuzz
