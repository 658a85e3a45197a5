#include "util/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace eksir::util {

size_t terminal_width(int fd) {
  if (!::isatty(fd)) return 0;
  if (const char* env = std::getenv("COLUMNS")) {
    std::string_view s(env);
    size_t n = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && n > 0 && n <= 100000) return n;
  }
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace eksir::util
