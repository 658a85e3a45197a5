// KQL evaluator on real sample events: each case counts the events of a sample file a query
// matches.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "query/query.h"
#include "query/sample_events.h"

namespace eksir::query {
namespace {

using test::SampleEvents;

const char* const kDeleteCluster = R"({"eventVersion":"1.08","eventTime":"2026-03-14T09:12:31Z",
  "eventSource":"eks.amazonaws.com","eventName":"DeleteCluster","awsRegion":"us-east-1",
  "sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0",
  "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice",
                  "accountId":"111122223333","principalId":"AROAEXAMPLE:alice",
                  "sessionContext":{"sessionIssuer":{"type":"Role","userName":"Admin",
                                    "arn":"arn:aws:iam::111122223333:role/Admin"}}},
  "requestParameters":{"name":"prod"},"responseElements":null,"eventID":"e1",
  "eventType":"AwsApiCall","recipientAccountId":"111122223333"})";

struct SampleRef {
  const char* file;  // under samples/; "inline:<name>" for the events above
  Source source;
};

const SampleEvents& load(const SampleRef& ref) {
  static std::map<std::string, std::shared_ptr<SampleEvents>> cache;
  auto& slot = cache[ref.file];
  if (!slot) {
    std::string f = ref.file;
    if (f == "inline:DeleteCluster")
      slot = SampleEvents::text(kDeleteCluster, ref.source, f);
    else
      slot = SampleEvents::file(f, ref.source);
  }
  return *slot;
}

constexpr Source CT = Source::CloudTrail;
constexpr Source K8S = Source::K8sAudit;
constexpr Source GD = Source::GuardDuty;
constexpr Source FALCO = Source::Falco;
constexpr Source OCSF = Source::Ocsf;

#define AUDIT "k8s-audit/falco-trace-files/"
#define STRATUS "cloudtrail/stratus-red-team-detonation-logs/"

const char* const kCreateCluster =
    "cloudtrail/eks-and-pod-identity/awsdocs-eks-ug__CreateCluster.json";
const char* const kPodIdentity =
    "cloudtrail/eks-and-pod-identity/eks-immersion-day__eks-auth-AssumeRoleForPodIdentity.json";
const char* const kStsByPods =
    "cloudtrail/eks-and-pod-identity/"
    "eks-immersion-day__sts-AssumeRole-by-pods.eks.amazonaws.com.json";
const char* const kPanther = "k8s-audit/eks/panther-normalized/panther__aws_eks_rules_tests.jsonl";
const char* const kFalcoAlerts = "falco/falco-website__alerts.jsonl";
const char* const kGuardDuty =
    "guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl";
const char* const kOcsfFinding =
    "ocsf/ocsf-examples__v1.1.0__securityhub-guardduty__detection_finding.ocsf.json";
const char* const kOcsfApi = "ocsf/ocsf-examples__v1.1.0__eks-audit__api_activity.ocsf.json";

struct EvalCase {
  const char* query;
  const char* file;
  Source source;
  size_t matches;  // how many events of the file match
};

