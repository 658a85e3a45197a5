// What one record says about who acted and on what, from records in their real shapes; and the
// CI/CD credential findings the policy makes possible.
#include "incident/facets.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "incident/internal.h"

namespace eksir::incident {
namespace {

struct Parsed {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  EventView view;
  Parsed(Source s, std::string json) : text(json) {
    view.source = s;
    view.file = "test.json";
    view.line = 1;
    view.raw = std::string_view(text.data(), text.size());
    view.doc = parser.parse(text).value();
  }
};

bool has(const std::vector<std::string>& v, const std::string& k) {
  return std::find(v.begin(), v.end(), k) != v.end();
}

TEST(Facets, CloudTrailAccessEntryWithAnEncodedPrincipalAndEitherClusterName) {
  for (const char* cluster_key : {"name", "clusterName"}) {
    Parsed p(Source::CloudTrail,
             std::string(R"({"eventVersion":"1.09","eventSource":"eks.amazonaws.com",
      "eventName":"CreateAccessEntry","eventTime":"2026-03-14T08:56:03Z","awsRegion":"us-east-1",
      "recipientAccountId":"111122223333","sourceIPAddress":"203.0.113.45",
      "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/dev","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE000000001"},
      "requestParameters":{")") +
                 cluster_key +
                 R"(":"prod","principalArn":"arn%3Aaws%3Aiam%3A%3A444455556666%3Arole%2Fext"}})");
    RecordFacets f = record_facets(p.view);
    EXPECT_TRUE(has(f.credentials, "key:AKIAEXAMPLE000000001"));
    EXPECT_TRUE(has(f.credentials, "ip:203.0.113.45"));
    EXPECT_TRUE(has(f.identities, "iam:arn:aws:iam::111122223333:user/dev"));
    EXPECT_TRUE(has(f.created, "access_entry:prod/arn:aws:iam::444455556666:role/ext"))
        << cluster_key;
    EXPECT_TRUE(has(f.revealed, "iam:arn:aws:iam::444455556666:role/ext"));
    EXPECT_TRUE(has(f.targets, "cluster:prod"));
  }
}

TEST(Facets, CloudTrailAssumeRoleFromAnotherAccountHandsOutASession) {
  Parsed p(Source::CloudTrail, R"({"eventVersion":"1.08","eventSource":"sts.amazonaws.com",
    "eventName":"AssumeRole","eventTime":"2026-03-14T09:08:05Z","recipientAccountId":"111122223333",
    "sourceIPAddress":"203.0.113.45","readOnly":true,
    "userIdentity":{"type":"AWSAccount","principalId":"AIDAX","accountId":"444455556666"},
    "requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/backdoor","roleSessionName":"b"},
    "responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLE000000009"},
      "assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/backdoor/b"}}})");
  RecordFacets f = record_facets(p.view);
  EXPECT_TRUE(has(f.credentials, "account:444455556666"));
  EXPECT_EQ(f.actor_account, "444455556666");
  EXPECT_TRUE(has(f.targets, "iam:arn:aws:iam::111122223333:role/backdoor"));
  EXPECT_TRUE(f.created.empty());  // assuming a role does not change it
  EXPECT_TRUE(has(f.revealed, "session:arn:aws:sts::111122223333:assumed-role/backdoor/b"));
  EXPECT_TRUE(has(f.revealed, "key:ASIAEXAMPLE000000009"));
}

TEST(Facets, CloudTrailNodeSessionAndS3DataEvent) {
  Parsed p(Source::CloudTrail, R"({"eventVersion":"1.09","eventSource":"s3.amazonaws.com",
    "eventName":"GetObject","eventTime":"2026-04-23T10:40:00Z","recipientAccountId":"111122223333",
    "sourceIPAddress":"203.0.113.61","readOnly":true,
    "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/node-role/i-0abc1234def567890",
      "accountId":"111122223333","accessKeyId":"ASIANODE000000000001"},
    "requestParameters":{"bucketName":"exports","key":"a.csv"}})");
  RecordFacets f = record_facets(p.view);
  EXPECT_TRUE(has(f.identities, "iam:arn:aws:iam::111122223333:role/node-role"));
  EXPECT_TRUE(has(f.credentials,
                  "session:arn:aws:sts::111122223333:assumed-role/node-role/i-0abc1234def567890"));
  EXPECT_TRUE(has(f.targets, "bucket:exports"));
  EXPECT_TRUE(f.read_only);
}

TEST(Facets, AuditControllerCreatingAPodNamesItsOwner) {
  Parsed p(Source::K8sAudit, R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create",
    "user":{"username":"system:serviceaccount:kube-system:job-controller"},"sourceIPs":["10.0.0.2"],
    "objectRef":{"resource":"pods","namespace":"batch"},"responseStatus":{"code":201},
    "requestObject":{"kind":"Pod","metadata":{"generateName":"rotate-1-","namespace":"batch",
      "ownerReferences":[{"kind":"Job","name":"rotate-1","controller":true}]}},
    "responseObject":{"kind":"Pod","metadata":{"name":"rotate-1-x7","namespace":"batch",
      "ownerReferences":[{"kind":"Job","name":"rotate-1","controller":true}]}}})");
  RecordFacets f = record_facets(p.view);
  EXPECT_TRUE(has(f.created, "pod:batch/rotate-1-x7"));
  EXPECT_EQ(f.owner, "workload:Job/batch/rotate-1");
  EXPECT_TRUE(has(f.identities, "sa:kube-system/job-controller"));
  EXPECT_TRUE(scope_candidate(p.view));
}

