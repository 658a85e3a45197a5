// Cluster snapshot: one file of `kubectl get -o json|yaml` or `aws eks` output (JSON or YAML,
// several documents allowed), read as `eksir posture` reads it, then every posture check run
// over it with the default policy and the findings written as JSON and SARIF.
#include <sstream>

#include "cluster/cluster.h"
#include "fuzz_common.h"

using namespace eksir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cluster::Snapshot snap;
  cluster::add_text(snap, fuzz::as_text(data, size), "snapshot.json");
  cluster::Policy policy;
  std::vector<std::string> admins;
  auto findings = cluster::run_checks(snap, policy, &admins);
  cluster::format_json(findings, snap, policy, admins);
  cluster::format_sarif(findings);
  std::ostringstream table;
  cluster::format_table(table, findings);
  return 0;
}