const EvalCase kCases[] = {
    // Kubernetes audit: native paths, arrays, subresources
    {"verb:create and objectRef.resource:pods/exec", AUDIT "exec_pod.json", K8S, 1},
    {"verb:create and objectRef.resource:pods and objectRef.subresource:exec",
     AUDIT "exec_pod.json", K8S, 1},
    {"objectRef.resource:pods/exec", AUDIT "create_nginx_pod_privileged.json", K8S, 0},
    {"kubernetes.audit.objectRef.resource:pods", AUDIT "exec_pod.json", K8S, 1},
    {"requestObject.spec.containers.securityContext.privileged:true",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 1},
    {"requestObject.spec.containers.securityContext.privileged:true",
     AUDIT "create_nginx_pod_unprivileged.json", K8S, 0},
    {"requestObject.spec.containers.securityContext.privileged:true",
     AUDIT "create_nginx_pod_privileged.json", K8S, 1},
    {"requestObject.spec.containers.securityContext.privileged:true",
     AUDIT "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", K8S, 1},
    {"kubernetes.audit.requestObject.spec.containers.securityContext.privileged:true",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 1},
    {"requestObject.spec.containers.securityContext.privileged:false",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 1},
    {"requestObject.spec.hostNetwork:true", AUDIT "create_nginx_pod_hostnetwork.json", K8S, 1},
    {"requestObject.spec.hostNetwork:true", AUDIT "create_nginx_pod_nohostnetwork.json", K8S, 0},
    {"requestObject.spec.volumes.hostPath.path:/etc*",
     AUDIT "create_nginx_pod_sensitive_mount.json", K8S, 1},
    {"user.groups:\"system:masters\"", AUDIT "exec_pod.json", K8S, 1},
    {"sourceIPs:192.168.99.1", AUDIT "exec_pod.json", K8S, 1},
    // keyword case and and/or/not
    {"verb:create AND objectRef.resource:pods", AUDIT "exec_pod.json", K8S, 1},
    {"verb:create And objectRef.resource:pods", AUDIT "exec_pod.json", K8S, 1},
    {"verb:CREATE", AUDIT "exec_pod.json", K8S, 0},  // values are case-sensitive
    {"verb:get OR verb:create", AUDIT "exec_pod.json", K8S, 1},
    {"verb:(get or create) and not user.username:admin", AUDIT "exec_pod.json", K8S, 1},
    {"NOT verb:create", AUDIT "exec_pod.json", K8S, 0},
    {"not requestObject:*", AUDIT "exec_pod.json", K8S, 1},  // absent: not is true
    {"not nosuch.field:1", AUDIT "exec_pod.json", K8S, 1},
    {"nosuch.field:1", AUDIT "exec_pod.json", K8S, 0},
    // annotations: dotted keys, Elastic's underscore spelling
    {"annotations.authorization.k8s.io/decision:allow", AUDIT "exec_pod.json", K8S, 1},
    {"kubernetes.audit.annotations.authorization_k8s_io/decision:allow", AUDIT "exec_pod.json", K8S,
     1},
    {"kubernetes.audit.annotations.authorization_k8s_io/decision:forbid", kPanther, K8S, 1},
    // outcome, numbers, ranges
    {"event.outcome:failure", kPanther, K8S, 4},
    {"event.outcome:success", kPanther, K8S, 16},
    {"responseStatus.code >= 400", kPanther, K8S, 4},
    {"responseStatus.code:403", kPanther, K8S, 4},
    {"responseStatus.code:\"403\"", kPanther, K8S, 4},
    {"responseStatus.code < 200", AUDIT "exec_pod.json", K8S, 1},
    {"responseStatus.code > 101", AUDIT "exec_pod.json", K8S, 0},
    {"responseStatus.code >= 101 and responseStatus.code <= 101", AUDIT "exec_pod.json", K8S, 1},
    {"responseStatus.code:1*", AUDIT "exec_pod.json", K8S, 1},  // wildcards see a number's text
    {"http.response.status_code >= 200 and http.response.status_code < 300", kPanther, K8S, 16},
    {"user.name:\"system:anonymous\" and event.outcome:failure", kPanther, K8S, 1},
    {"user.name:system\\:serviceaccount\\:*", kPanther, K8S, 6},
    // timestamps
    {"@timestamp >= \"2018-10-26T00:00:00Z\"", AUDIT "exec_pod.json", K8S, 1},
    {"@timestamp < \"2018-10-26\"", AUDIT "exec_pod.json", K8S, 0},
    {"@timestamp >= 2018-10-26 and @timestamp < 2018-10-27", AUDIT "exec_pod.json", K8S, 1},
    {"stageTimestamp > \"2018-10-26T13:38:34.9Z\"", AUDIT "exec_pod.json", K8S, 1},
    {"@timestamp:\"2018-10-26T13:38:34.902914Z\"", AUDIT "exec_pod.json", K8S,
     1},  // same instant, other format
    {"@timestamp >= \"2024-01-01\"", kPanther, K8S, 5},
    {"@timestamp > now-24h", AUDIT "exec_pod.json", K8S, 0},
    // nested: one element must satisfy the whole subquery
    {"requestObject.spec.containers:{ image:mysql* and securityContext.privileged:true }",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 1},
    {"requestObject.spec.containers:{ image:nginx and securityContext.privileged:true }",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 0},
    {"requestObject.spec.containers.image:nginx and "
     "requestObject.spec.containers.securityContext.privileged:true",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 1},
    {"requestObject.spec.containers:{ not securityContext:* }",
     AUDIT "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", K8S, 1},
    {"requestObject.spec:{ containers:{ image:nginx } }",
     AUDIT "create_nginx_pod_privileged_2nd_container.json", K8S, 1},
    // free text
    {"minikube-user", AUDIT "exec_pod.json", K8S, 1},
    {"MINIKUBE-User", AUDIT "exec_pod.json", K8S, 1},
    {"\"deployment-7998\"", AUDIT "exec_pod.json", K8S, 1},
    {"Minikube*", AUDIT "exec_pod.json", K8S, 1},
    {"inikube", AUDIT "exec_pod.json", K8S, 1},
    {"inikube*", AUDIT "exec_pod.json", K8S, 0},  // with wildcards, the whole string
    {"101", AUDIT "exec_pod.json", K8S, 1},       // numbers too
    {"nosuchthing", AUDIT "exec_pod.json", K8S, 0},
    {"*", AUDIT "exec_pod.json", K8S, 1},
    {"verb", AUDIT "exec_pod.json", K8S, 0},  // keys are not searched
    // CloudTrail: ECS names and native names
    {"event.action:CreateCluster", kCreateCluster, CT, 1},
    {"eventName:CreateCluster", kCreateCluster, CT, 1},
    {"action.event:CreateCluster", kCreateCluster, CT, 1},
    {"event.source:\"eks.amazonaws.com\" AND event.action:(\"CreateCluster\" OR \"DeleteCluster\" "
     "OR \"DeleteNodegroup\")",
     kCreateCluster, CT, 1},
    {"event.source:\"eks.amazonaws.com\" AND event.action:(\"CreateCluster\" OR \"DeleteCluster\")",
     "inline:DeleteCluster", CT, 1},
    {"eventName:*Cluster", kCreateCluster, CT, 1},
    {"eventName:Cre*Clu*", kCreateCluster, CT, 1},
    {"eventName:Del*Clu*", kCreateCluster, CT, 0},
    {"eventName:Del*Clu*", "inline:DeleteCluster", CT, 1},
    {"eventName:*", kCreateCluster, CT, 1},
    {"eventName:CreateCluster*", kCreateCluster, CT, 1},  // trailing wildcard matches empty
    {"eventName:List*", STRATUS "aws.credential-access.secretsmanager-retrieve-secrets.json", CT,
     1},
    {"eventName:(GetSecretValue or List*)",
     STRATUS "aws.credential-access.secretsmanager-retrieve-secrets.json", CT, 21},
    {"requestParameters.clusterName:test", kCreateCluster, CT, 1},
    {"aws.cloudtrail.flattened.request_parameters.resourcesVpcConfig.subnetIds:subnet-4f8c5004",
     kCreateCluster, CT, 1},
    {"source.ip:205.251.233.178", kCreateCluster, CT, 1},
    {"source.ip:*", kStsByPods, CT, 0},  // sourceIPAddress is a service name
    {"source.address:pods.eks.amazonaws.com", kStsByPods, CT, 1},
    {"user.name:username", kCreateCluster, CT, 1},
    {"user.name:eks-security-workshop", kPodIdentity, CT, 1},
    {"user.name:Admin", "inline:DeleteCluster", CT, 1},
    {"user.id:*\\:i-*", kPodIdentity, CT, 1},
    {"readOnly:false", kCreateCluster, CT, 1},
    {"readOnly:true", kCreateCluster, CT, 0},
    {"readOnly:\"false\"", kCreateCluster, CT, 1},
    {"event.outcome:failure", STRATUS "aws.credential-access.ec2-get-password-data.json", CT, 32},
    {"event.outcome:success", STRATUS "aws.credential-access.ec2-get-password-data.json", CT, 2},
    {"errorCode:*", STRATUS "aws.credential-access.ec2-get-password-data.json", CT, 32},
    {"aws.cloudtrail.error_code:Client.UnauthorizedOperation",
     STRATUS "aws.credential-access.ec2-get-password-data.json", CT, 30},
    {"eventTime >= \"2024-07-30T21:31:21Z\" and eventTime <= \"2024-07-30T21:31:21Z\"",
     STRATUS "aws.credential-access.ec2-get-password-data.json", CT, 3},
    {"requestParameters.tags:{ key:kubernetes-namespace and value:ns-a }", kStsByPods, CT, 1},
    {"requestParameters.tags:{ key:kubernetes-namespace and value:sa1 }", kStsByPods, CT, 0},
    {"requestParameters.durationSeconds >= 3600", kStsByPods, CT, 1},
    // Elastic detection rule queries, unchanged
    {"data_stream.dataset: \"aws.cloudtrail\"\n and event.provider: \"cloudtrail.amazonaws.com\"\n"
     " and event.action: \"StopLogging\"\n and event.outcome: \"success\"",
     STRATUS "aws.defense-evasion.cloudtrail-stop.json", CT, 1},
    {"data_stream.dataset: \"aws.cloudtrail\" and event.provider: \"cloudtrail.amazonaws.com\" and "
     "event.action: \"PutEventSelectors\" and event.outcome: \"success\" and "
     "aws.cloudtrail.request_parameters: *includeManagementEvents*false*",
     STRATUS "aws.defense-evasion.cloudtrail-event-selectors.json", CT, 1},
    {"data_stream.dataset:aws.cloudtrail and event.provider:signin.amazonaws.com and "
     "event.action:ConsoleLogin and "
     "aws.cloudtrail.console_login.additional_eventdata.mfa_used:false",
     STRATUS "aws.initial-access.console-login-without-mfa.json", CT, 1},
    {"event.dataset: \"aws.cloudtrail\" and aws.cloudtrail.user_identity.type: \"AssumedRole\" and "
     "user.id: *\\:i-*",
     kPodIdentity, CT, 1},
    {"data_stream.dataset:\"kubernetes.audit_logs\" and "
     "kubernetes.audit.annotations.authorization_k8s_io/decision:\"allow\" and "
     "kubernetes.audit.user.username:(\"system:anonymous\" or \"system:unauthenticated\" or not *) "
     "and "
     "not kubernetes.audit.requestURI:(/healthz* or /livez* or /readyz* or /version)",
     kPanther, K8S, 1},
    // dataset separates sources
    {"event.dataset:kubernetes.audit_logs", AUDIT "exec_pod.json", K8S, 1},
    {"event.dataset:kubernetes.audit_logs", kCreateCluster, CT, 0},
    {"event.dataset:aws.*", kCreateCluster, CT, 1},
    // GuardDuty
    {"type:\"Persistence:Kubernetes/SuccessfulAnonymousAccess\"", kGuardDuty, GD, 1},
    {"event.action:*Kubernetes*", kGuardDuty, GD, 2},
    {"rule.category:PrivilegeEscalation", kGuardDuty, GD, 1},
    {"severity >= 8", kGuardDuty, GD, 1},
    {"event.severity:5", kGuardDuty, GD, 2},
    {"service.additionalInfo.sample:true", kGuardDuty, GD, 2},
    {"resource.eksClusterDetails.name:GeneratedFindingEKSClusterName", kGuardDuty, GD, 2},
    {"aws.guardduty.resource.eks_cluster_details.name:GeneratedFindingEKSClusterName", kGuardDuty,
     GD, 2},
    {"source.ip:175.16.199.1", kGuardDuty, GD, 2},
    // Elastic's GuardDuty names where they are not the camelCase of the finding's.
    {"aws.guardduty.severity.code >= 7", kGuardDuty, GD, 1},
    {"aws.guardduty.severity.value:Medium", kGuardDuty, GD, 2},
    {"aws.guardduty.service.action.type:KUBERNETES_API_CALL", kGuardDuty, GD, 2},
    {"aws.guardduty.service.action.type:AWS_API_CALL", kGuardDuty, GD, 0},
    {"aws.guardduty.resource.type:EKSCluster", kGuardDuty, GD, 2},
    {"aws.guardduty.service.event.first_seen >= \"2024-01-01\"", kGuardDuty, GD, 1},
    // Inside arrays: threatIntelligenceDetails[].threatNames[],
    // networkInterfaces[].securityGroups[].
    {"aws.guardduty.service.evidence.threat_intelligence_details.threat.names:"
     "GeneratedFindingThreatName",
     kGuardDuty, GD, 1},
    {"aws.guardduty.resource.instance_details.network_interfaces.security_groups.group.name:main",
     kGuardDuty, GD, 1},
    {"aws.guardduty.service.action.kubernetes_api_call_action.remote_ip_details.country.name:"
     "GeneratedFindingCountryName",
     kGuardDuty, GD, 2},
    {"user.name:GeneratedFindingUserName", kGuardDuty, GD, 1},
    {"user.name:\"system:anonymous\"", kGuardDuty, GD, 1},
    {"resource.eksClusterDetails.tags:{ key:GeneratedFindingEKSClusterTag2 and "
     "value:GeneratedFindingEKSClusterTagValue2 }",
     kGuardDuty, GD, 2},
    {"resource.eksClusterDetails.tags:{ key:GeneratedFindingEKSClusterTag2 and "
     "value:GeneratedFindingEKSClusterTagValue3 }",
     kGuardDuty, GD, 0},
    // Falco: output_fields keys with dots and brackets
    {"output_fields.k8s.pod.name:alpine", kFalcoAlerts, FALCO, 5},
    {"output_fields.ka.uri.param[command]:cat", kFalcoAlerts, FALCO, 1},
    {"output_fields.ka.target.subresource:exec and output_fields.ka.user.name:kubernetes-admin",
     kFalcoAlerts, FALCO, 2},
    {"rule:\"Terminal shell in container\" and priority:Critical", kFalcoAlerts, FALCO, 1},
    {"rule.name:\"Terminal shell in container\"", kFalcoAlerts, FALCO, 7},
    {"output_fields.ka.response.code >= 400", kFalcoAlerts, FALCO, 1},  // numeric string
    {"output_fields.ka.response.code:403", kFalcoAlerts, FALCO, 1},
    {"event.severity <= 4", kFalcoAlerts, FALCO, 4},
    {"orchestrator.resource.name:alpine", kFalcoAlerts, FALCO, 5},
    {"output_fields.proc.tty:34817", kFalcoAlerts, FALCO, 1},
    {"source:syscall", kFalcoAlerts, FALCO, 1},
    // OCSF
    {"finding_info.types:*CloudTrailLoggingDisabled", kOcsfFinding, OCSF, 1},
    {"cloud.region:us-east-2 and event.kind:alert", kOcsfFinding, OCSF, 1},
    {"source.ip:52.94.133.131", kOcsfFinding, OCSF, 1},
    {"actor.user.groups:{ name:\"system:nodes\" }", kOcsfApi, OCSF, 1},
    {"event.outcome:success and user.name:system\\:node\\:*", kOcsfApi, OCSF, 1},
};