TEST(Facets, AuditAnonymousRequestNamesTheBindingThatAllowedIt) {
  Parsed p(Source::K8sAudit, R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get",
    "user":{"username":"system:anonymous","groups":["system:unauthenticated"]},
    "sourceIPs":["203.0.113.99"],"objectRef":{"resource":"secrets","namespace":"shop","name":"db"},
    "responseStatus":{"code":200},
    "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":
      "RBAC: allowed by ClusterRoleBinding \"public-ext\" of ClusterRole \"cluster-admin\" to Group \"system:unauthenticated\""}})");
  RecordFacets f = record_facets(p.view);
  EXPECT_EQ(f.granted_by, "binding:ClusterRoleBinding/public-ext");
  EXPECT_TRUE(has(f.targets, "secret:shop/db"));
  EXPECT_TRUE(has(f.credentials, "ip:203.0.113.99"));
  EXPECT_TRUE(scope_candidate(p.view));
}

TEST(Facets, AuditTokensAndKubelets) {
  Parsed sa(Source::K8sAudit, R"({"kind":"Event","verb":"list",
    "user":{"username":"system:serviceaccount:shop:web","extra":{
      "authentication.kubernetes.io/credential-id":["JTI=1111"],
      "authentication.kubernetes.io/pod-name":["web-1"]}},
    "sourceIPs":["10.0.3.4"],"objectRef":{"resource":"pods","namespace":"shop"},
    "responseStatus":{"code":200}})");
  RecordFacets f = record_facets(sa.view);
  EXPECT_TRUE(has(f.credentials, "token:1111"));
  EXPECT_TRUE(has(f.identities, "pod:shop/web-1"));
  EXPECT_TRUE(has(f.identities, "sa:shop/web"));

  Parsed token(Source::K8sAudit, R"({"kind":"Event","verb":"create",
    "user":{"username":"system:node:ip-10-0-0-9"},"sourceIPs":["10.0.0.9"],
    "objectRef":{"resource":"serviceaccounts","subresource":"token","namespace":"shop","name":"web"},
    "requestObject":{"spec":{"boundObjectRef":{"kind":"Pod","name":"web-1"}}},
    "responseStatus":{"code":201}})");
  EXPECT_TRUE(scope_candidate(token.view));
  EXPECT_TRUE(has(record_facets(token.view).targets, "pod:shop/web-1"));

  Parsed lease(Source::K8sAudit, R"({"kind":"Event","verb":"update",
    "user":{"username":"system:node:ip-10-0-0-9"},"sourceIPs":["10.0.0.9"],
    "objectRef":{"resource":"leases","namespace":"kube-node-lease","name":"ip-10-0-0-9"},
    "responseStatus":{"code":200}})");
  EXPECT_FALSE(scope_candidate(lease.view));

  Parsed stolen(Source::K8sAudit, R"({"kind":"Event","verb":"list",
    "user":{"username":"system:serviceaccount:kube-system:argocd-manager"},"sourceIPs":["203.0.113.60"],
    "objectRef":{"resource":"namespaces"},"responseStatus":{"code":200}})");
  EXPECT_TRUE(scope_candidate(stolen.view));
}

TEST(Facets, AwsAuthWriteListsTheMappingsItSets) {
  Parsed p(Source::K8sAudit, R"({"kind":"Event","verb":"patch",
    "user":{"username":"gitlab-deployer"},"sourceIPs":["203.0.113.201"],
    "objectRef":{"resource":"configmaps","namespace":"kube-system","name":"aws-auth"},
    "responseStatus":{"code":200},
    "requestObject":{"data":{"mapRoles":"- rolearn: arn:aws:iam::111122223333:role/backdoor\n  username: backup\n  groups:\n  - system:masters\n"}}})");
  RecordFacets f = record_facets(p.view);
  ASSERT_EQ(f.aws_auth.size(), 1u);
  EXPECT_EQ(f.aws_auth[0], "role|arn:aws:iam::111122223333:role/backdoor|backup|system:masters");
  EXPECT_TRUE(has(f.changed, "configmap:kube-system/aws-auth"));
}

// One activity is one credential doing one thing from one address: two people's sessions of one
// role doing the same thing from one office are two activities; a new client version is not.
TEST(Facets, AnActivityIsOneCredentialsRequest) {
  auto facets = [](std::string session, std::string agent) {
    RecordFacets f;
    f.credentials = {"session:arn:aws:sts::111122223333:assumed-role/Developer/" + session,
                     "ip:192.0.2.60"};
    f.identities = {"iam:arn:aws:iam::111122223333:role/Developer"};
    f.source_ip = "192.0.2.60";
    f.user_agent = std::move(agent);
    f.verb = "DescribeCluster";
    f.targets = {"cluster:prod"};
    return encode_facets(f);
  };
  EXPECT_NE(activity_key(facets("farid@example.com", "aws-cli/2.15")),
            activity_key(facets("chen@example.com", "aws-cli/2.15")));
  EXPECT_EQ(activity_key(facets("farid@example.com", "aws-cli/2.15")),
            activity_key(facets("farid@example.com", "aws-cli/2.16")));
}

