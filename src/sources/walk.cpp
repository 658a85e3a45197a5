#include "sources/walk.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>

namespace eksir::sources::detail {
namespace fs = std::filesystem;

namespace {

// A folder eksir keeps a case in: it holds case.db, an SQLite database (or the empty file a case
// starts as). Its reports and incident.json are eksir's own output, not evidence.
bool is_case_folder(const std::string& dir) {
  std::string db = dir + "/case.db";
  struct stat st {};
  if (::stat(db.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (st.st_size == 0) return true;
  char head[16] = {};
  FILE* f = std::fopen(db.c_str(), "rb");
  if (!f) return true;  // named like a case database: passed over, not read
  size_t n = std::fread(head, 1, sizeof head, f);
  std::fclose(f);
  return n == sizeof head && std::memcmp(head, "SQLite format 3", 16) == 0;
}

struct Walker {
  std::vector<FileEntry>& files;
  std::vector<Skip>& problems;
  std::set<std::pair<dev_t, ino_t>> dirs_seen;

  void problem(const std::string& path, std::string reason, std::string detail) {
    problems.push_back(Skip{path, 0, 0, std::move(reason), std::move(detail)});
  }

  void visit(const std::string& path, bool given) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      int err = errno;
      if (err == ELOOP) {
        problem(path, "symlink loop", "too many levels of symbolic links");
      } else if (!given && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        problem(path, "broken symlink", std::strerror(err));
      } else {
        problem(path, "unreadable", std::strerror(err));
      }
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      if (is_case_folder(path)) {
        problem(path, "eksir case",
                "a case folder (case.db): eksir's own output, not evidence; not read");
        return;
      }
      if (!dirs_seen.insert({st.st_dev, st.st_ino}).second) {
        problem(path, "symlink loop",
                "folder already visited through another path; not entered again");
        return;
      }
      std::vector<std::string> entries;
      std::error_code ec;
      fs::directory_iterator it(path, ec);
      if (ec) {
        problem(path, "unreadable", ec.message());
        return;
      }
      for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
          problem(path, "unreadable", ec.message());
          break;
        }
        entries.push_back(it->path().string());
      }
      std::sort(entries.begin(), entries.end());
      for (const auto& e : entries) visit(e, false);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      problem(path, "not a regular file", "devices, sockets and pipes are not read");
      return;
    }
    files.push_back(FileEntry{path, static_cast<uint64_t>(st.st_size)});
  }
};

}  // namespace

std::vector<FileEntry> walk(const std::vector<std::string>& paths, std::vector<Skip>& problems) {
  std::vector<FileEntry> files;
  Walker w{files, problems, {}};
  for (const auto& p : paths) w.visit(p, true);
  return files;
}

}  // namespace eksir::sources::detail