size_t count_matches(const CompiledQuery& q, const SampleEvents& events) {
  size_t n = 0;
  for (const auto& item : events)
    if (q.matches(item.view)) ++n;
  return n;
}

TEST(KqlEval, SampleCases) {
  for (const EvalCase& c : kCases) {
    SCOPED_TRACE(std::string(c.query) + "  on  " + c.file);
    ParseResult r = parse(c.query);
    ASSERT_TRUE(r.ok()) << r.error().message;
    CompiledQuery q = compile(r->root);
    EXPECT_EQ(count_matches(q, load({c.file, c.source})), c.matches);
  }
}

TEST(KqlEval, DateMathUsesNow) {
  const SampleEvents& ev = load({AUDIT "exec_pod.json", K8S});
  CompileOptions opts;
  opts.now = parse_time("2018-10-27T00:00:00Z");
  auto q = [&](const char* text) { return compile(parse(text)->root, opts).matches(ev[0]); };
  EXPECT_TRUE(q("@timestamp > now-1d"));
  EXPECT_FALSE(q("@timestamp > now-10h"));
  EXPECT_TRUE(q("@timestamp >= now-1d/d"));
  EXPECT_TRUE(q("@timestamp < now"));
  EXPECT_FALSE(q("@timestamp >= now/d"));
}

