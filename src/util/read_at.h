// Reading a known range of an open file, whole: the one pread loop (EINTR retried, short reads
// continued).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace eksir::util {

// "" when the n bytes of fd at offset are now in dst; else the system's reason, or "the file ends
// before the range" when it is shorter.
[[nodiscard]] std::string read_at(int fd, uint64_t offset, char* dst, size_t n);

}  // namespace eksir::util
