#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "rules/rules.h"

namespace eksir::rules {

void add_attack(std::vector<std::string>& attack, std::string id) {
  if (std::find(attack.begin(), attack.end(), id) == attack.end()) attack.push_back(std::move(id));
}

const std::vector<std::string>& criterion_ids() {
  static const std::vector<std::string> ids = {
      "critical.cluster_admin",     "critical.data_exfiltration",
      "critical.multiple_nodes",    "critical.active_exploitation",
      "critical.production_impact", "high.privileged_pods",
      "high.lateral_movement",      "high.unauthorised_deployment_change",
      "high.unusual_network",       "high.sensitive_config_exposure",
      "medium.unusual_api_calls",   "medium.policy_violation",
      "medium.non_production",      "medium.vulnerable_component",
      "low.minor_policy_violation", "low.expected_unusual",
      "low.likely_false_positive"};
  return ids;
}

bool is_criterion(std::string_view id) {
  const auto& ids = criterion_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string_view correlation_name(CorrelationType t) {
  switch (t) {
    case CorrelationType::None:
      return "none";
    case CorrelationType::Count:
      return "count";
    case CorrelationType::DistinctCount:
      return "distinct_count";
    case CorrelationType::Sequence:
      return "sequence";
    case CorrelationType::FirstSeen:
      return "first_seen";
  }
  return "none";
}

std::string Diagnostic::text() const {
  std::string out = file;
  if (line) out += fmt::format(":{}", line);
  out += ": ";
  if (!rule_id.empty()) out += "[" + rule_id + "] ";
  out += message;
  return out;
}

void LoadResult::merge(LoadResult&& o) {
  for (auto& r : o.rules) rules.push_back(std::move(r));
  for (auto& e : o.errors) errors.push_back(std::move(e));
  for (auto& w : o.warnings) warnings.push_back(std::move(w));
  for (auto& n : o.not_loaded) not_loaded.push_back(std::move(n));
  for (auto& s : o.skipped_files) skipped_files.push_back(std::move(s));
  files += o.files;
}

namespace {
// p is under dir (both absolute, symlinks resolved where they exist).
bool is_under(const std::filesystem::path& p, const std::filesystem::path& dir) {
  auto rel = p.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}
}  // namespace

std::string builtin_rules_dir_for(const std::string& exe_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::weakly_canonical(exe_path, ec);
  if (ec) exe = fs::path(exe_path).lexically_normal();
  const fs::path dir = exe.parent_path();
  // Installed: <prefix>/bin/eksir and <prefix>/share/eksir/rules/builtin (the relative path is
  // the one `cmake --install` lays out, from the install directories the build was configured
  // with).
#ifdef EKSIR_INSTALL_RULES_DIR
  const fs::path installed = (dir / EKSIR_INSTALL_RULES_DIR).lexically_normal();
#else
  const fs::path installed =
      (dir / ".." / "share" / "eksir" / "rules" / "builtin").lexically_normal();
#endif
  if (fs::is_directory(installed, ec)) return installed.string();
  // An unpacked tree (<dir>/eksir beside <dir>/rules/builtin or <dir>/../rules/builtin): build/
  // inside the checkout is one.
  for (const fs::path& candidate : {dir / ".." / "rules" / "builtin", dir / "rules" / "builtin"})
    if (fs::is_directory(candidate, ec)) return candidate.lexically_normal().string();
#if defined(EKSIR_SOURCE_RULES_DIR) && defined(EKSIR_BUILD_TREE)
  // The checkout's pack only for a program run from the build tree it was built in (eksir, the
  // tests, the fuzz targets): an installed or copied binary never reads a source tree, it names
  // where its own pack should have been.
  if (is_under(exe, fs::weakly_canonical(EKSIR_BUILD_TREE, ec))) return EKSIR_SOURCE_RULES_DIR;
#endif
  return installed.string();
}

std::string builtin_rules_dir() {
  if (const char* env = std::getenv("EKSIR_RULES_DIR"); env && *env) return env;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "rules/builtin";
  return builtin_rules_dir_for(exe.string());
}

}  // namespace eksir::rules