TEST(KqlEval, DateMath) {
  const TimeNs now = parse_time("2026-03-31T10:20:30.5Z");
  EXPECT_EQ(parse_date_math("now", now), now);
  EXPECT_EQ(parse_date_math("now-24h", now), parse_time("2026-03-30T10:20:30.5Z"));
  EXPECT_EQ(parse_date_math("now+1d", now), parse_time("2026-04-01T10:20:30.5Z"));
  EXPECT_EQ(parse_date_math("now-7d/d", now), parse_time("2026-03-24T00:00:00Z"));
  EXPECT_EQ(parse_date_math("now/h", now), parse_time("2026-03-31T10:00:00Z"));
  EXPECT_EQ(parse_date_math("now-1M", now), parse_time("2026-02-28T10:20:30.5Z"));  // clamped
  EXPECT_EQ(parse_date_math("now-1y/y", now), parse_time("2025-01-01T00:00:00Z"));
  EXPECT_EQ(parse_date_math("now/w", now), parse_time("2026-03-30T00:00:00Z"));  // a Monday
  EXPECT_EQ(parse_date_math("now-15m", now), parse_time("2026-03-31T10:05:30.5Z"));
  EXPECT_EQ(parse_date_math("now-1x", now), kNoTime);
  EXPECT_EQ(parse_date_math("2026-01-01", now), kNoTime);
}

