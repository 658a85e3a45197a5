// The evidence paths a command was given: which files they hold, and which cannot be read at all.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sources/sources.h"
#include "sources/walk.h"

namespace eksir::sources {

std::vector<std::string> list_files(const std::vector<std::string>& paths) {
  std::vector<Skip> problems;
  std::vector<std::string> out;
  for (auto& f : detail::walk(paths, problems)) out.push_back(std::move(f.path));
  return out;
}

std::vector<std::string> unreadable_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    struct stat st {};
    int err = 0;
    if (::stat(p.c_str(), &st) != 0) {
      err = errno;
    } else if (S_ISDIR(st.st_mode)) {
      if (DIR* d = ::opendir(p.c_str()))
        ::closedir(d);
      else
        err = errno;
    } else {
      int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0)
        ::close(fd);
      else
        err = errno;
    }
    if (err) out.push_back(fmt::format("{}: {}", p, std::strerror(err)));
  }
  return out;
}

PathCheck check_paths(const std::vector<std::string>& paths, bool keep_going) {
  PathCheck c;
  c.lines = unreadable_paths(paths);
  const size_t bad = c.lines.size();
  if (bad == 0) return c;
  if (keep_going) {
    c.lines.push_back(fmt::format(
        "--keep-going: reading the other paths; the {} above {} missing from the result",
        bad == 1 ? "path" : "paths", bad == 1 ? "is" : "are"));
    return c;
  }
  c.lines.push_back(fmt::format(
      "{} evidence path{} cannot be read; fix the path{} or pass --keep-going to read the rest "
      "and state {} as missing",
      bad, bad == 1 ? "" : "s", bad == 1 ? "" : "s", bad == 1 ? "it" : "them"));
  c.stop = true;
  return c;
}

}  // namespace eksir::sources
