#include "util/json_writer.h"

#include <fmt/format.h>

namespace eksir::util {

void JsonWriter::num(double v, int decimals) {
  fmt::format_to(std::back_inserter(o), "{:.{}f}", v, decimals);
}

}  // namespace eksir::util