// Found by fuzzing (kql_fuzz): `now-77777777d` multiplied past int64 (undefined behaviour, and a
// wrapped instant in practice). Date math beyond the instants a TimeNs holds saturates.
TEST(KqlEval, DateMathSaturatesInsteadOfOverflowing) {
  const TimeNs now = parse_time("2026-03-31T10:20:30.5Z");
  const TimeNs earliest = INT64_MIN + 1, latest = INT64_MAX;
  EXPECT_EQ(parse_date_math("now-77777777d", now), earliest);
  EXPECT_EQ(parse_date_math("now-999999999s", now), parse_time("1994-07-23T08:33:51.5Z"));
  EXPECT_EQ(parse_date_math("now+999999999w", now), latest);
  EXPECT_EQ(parse_date_math("now+999999999h", now), latest);
  EXPECT_EQ(parse_date_math("now+999999999y", now), latest);
  EXPECT_EQ(parse_date_math("now-999999999M", now), earliest);
  EXPECT_EQ(parse_date_math("now-400y", now), earliest);
  EXPECT_EQ(parse_date_math("now-300y", now), parse_time("1726-03-31T10:20:30.5Z"));
  EXPECT_EQ(parse_date_math("now+300y", now), latest);
  // Rounding down stays at the earliest instant, and takes the latest to the start of its unit.
  for (const char* round : {"/s", "/m", "/h", "/d", "/w", "/M", "/y"}) {
    EXPECT_EQ(parse_date_math(std::string("now-999999999d") + round, now), earliest) << round;
    EXPECT_GE(parse_date_math(std::string("now+999999999d") + round, now),
              parse_time("2261-12-29T00:00:00Z"))
        << round;
  }
  EXPECT_EQ(parse_date_math("now-999999999d+1d", now), earliest + 86400LL * 1000000000LL);
  EXPECT_EQ(parse_date_math("now", kNoTime), kNoTime);

  const SampleEvents& ev = load({AUDIT "exec_pod.json", K8S});
  CompileOptions opts;
  opts.now = now;
  auto q = [&](const char* text) { return compile(parse(text)->root, opts).matches(ev[0]); };
  EXPECT_TRUE(q("@timestamp >= now-77777777d"));
  EXPECT_FALSE(q("@timestamp >= now+999999999y"));
  EXPECT_TRUE(q("@timestamp < now+999999999w/w"));
}

