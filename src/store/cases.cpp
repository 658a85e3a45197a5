// Finding cases: the case root, a case named on the command line, and who is running eksir.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "store/store.h"

namespace eksir::store {

std::string default_case_root() {
  if (const char* env = std::getenv("EKSIR_CASES"); env && *env) return env;
  return "eksir-cases";
}

std::string resolve_case(std::string_view arg) {
  namespace fs = std::filesystem;
  std::string a(arg);
  std::error_code ec;
  if (a.empty() || fs::is_directory(a, ec)) return a;
  // A bare id (no path separator) that is not a directory here names a case under the root.
  if (a.find('/') == std::string::npos) return (fs::path(default_case_root()) / a).string();
  return a;
}

std::string operator_name() {
  if (const char* env = std::getenv("EKSIR_OPERATOR"); env && *env) return env;
  char buf[256];
  if (getlogin_r(buf, sizeof buf) == 0 && buf[0]) return buf;
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name) return pw->pw_name;
  if (const char* env = std::getenv("USER"); env && *env) return env;
  return "uid:" + std::to_string(geteuid());
}

std::string check_case_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (ec == std::errc::no_such_file_or_directory || st.type() == fs::file_type::not_found)
    return {};
  if (ec) return dir + ": " + ec.message();
  if (st.type() != fs::file_type::directory) return dir + ": exists and is not a folder";
  if (fs::exists(fs::path(dir) / "case.db", ec)) return {};
  if (fs::is_empty(dir, ec) && !ec) return {};
  if (ec) return dir + ": " + ec.message();
  return dir +
         ": exists, holds other files and is not an eksir case (no case.db); give a new or empty "
         "folder, or an existing case";
}

std::vector<CaseInfo> list_cases(const std::string& root) {
  namespace fs = std::filesystem;
  std::vector<CaseInfo> out;
  std::error_code ec;
  fs::directory_iterator it(root, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (!it->is_directory(e2) || !fs::exists(it->path() / "case.db", e2)) continue;
    std::string dir = it->path().string();
    Status st;
    bool needs_migration = false;
    // Listing only reads: no case is migrated or otherwise written by it.
    auto c = Case::open_readonly(dir, st, &needs_migration);
    if (c) {
      CaseInfo info = c->info();
      st = c->read_status();
      if (st) {
        out.push_back(std::move(info));
        continue;
      }
    }
    CaseInfo bad;
    bad.dir = dir;
    bad.id = it->path().filename().string();
    bad.status = needs_migration ? "needs migration" : "error";
    bad.error = st.error;
    out.push_back(std::move(bad));
  }
  std::stable_sort(out.begin(), out.end(), [](const CaseInfo& a, const CaseInfo& b) {
    if (a.updated != b.updated) return a.updated > b.updated;
    return a.id < b.id;
  });
  return out;
}

}  // namespace eksir::store