// Who acted is held once by an interner and referred to: the records read the same as without
// it, are a fraction of the size, and a value that looks like the reference is only a value.
TEST(Facets, InternedEncodingReadsTheSameAndHoldsWhoActedOnce) {
  RecordFacets f;
  f.credentials = {
      "session:arn:aws:sts::111122223333:assumed-role/"
      "AWSReservedSSO_PlatformAdmin_2b7c9e1f4a6d8c0e/alice@example.com"};
  f.identities = {
      "iam:arn:aws:iam::111122223333:role/AWSReservedSSO_PlatformAdmin_2b7c9e1f4a6d8c0e",
      "k8suser:arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin/alice"};
  f.source_ip = "192.0.2.31";
  f.user_agent = "kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9";
  f.targets = {"secret:payments/db-credentials"};
  f.verb = "get";
  f.read_only = true;
  FacetInterner interner;
  const std::string plain = encode_facets(f);
  const std::string a = encode_facets(f, &interner);
  RecordFacets other = f;
  other.targets = {"secret:billing/api-token"};
  const std::string b = encode_facets(other, &interner);
  EXPECT_EQ(interner.size(), 1u);  // two records, one person
  EXPECT_LT(a.size() * 3, plain.size());
  EXPECT_EQ(canonical_facets(a), plain);
  EXPECT_EQ(canonical_facets(plain), plain);
  EXPECT_EQ(activity_key(a), activity_key(plain));
  RecordFacets d = decode_facets(a);
  EXPECT_EQ(d.credentials, f.credentials);
  EXPECT_EQ(d.identities, f.identities);
  EXPECT_EQ(d.source_ip, f.source_ip);
  EXPECT_EQ(d.user_agent, f.user_agent);
  EXPECT_EQ(d.targets, f.targets);
  EXPECT_EQ(decode_facets(b).targets, other.targets);
  EXPECT_TRUE(d.read_only);
  // The same request encodes to the same bytes (the scan counts repeats by them).
  EXPECT_EQ(encode_facets(f, &interner), a);
  // A value starting with the reference's tag byte is a value: only the encoder writes a
  // reference, and only as the first item.
  RecordFacets forged;
  forged.verb = std::string(1, kWhoRef) + "AAAAAAAAAAAA";
  forged.detail = std::string(1, kWhoRef) + "BBBBBBBBBBBB";
  RecordFacets back = decode_facets(encode_facets(forged, &interner));
  EXPECT_EQ(back.verb, forged.verb);
  EXPECT_EQ(back.detail, forged.detail);
  EXPECT_TRUE(back.credentials.empty());
}

TEST(CicdFindings, OutsideTrustedCidrsAndANewClientAreFindings) {
  cluster::Policy policy;
  policy.cicd_identities = {"arn:aws:iam::111122223333:user/ci"};
  policy.trusted_cidrs = {"198.51.100.0/24"};
  auto record = [](std::string ip, std::string ua) {
    RecordFacets f;
    f.identities = {"iam:arn:aws:iam::111122223333:user/ci"};
    f.source_ip = std::move(ip);
    f.user_agent = std::move(ua);
    return ScopeRecord(f, 1, Source::CloudTrail);
  };
  std::vector<ScopeRecord> records = {
      record("198.51.100.20", "aws-cli/2.15.0 Python/3.11"),  // its runner
      record("198.51.100.20", "aws-cli/2.15.0 Python/3.11"),
      record("203.0.113.201", "aws-cli/2.15.0 Python/3.11"),   // outside
      record("10.83.4.4", "Boto3/1.34.0 md/Botocore#1.34.0"),  // new client, not trusted
  };
  auto place = [](size_t i) { return RecordPlace{Source::CloudTrail, "ct.json", i + 1, 0, ""}; };
  auto found = cicd_findings(records, place, policy);
  ASSERT_EQ(found.size(), 2u);
  bool outside = false, client = false;
  for (const auto& d : found) {
    EXPECT_EQ(d.finding.severity, detect::Severity::High);
    if (d.finding.title.find("outside trusted_cidrs") != std::string::npos) {
      outside = true;
      EXPECT_EQ(d.records, std::vector<size_t>{2});
    }
    if (d.finding.title.find("boto3") != std::string::npos) {
      client = true;
      EXPECT_EQ(d.records, std::vector<size_t>{3});
    }
  }
  EXPECT_TRUE(outside);
  EXPECT_TRUE(client);
  policy.cicd_identities.clear();
  EXPECT_TRUE(cicd_findings(records, place, policy).empty());
}

}  // namespace
}  // namespace eksir::incident