TEST(KqlEval, MayMatch) {
  auto q = [](const char* text) { return compile(parse(text)->root); };
  EXPECT_TRUE(q("verb:create").may_match(K8S));
  EXPECT_FALSE(q("verb:create").may_match(CT));
  EXPECT_FALSE(q("event.source:x").may_match(K8S));
  EXPECT_TRUE(q("event.action:x").may_match(FALCO));
  EXPECT_TRUE(q("verb:create or eventName:x").may_match(CT));
  EXPECT_FALSE(q("verb:create and eventName:x").may_match(CT));
  EXPECT_TRUE(q("not verb:create").may_match(CT));
  EXPECT_TRUE(q("anything").may_match(GD));
  EXPECT_TRUE(CompiledQuery().may_match(OCSF));
}

TEST(KqlEval, DefaultMatchesEverything) {
  const SampleEvents& ev = load({AUDIT "exec_pod.json", K8S});
  EXPECT_TRUE(CompiledQuery().matches(ev[0]));
  EXPECT_TRUE(compile(parse("")->root).matches(ev[0]));
  EXPECT_EQ(to_string(CompiledQuery().root()), "(all)");
}

TEST(KqlEval, CopiesShareAndOutliveTheTree) {
  CompiledQuery copy;
  {
    ParseResult r = parse("verb:create and objectRef.resource:pods");
    copy = compile(r->root);
  }
  const SampleEvents& ev = load({AUDIT "exec_pod.json", K8S});
  CompiledQuery again = copy;
  EXPECT_TRUE(again.matches(ev[0]));
}

}  // namespace
}  // namespace eksir::query
