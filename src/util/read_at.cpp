#include "util/read_at.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eksir::util {

std::string read_at(int fd, uint64_t offset, char* dst, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd, dst + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::strerror(errno);
    if (got == 0) return "the file ends before the range";
    done += static_cast<size_t>(got);
  }
  return {};
}

}  // namespace eksir::util
