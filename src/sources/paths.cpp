// The evidence paths a command was given: which files they hold, and which cannot be read at all.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

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

int check_paths(std::ostream& err, std::string_view command, const std::vector<std::string>& paths,
                bool keep_going) {
  auto bad = unreadable_paths(paths);
  for (const auto& b : bad) err << fmt::format("eksir {}: {}\n", command, b);
  if (bad.empty()) return 0;
  if (keep_going) {
    err << fmt::format(
        "eksir {}: --keep-going: reading the other paths; the {} above {} missing "
        "from the result\n",
        command, bad.size() == 1 ? "path" : "paths", bad.size() == 1 ? "is" : "are");
    return 0;
  }
  err << fmt::format(
      "eksir {}: {} evidence path{} cannot be read; fix the path{} or pass --keep-going to read "
      "the rest and state {} as missing\n",
      command, bad.size(), bad.size() == 1 ? "" : "s", bad.size() == 1 ? "" : "s",
      bad.size() == 1 ? "it" : "them");
  return 2;
}

}  // namespace eksir::sources
