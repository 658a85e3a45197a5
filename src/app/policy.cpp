#include "app/policy.h"

#include <filesystem>
#include <ostream>

#include "util/visible.h"

namespace eksir::app {

std::optional<PolicyFile> read_policy(const std::string& config, std::string_view command,
                                      std::ostream& err) {
  cluster::PolicyResult pr = cluster::load_policy(config);
  if (!pr.ok()) {
    for (const auto& e : pr.errors) err << "eksir " << command << ": " << util::visible(e) << "\n";
    return std::nullopt;
  }
  PolicyFile file;
  file.policy = std::move(pr.policy);
  std::error_code ec;
  file.path = std::filesystem::absolute(config, ec).lexically_normal().string();
  if (ec) file.path = config;
  file.sha256 = std::move(pr.sha256);
  return file;
}

}  // namespace eksir::app
