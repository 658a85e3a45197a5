// eksir collect: gathers a cluster's and an account's evidence with read-only kubectl and aws
// CLI commands into a folder the readers understand, with a manifest of SHA-256 hashes, exact
// commands, times, exit statuses and the operator (chain of custody).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
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
  bool quiet = false;
};

// Where collect's lines for the operator go (each a whole line, newline included), as they come:
// the commands run for minutes.
using Say = std::function<void(std::string_view text)>;

enum class Outcome {
  Collected,     // every command succeeded
  SomeFailed,    // some command failed, the bundle was written
  NotCollected,  // a usage error, or the bundle could not be written
};
// Collects into options.out_dir.
Outcome collect(const CollectOptions& options, const Say& say);

// Every file the bundle's manifest lists, re-hashed: what changed, went missing or was added.
struct Verification {
  std::string error;                  // set: no manifest could be read (the rest is empty)
  std::vector<std::string> problems;  // a line each, made safe to print
  size_t files = 0;                   // files the manifest lists
  std::string manifest_sha256;
};
Verification verify_bundle(const std::string& dir);

}  // namespace eksir::collect
