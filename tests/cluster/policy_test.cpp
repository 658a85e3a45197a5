// eksir.yaml: defaults, every key, errors naming key and line, suppressions with reason, expiry and
// hits.
#include <gtest/gtest.h>

#include "cluster/cluster.h"
#include "test_paths.h"

using namespace eksir::cluster;

namespace {

TEST(Policy, EmptyFileKeepsDefaults) {
  PolicyResult r = parse_policy("", "eksir.yaml", "2026-03-14");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.policy.trusted_registries.size(), 4u);
  EXPECT_TRUE(r.policy.expected_namespaces.empty());
}

TEST(Policy, TheExampleFileLoads) {
  PolicyResult r = load_policy(eksir::test::source_dir() + "/examples/eksir.yaml", "2026-03-14");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_FALSE(r.policy.expected_namespaces.empty());
  EXPECT_FALSE(r.policy.suppressions.empty());
  EXPECT_FALSE(r.policy.maintenance_windows.empty());
}

TEST(Policy, EveryKeyParses) {
  PolicyResult r = parse_policy(
      "trusted_registries: [ghcr.io/acme/*]\nexpected_namespaces: [payments, cert-manager]\n"
      "production: {clusters: [prod-*], namespaces: [payments]}\ntrusted_cidrs: [10.0.0.0/8]\n"
      "admin_principals: ['arn:aws:iam::1:role/platform-admin']\ncicd_identities: "
      "['arn:aws:iam::1:role/github-*']\n"
      "expected_nodegroups: [general]\nexpected_daemonsets: [aws-node]\n"
      "maintenance_windows:\n  - {start: 2026-03-14T02:00:00Z, end: 2026-03-14T04:00:00Z}\n  - "
      "{days: [sat, sun], from: '01:00', to: '05:00'}\n"
      "suppressions:\n  - {rule: image-no-digest, namespace: payments, reason: digests pinned by "
      "Argo, expires: 2026-12-31}\n",
      "eksir.yaml", "2026-03-14");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.policy.trusted_registries, std::vector<std::string>{"ghcr.io/acme/*"});
  EXPECT_EQ(r.policy.production_clusters, std::vector<std::string>{"prod-*"});
  EXPECT_EQ(r.policy.maintenance_windows.size(), 2u);
  ASSERT_EQ(r.policy.suppressions.size(), 1u);
  EXPECT_FALSE(r.policy.suppressions[0].expired);
}

struct Bad {
  const char* text;
  const char* want;  // substring of the first error
};

TEST(Policy, MalformedFilesNameTheKeyAndLine) {
  const Bad cases[] = {
      {"trusted_registries: [a]\nunknown_key: 1\n", "eksir.yaml:2: unknown_key: unknown key"},
      {"expected_namespaces: payments\n",
       "eksir.yaml:1: expected_namespaces: expected a list of strings"},
      {"trusted_cidrs:\n  - {a: b}\n", "eksir.yaml:2: trusted_cidrs: expected a non-empty string"},
      {"production:\n  clusters: [a]\n  regions: [b]\n",
       "eksir.yaml:3: production.regions: unknown key"},
      {"production: [a]\n", "eksir.yaml:1: production: expected a mapping"},
      {"suppressions:\n  - rule: x\n    reason: r\n    expires: 2026-13-01\n",
       "eksir.yaml:4: suppressions.expires: expected a date"},
      {"suppressions:\n  - rule: x\n", "eksir.yaml:2: suppressions.reason: required"},
      {"suppressions:\n  - reason: r\n    rule: x\n    namepsace: y\n",
       "eksir.yaml:4: suppressions.namepsace: unknown key"},
      {"maintenance_windows:\n  - {start: yesterday, end: 2026-01-01}\n",
       "eksir.yaml:2: maintenance_windows.start: bad date/time"},
      {"maintenance_windows:\n  - {days: [funday], from: '01:00', to: '02:00'}\n",
       "maintenance_windows.days: unknown day"},
      {"maintenance_windows:\n  - {days: [mon], from: '25:00', to: '02:00'}\n",
       "maintenance_windows.from: expected HH:MM"},
      {"maintenance_windows:\n  - {days: [mon]}\n", "days, from and to are all required"},
      {"a: [b\n", "invalid YAML"},
      {"- a\n", "eksir.yaml:1: (top level): expected a mapping"},
  };
  for (const auto& c : cases) {
    PolicyResult r = parse_policy(c.text, "eksir.yaml", "2026-03-14");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.errors.front().find(c.want), std::string::npos)
        << r.errors.front() << "\n wanted: " << c.want;
  }
}

TEST(Policy, MissingFileIsAnError) {
  EXPECT_FALSE(load_policy("/nonexistent/eksir.yaml").ok());
}

TEST(Policy, SuppressionsMatchCountHitsAndExpire) {
  PolicyResult r = parse_policy(
      "suppressions:\n"
      "  - {rule: image-*, namespace: payments, reason: vendor images}\n"
      "  - {rule: rbac-cluster-admin-binding, principal: 'ci:*', reason: CI pipeline, expires: "
      "2026-12-31}\n"
      "  - {rule: pss-b3-privileged, reason: old exception, expires: 2026-01-01}\n",
      "eksir.yaml", "2026-03-14");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const Policy& p = r.policy;
  EXPECT_TRUE(p.suppressed("image-no-digest", "payments", "api"));
  EXPECT_TRUE(p.suppressed("image-mutable-tag", "payments", "api"));
  EXPECT_FALSE(p.suppressed("image-no-digest", "default", "api"));
  EXPECT_TRUE(p.suppressed("rbac-cluster-admin-binding", "", "ci-admin", "ci:deployers"));
  EXPECT_FALSE(p.suppressed("rbac-cluster-admin-binding", "", "other", "system:masters"));
  EXPECT_TRUE(p.suppressions[2].expired);
  EXPECT_FALSE(p.suppressed("pss-b3-privileged", "kube-system", "x"));  // expired: does not apply
  EXPECT_EQ(p.suppressions[0].hits, 2u);
  EXPECT_EQ(p.suppressions[1].hits, 1u);
  EXPECT_EQ(p.suppressions[2].hits, 0u);
}

TEST(Policy, GlobMatching) {
  EXPECT_TRUE(
      policy_glob("*.dkr.ecr.*.amazonaws.com", "111122223333.dkr.ecr.us-east-1.amazonaws.com"));
  EXPECT_FALSE(policy_glob("*.dkr.ecr.*.amazonaws.com", "evil.com"));
  EXPECT_TRUE(
      policy_glob("602401143452.dkr.ecr.*", "602401143452.dkr.ecr.us-west-2.amazonaws.com"));
  EXPECT_TRUE(policy_glob("a?c", "abc"));
  EXPECT_FALSE(policy_glob("a?c", "abbc"));
}

}  // namespace
