// A run record with a little of everything, for the store tests.
#pragma once

#include <string>

#include "store/store.h"

namespace eksir::store::test {

inline RunRecord sample_run(int n, size_t findings = 3) {
  RunRecord r;
  r.started = 1773478040000000000LL + n * 1000000000LL;
  r.finished = r.started + 210000000LL;
  r.tool_version = "0.1.0";
  r.operator_name = "alice";
  r.inputs = {{"evidence/k8s-audit/audit.log", std::string(64, 'a'), 183220},
              {"evidence/cloudtrail/ct.json.gz", std::string(64, 'b'), 4096}};
  r.rule_sources = {"builtin", "rules/extra.yml"};
  r.incident_id = "INC-20260314-3f9a1c";
  r.title = "Stolen key, run " + std::to_string(n);
  r.severity = n % 2 ? "Critical" : "High";
  r.incident_json = R"({"schema":"eksir.incident/1","incident":{"id":"INC-20260314-3f9a1c",)"
                    R"("severity":")" +
                    r.severity +
                    R"(","criteria":[{"level":"Critical","id":"critical.cluster_admin",)"
                    R"("criterion":"Unauthorized access to cluster-admin credentials",)"
                    R"("likely_benign":false,"evidence":[{"text":"x"},{"text":"y"}]}],)"
                    R"("summary":"ci-deployer's key was used from 203.0.113.45, run )" +
                    std::to_string(n) + R"("},"findings":[]})";
  for (size_t i = 0; i < findings; ++i) {
    FindingRow f;
    f.id = "f-" + std::to_string(i);
    f.rule_id = "eksir-rule-" + std::to_string(i);
    f.severity = "high";
    f.title = "finding " + std::to_string(i) + " of run " + std::to_string(n);
    f.first_seen = r.started - 1000;
    f.last_seen = i == 0 ? kNoTime : r.started;
    f.json = R"({"id":")" + f.id + R"("})";
    r.findings.push_back(f);
  }
  r.entities = {
      {"iam:arn:aws:iam::111122223333:user/ci-deployer", "iam_user", "ci-deployer", "", "{}"},
      {"pod:kube-system/backup-agent", "pod", "backup-agent", "kube-system", "{}"}};
  r.timeline = {{r.started, "INCIDENT", "ci-deployer bound cluster-admin", "Kubernetes audit",
                 "High", R"({"line":141})"},
                {kNoTime, "DETECTION", "GuardDuty saw a miner", "GuardDuty", "High", "{}"}};
  return r;
}

}  // namespace eksir::store::test
