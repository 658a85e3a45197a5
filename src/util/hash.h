// FNV-1a, 64-bit: the one non-cryptographic hash eksir writes itself. Stable across runs and
// builds (std::hash is not promised to be), so it names things in outputs (stable ids), and
// independent of std::hash's, so the two together tell values apart where one alone could
// collide.
#pragma once

#include <cstdint>
#include <string_view>

namespace eksir::util {

inline constexpr uint64_t kFnvOffset = 1469598103934665603ULL;

constexpr uint64_t fnv1a(std::string_view s, uint64_t h = kFnvOffset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace eksir::util
