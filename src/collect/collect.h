// eksir collect: gathers a cluster's and an account's evidence with read-only kubectl and aws
// CLI commands into a folder the readers understand, with a manifest of SHA-256 hashes, exact
// commands, times, exit statuses and the operator (chain of custody).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace eksir::collect {

struct CollectOptions {
  std::string cluster, region, profile;
  std::string since = "24h", until;     // ISO 8601 times or durations before now
  std::vector<std::string> namespaces;  // empty: all namespaces
  std::string out_dir;
  std::string endpoint_url;  // passed to every aws command (a private or recorded endpoint)
  std::string aws, kubectl;  // programs; "" = $EKSIR_AWS / $EKSIR_KUBECTL, else from PATH
  std::string kubeconfig, context;
  std::string config;  // eksir.yaml for the checks that pick pods for logs
  std::string logs_min_severity = "medium";
  size_t max_pod_logs = 50;
  size_t page_items = 0;      // > 0: CloudTrail and audit logs fetched in files of this many items
  int timeout_seconds = 300;  // per command
  std::string verify_dir;     // set: verify this bundle instead of collecting
  bool quiet = false;
};

// Collects (or, with verify_dir, verifies). Returns 0 every command succeeded (or every file
// verified), 1 some command failed but the bundle was written (or a file does not verify),
// 2 usage error or the bundle could not be written.
int run(const CollectOptions& options, std::ostream& out, std::ostream& err);

// Re-hashes every file the bundle's manifest lists and reports what changed, went missing or
// was added.
int verify(const std::string& dir, std::ostream& out, std::ostream& err);

}  // namespace eksir::collect
