#include <fmt/format.h>

#include "sources/sources.h"

namespace eksir::sources {

std::string Skip::message() const {
  std::string where = file;
  if (line > 0) where += fmt::format(":{}", line);
  if (record > 0) where += fmt::format(" (record {})", record);
  if (detail.empty()) return fmt::format("{}: {}", where, reason);
  return fmt::format("{}: {}: {}", where, reason, detail);
}

}  // namespace eksir::sources
