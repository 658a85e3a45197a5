// Field names: every ECS row of the table resolves on real sample events; native path
// resolution (arrays, keys with dots and slashes); known/applies_to; docs/fields.md.
#include "event/fields.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "query/sample_events.h"
#include "test_paths.h"

namespace eksir {
namespace {

using test::SampleEvents;

// Inline events for shapes the shared samples lack (all in the documented formats).
const char* const kCloudTrailSynthetic = R"({
  "eventVersion": "1.09", "eventTime": "2026-03-14T09:12:31Z",
  "userIdentity": {"type": "Root", "principalId": "111122223333",
                   "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333",
                   "accessKeyId": "ASIAEXAMPLE", "invokedBy": "signin.amazonaws.com",
                   "sessionContext": {"attributes": {"mfaAuthenticated": "true",
                                                     "creationDate": "2026-03-14T09:00:00Z"}}},
  "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
  "sourceIPAddress": "2001:db8::1", "userAgent": "Mozilla/5.0",
  "requestParameters": null, "responseElements": {"ConsoleLogin": "Failure"},
  "additionalEventData": {"MFAUsed": "Yes", "MobileVersion": "No",
                          "LoginTo": "https://console.aws.amazon.com/"},
  "serviceEventDetails": {"snapshotId": "snap-1"},
  "apiVersion": "2016-11-15", "vpcEndpointId": "vpce-0abc", "sessionCredentialFromConsole": "true",
  "eventID": "11111111-2222-3333-4444-555555555555", "eventType": "AwsConsoleSignIn",
  "recipientAccountId": "111122223333"})";

const char* const kAuditSynthetic = R"({"kind":"Event","apiVersion":"audit.k8s.io/v1",
  "level":"Metadata","auditID":"a1","stage":"ResponseComplete","verb":"get",
  "requestURI":"/api/v1/namespaces/default/secrets/db","sourceIPs":["10.0.0.5","10.0.0.6"],
  "user":{"username":"system:serviceaccount:default:app","uid":"u-1",
          "groups":["system:serviceaccounts"],
          "extra":{"authentication.kubernetes.io/pod-name":["app-7d9f"],
                   "sessionName":["EKSGetTokenAuth"]}},
  "objectRef":{"resource":"secrets","namespace":"default","name":"db"},
  "annotations":{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""},
  "requestReceivedTimestamp":"2026-03-14T09:00:00.000000Z",
  "stageTimestamp":"2026-03-14T09:00:00.100000Z"})";

// Vulnerability events as the sources stage rebuilds them (sources/unwrap_vulnerability.h): an
// Inspector finding on an ECR image, and an ECR basic-scan finding (no region: no image_name).
const char* const kVulnerabilityInspector =
    R"({"id":"arn:aws:inspector2:us-east-1:111122223333:finding/0189da2405027d3b35a30499a2942580#xz-utils@5.6.0-0.2",
  "scanner":"inspector","scanner_vendor":"Amazon Inspector",
  "finding_arn":"arn:aws:inspector2:us-east-1:111122223333:finding/0189da2405027d3b35a30499a2942580",
  "vulnerability_id":"CVE-2024-3094","severity":"CRITICAL","score":10,"score_version":"3.1",
  "inspector_score":10,"exploit_available":true,"fix_available":"YES",
  "title":"CVE-2024-3094 - xz-utils, liblzma5","description":"Malicious code was found in xz.",
  "reference":"https://security-tracker.debian.org/tracker/CVE-2024-3094","status":"ACTIVE",
  "package_name":"xz-utils","package_version":"5.6.0-0.2",
  "package_fixed_version":"5.6.1+really5.4.5-1","package_type":"os",
  "image_name":"111122223333.dkr.ecr.us-east-1.amazonaws.com/payments-api",
  "image_repository":"payments-api","image_registry":"111122223333",
  "image_digest":"sha256:80cee15bdb2551ed67800d23716d90bdf365e6c463d5e90f48df7d85d0604986",
  "image_tags":["2026.03.14-2"],"account_id":"111122223333","region":"us-east-1",
  "first_observed_at":"2026-03-10T08:15:02.123Z","last_observed_at":"2026-03-14T06:02:44.871Z",
  "updated_at":"2026-03-14T06:02:44.871Z",
  "record_path":"findings[0].packageVulnerabilityDetails.vulnerablePackages[0]"})";
const char* const kVulnerabilityEcrBasic =
    R"({"id":"ecr-basic:sha256:80ce:CVE-2023-4911#glibc@2.36-9+deb12u1",
  "scanner":"ecr-basic","scanner_vendor":"Amazon ECR","vulnerability_id":"CVE-2023-4911",
  "severity":"HIGH","score":7.2,"score_version":"2.0","package_name":"glibc",
  "package_version":"2.36-9+deb12u1","image_repository":"payments-api",
  "image_registry":"111122223333","image_digest":"sha256:80ce","image_tags":["2026.03.14-2"],
  "account_id":"111122223333","scanned_at":"2026-03-14T07:02:11.000Z",
  "record_path":"imageScanFindings.findings[1]"})";

std::map<std::string, std::shared_ptr<SampleEvents>>& cache() {
  static std::map<std::string, std::shared_ptr<SampleEvents>> c;
  return c;
}

// Named fixtures: "file#index" style, resolved lazily.
const EventView& fixture(const std::string& id) {
  struct Def {
    const char* file;  // relative to samples, or nullptr for inline
    const char* json;
    Source source;
    size_t index;
  };
  static const std::map<std::string, Def> defs = {
      {"ct.createcluster",
       {"cloudtrail/eks-and-pod-identity/awsdocs-eks-ug__CreateCluster.json", nullptr,
        Source::CloudTrail, 0}},
      {"ct.podidentity",
       {"cloudtrail/eks-and-pod-identity/eks-immersion-day__eks-auth-AssumeRoleForPodIdentity.json",
        nullptr, Source::CloudTrail, 0}},
      {"ct.sts",
       {"cloudtrail/eks-and-pod-identity/"
        "eks-immersion-day__sts-AssumeRole-by-pods.eks.amazonaws.com.json",
        nullptr, Source::CloudTrail, 0}},
      {"ct.console",
       {"cloudtrail/stratus-red-team-detonation-logs/"
        "aws.initial-access.console-login-without-mfa.json",
        nullptr, Source::CloudTrail, 0}},
      {"ct.denied",
       {"cloudtrail/stratus-red-team-detonation-logs/"
        "aws.credential-access.ec2-get-password-data.json",
        nullptr, Source::CloudTrail, 0}},
      {"ct.selectors",
       {"cloudtrail/stratus-red-team-detonation-logs/"
        "aws.defense-evasion.cloudtrail-event-selectors.json",
        nullptr, Source::CloudTrail, 0}},
      {"ct.synthetic", {nullptr, kCloudTrailSynthetic, Source::CloudTrail, 0}},
      {"audit.exec", {"k8s-audit/falco-trace-files/exec_pod.json", nullptr, Source::K8sAudit, 0}},
      {"audit.priv2",
       {"k8s-audit/falco-trace-files/create_nginx_pod_privileged_2nd_container.json", nullptr,
        Source::K8sAudit, 0}},
      {"audit.eks", {"k8s-audit/eks/ocsf-examples__eks.raw.json", nullptr, Source::K8sAudit, 0}},
      {"audit.synthetic", {nullptr, kAuditSynthetic, Source::K8sAudit, 0}},
      {"gd.anon",
       {"guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl", nullptr,
        Source::GuardDuty, 0}},
      {"gd.tor",
       {"guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl", nullptr,
        Source::GuardDuty, 1}},
      {"gd.runtime",
       {"guardduty/elastic-integrations/test-guardduty.log.lines-2-3-5.jsonl", nullptr,
        Source::GuardDuty, 2}},
      {"gd.cli",
       {"guardduty/"
        "cdk-eks-blueprints-patterns__cli-get-findings__PrivilegeEscalation-Kubernetes-"
        "PrivilegedContainer.json",
        nullptr, Source::GuardDuty, 0}},
      {"falco.kaudit", {"falco/falco-website__alerts.jsonl", nullptr, Source::Falco, 0}},
      {"falco.exec", {"falco/falco-website__alerts.jsonl", nullptr, Source::Falco, 3}},
      {"falco.shell", {"falco/falco-website__alerts.jsonl", nullptr, Source::Falco, 6}},
      {"falco.raw", {"ocsf/ocsf-examples__falco.raw.json", nullptr, Source::Falco, 0}},
      {"ocsf.finding",
       {"ocsf/ocsf-examples__v1.1.0__securityhub-guardduty__detection_finding.ocsf.json", nullptr,
        Source::Ocsf, 0}},
      {"ocsf.api",
       {"ocsf/ocsf-examples__v1.1.0__eks-audit__api_activity.ocsf.json", nullptr, Source::Ocsf, 0}},
      {"vuln.inspector", {nullptr, kVulnerabilityInspector, Source::Vulnerability, 0}},
      {"vuln.ecr", {nullptr, kVulnerabilityEcrBasic, Source::Vulnerability, 0}},
  };
  const Def& d = defs.at(id);
  std::string key = d.file ? d.file : id;
  auto& slot = cache()[key];
  if (!slot)
    slot = d.file ? SampleEvents::file(d.file, d.source) : SampleEvents::text(d.json, d.source, id);
  return (*slot)[d.index];
}

std::string render(const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::String:
      return std::string(v.str);
    case FieldValue::Type::Int:
      return std::to_string(v.i);
    case FieldValue::Type::Uint:
      return std::to_string(v.u);
    case FieldValue::Type::Double: {
      std::ostringstream os;
      os << v.d;
      return os.str();
    }
    case FieldValue::Type::Bool:
      return v.b ? "true" : "false";
    case FieldValue::Type::Null:
      return "null";
    case FieldValue::Type::Object:
      return "{}";
  }
  return "?";
}

std::string values_of(const std::string& field, const EventView& ev) {
  std::string out;
  FieldRef ref(field);
  ref.any(ev, [&](const FieldValue& v) {
    if (!out.empty()) out += ",";
    out += render(v);
    return false;
  });
  return out;
}

// ---- every ECS row -------------------------------------------------------------------------

struct RowCase {
  const char* field;
  const char* fixture;
  const char* expected;  // values joined by ','; "" = no value
};

const RowCase kRowCases[] = {
    {"@timestamp", "ct.createcluster", "2018-05-28T19:16:43.000Z"},
    {"@timestamp", "audit.exec", "2018-10-26T13:38:34.902914Z"},
    {"@timestamp", "falco.shell", "2021-01-14T23:39:44.834631763Z"},
    {"@timestamp", "vuln.inspector", "2026-03-10T08:15:02.123Z"},
    {"@timestamp", "vuln.ecr", "2026-03-14T07:02:11.000Z"},
    {"event.provider", "ct.createcluster", "eks.amazonaws.com"},
    {"event.provider", "falco.kaudit", "k8s_audit"},
    {"event.provider", "ocsf.api", "Amazon EKS"},
    {"event.source", "ct.createcluster", "eks.amazonaws.com"},
    {"event.source", "audit.exec", ""},
    {"event.action", "ct.createcluster", "CreateCluster"},
    {"event.action", "audit.exec", "create"},
    {"event.action", "gd.anon", "Persistence:Kubernetes/SuccessfulAnonymousAccess"},
    {"event.action", "falco.exec", "Attach/Exec Pod"},
    {"event.action", "ocsf.finding",
     "AWS CloudTrail trail arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me was "
     "disabled."},
    {"event.action", "ocsf.api", "create"},
    {"action.event", "ct.podidentity", "AssumeRoleForPodIdentity"},
    {"event.outcome", "ct.createcluster", "success"},
    {"event.outcome", "ct.denied", "failure"},
    {"event.outcome", "ct.console", "success"},
    {"event.outcome", "ct.synthetic", "failure"},
    {"event.outcome", "audit.exec", "success"},
    {"event.outcome", "audit.synthetic", "failure"},
    {"event.outcome", "ocsf.api", "success"},
    {"event.outcome", "gd.anon", ""},
    {"event.dataset", "ct.createcluster", "aws.cloudtrail"},
    {"event.dataset", "audit.exec", "kubernetes.audit_logs"},
    {"event.dataset", "gd.anon", "aws.guardduty"},
    {"event.dataset", "falco.shell", "falco"},
    {"event.dataset", "ocsf.api", "ocsf"},
    {"event.dataset", "vuln.ecr", "vulnerability"},
    {"data_stream.dataset", "audit.exec", "kubernetes.audit_logs"},
    {"event.module", "audit.exec", "kubernetes"},
    {"event.module", "gd.anon", "aws"},
    {"event.module", "vuln.inspector", "inspector"},
    {"event.module", "vuln.ecr", "ecr-basic"},
    {"event.kind", "ct.createcluster", "event"},
    {"event.kind", "gd.anon", "alert"},
    {"event.kind", "ocsf.finding", "alert"},
    {"event.kind", "ocsf.api", "event"},
    {"event.kind", "vuln.inspector", "state"},
    {"event.id", "ct.createcluster", "eab22523-174a-499c-9dd6-91e7be3ff8e3"},
    {"event.category", "ct.console", "authentication"},
    {"event.type", "ct.createcluster", "info"},
    {"event.id", "audit.exec", "ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6"},
    {"event.id", "gd.anon", "250023a9abcdefabcdef12345678"},
    {"event.id", "falco.raw", "ec834826-90c1-458a-8eec-a014e7266754"},
    {"event.id", "vuln.ecr", "ecr-basic:sha256:80ce:CVE-2023-4911#glibc@2.36-9+deb12u1"},
    {"event.severity", "gd.anon", "8"},
    {"event.severity", "falco.shell", "5"},
    {"event.severity", "ocsf.finding", "2"},
    {"event.start", "gd.anon", "2022-11-17T09:33:19.000Z"},
    {"event.end", "gd.anon", "2022-11-22T12:22:20.000Z"},
    {"event.start", "vuln.inspector", "2026-03-10T08:15:02.123Z"},
    {"event.start", "vuln.ecr", ""},
    {"event.end", "vuln.inspector", "2026-03-14T06:02:44.871Z"},
    {"message", "gd.anon",
     "Kubernetes API commonly used in Persistence tactics was invoked on cluster "
     "GeneratedFindingEKSClusterName by the anonymous user system:anonymous."},
    {"message", "ocsf.api", "ResponseComplete"},
    {"message", "vuln.inspector", "Malicious code was found in xz."},
    {"rule.name", "gd.anon", "Persistence:Kubernetes/SuccessfulAnonymousAccess"},
    {"rule.name", "falco.shell", "Terminal shell in container"},
    {"rule.category", "gd.anon", "Persistence"},
    {"rule.ruleset", "gd.anon", "Persistence:Kubernetes"},
    {"source.ip", "ct.createcluster", "205.251.233.178"},
    {"source.ip", "ct.sts", ""},
    {"source.ip", "ct.synthetic", "2001:db8::1"},
    {"source.ip", "audit.synthetic", "10.0.0.5,10.0.0.6"},
    {"source.ip", "gd.anon", "175.16.199.1"},
    {"source.ip", "ocsf.finding", "52.94.133.131"},
    {"source.address", "ct.sts", "pods.eks.amazonaws.com"},
    {"source.address", "audit.exec", "192.168.99.1"},
    {"user.name", "ct.createcluster", "username"},
    {"user.name", "ct.podidentity", "eks-security-workshop"},
    {"user.name", "ct.synthetic", "root"},
    {"user.name", "audit.exec", "minikube-user"},
    {"user.name", "gd.anon", "system:anonymous"},
    {"user.name", "falco.kaudit", "csi-cinder-controller"},
    {"user.name", "falco.shell", "root"},
    {"user.name", "ocsf.api", "system:node:ip-192-001-02-03.ec2.internal"},
    {"user.id", "ct.podidentity", "AROA37QFXJP5E2DPF472Q:i-07574d724fb843fda"},
    {"user.id", "audit.eks", "heptio-authenticator-aws:123456789012:ABCD1234567890EXAMPLE"},
    {"user.roles", "audit.exec", "system:masters,system:authenticated"},
    {"user.roles", "gd.anon", "system:unauthenticated"},
    {"user.target.name", "ct.synthetic", ""},
    {"group.name", "ct.createcluster", ""},
    {"user_agent.original", "ct.createcluster", "PostmanRuntime/6.4.0"},
    {"user_agent.original", "audit.eks", "kubelet/v1.21.2 (linux/amd64) kubernetes/729bdfc"},
    {"cloud.provider", "ct.createcluster", "aws"},
    {"cloud.provider", "ocsf.api", "aws"},
    {"cloud.provider", "audit.exec", ""},
    {"cloud.region", "ct.podidentity", "us-west-2"},
    {"cloud.region", "gd.anon", "us-east-1"},
    {"cloud.region", "ocsf.finding", "us-east-2"},
    {"cloud.region", "vuln.inspector", "us-east-1"},
    {"cloud.region", "vuln.ecr", ""},
    {"cloud.account.id", "ct.createcluster", "111122223333"},
    {"cloud.account.id", "ct.sts", "823571991546"},
    {"cloud.account.id", "gd.anon", "123412341234"},
    {"cloud.account.id", "ocsf.finding", "111111111111"},
    {"cloud.account.id", "vuln.ecr", "111122223333"},
    {"tls.client.server_name", "ct.podidentity", "eks-auth.us-west-2.api.aws"},
    {"tls.cipher", "ct.podidentity", "TLS_AES_128_GCM_SHA256"},
    {"url.original", "audit.eks", "/api/v1/nodes"},
    {"url.original", "falco.kaudit",
     "/apis/storage.k8s.io/v1/volumeattachments/"
     "csi-6afb06dce281b86b7bab718b5d966dc261b2b1554941ae449519a128cb2e3fb3/status"},
    {"http.response.status_code", "audit.exec", "101"},
    {"http.response.status_code", "gd.tor", "200"},
    {"http.response.status_code", "falco.kaudit", "200"},
    {"orchestrator.cluster.name", "gd.anon", "GeneratedFindingEKSClusterName"},
    {"orchestrator.namespace", "audit.exec", "default"},
    {"orchestrator.namespace", "falco.exec", "hello-app"},
    {"orchestrator.resource.type", "audit.exec", "pods"},
    {"orchestrator.resource.name", "audit.exec", "nginx-deployment-7998647bdf-phvq7"},
    {"orchestrator.resource.name", "falco.exec", "nginx-676b6c5bbc-4xc6t"},
    {"container.image.name", "audit.priv2", "nginx,mysql:latest"},
    {"container.image.name", "vuln.inspector",
     "111122223333.dkr.ecr.us-east-1.amazonaws.com/payments-api"},
    {"container.image.name", "vuln.ecr", "payments-api"},  // no region: the repository
    {"container.image.tag", "vuln.inspector", "2026.03.14-2"},
    {"container.image.tag", "audit.priv2", ""},
    {"container.image.hash.all", "vuln.inspector",
     "sha256:80cee15bdb2551ed67800d23716d90bdf365e6c463d5e90f48df7d85d0604986"},
    {"container.id", "gd.runtime", "abcd1234"},
    {"process.name", "gd.runtime", "sshd"},
    {"process.name", "falco.shell", "sh"},
    {"process.executable", "gd.runtime", "/usr/bin/ssh"},
    {"process.command_line", "falco.shell", "sh"},
    {"process.pid", "gd.runtime", "2345"},
    {"host.hostname", "falco.kaudit", "my-pool-1-node-921b61"},
    {"host.id", "gd.runtime", "i-abcd1234"},
    {"host.type", "gd.runtime", "m2.large"},
    {"host.os.platform", "gd.anon", ""},
    {"cloud.instance.id", "gd.runtime", "i-abcd1234"},
    {"cloud.machine.type", "gd.runtime", "m2.large"},
    {"cloud.service.name", "gd.anon", "guardduty"},
    {"cloud.service.name", "ct.createcluster", ""},
    {"event.created", "gd.anon", "2022-11-17T09:33:19.225Z"},
    {"container.name", "gd.anon", ""},
    {"container.runtime", "gd.runtime", "docker"},
    {"container.security_context.privileged", "gd.runtime", ""},  // null in the sample
    {"process.start", "gd.runtime", "2024-10-04T04:06:30.377Z"},
    {"process.working_directory", "gd.runtime", "/home/user"},
    {"threat.indicator.file.path", "gd.runtime", "/tmp/malicious_file.bin"},
    {"threat.software.name", "gd.runtime", "SSH Backdoor"},
    // EBS malware scans: the conformance cases (tests/data/conformance) have none either.
    {"file.hash.sha256", "gd.runtime", ""},
    {"file.name", "gd.runtime", ""},
    {"file.path", "gd.runtime", ""},
    {"network.iana_number", "gd.runtime", "6"},
    // DNS, network connection and port probe findings: tests/data/conformance/guardduty.json.
    {"dns.question.name", "gd.anon", ""},
    {"network.direction", "gd.anon", ""},
    {"network.transport", "gd.anon", ""},
    {"destination.address", "gd.anon", ""},
    {"source.port", "gd.anon", ""},
    {"source.as.number", "gd.anon", "0"},
    {"source.as.organization.name", "gd.tor", "GeneratedFindingASNOrg"},
    {"source.geo.city_name", "gd.anon", "GeneratedFindingCityName"},
    {"source.geo.country_name", "gd.anon", "GeneratedFindingCountryName"},
    {"source.geo.country_iso_code", "gd.anon", ""},
    {"vulnerability.id", "vuln.inspector", "CVE-2024-3094"},
    {"vulnerability.id", "gd.anon", ""},
    {"vulnerability.severity", "vuln.inspector", "CRITICAL"},
    {"vulnerability.severity", "vuln.ecr", "HIGH"},
    {"vulnerability.score.base", "vuln.inspector", "10"},
    {"vulnerability.score.base", "vuln.ecr", "7.2"},
    {"vulnerability.score.version", "vuln.ecr", "2.0"},
    {"vulnerability.scanner.vendor", "vuln.inspector", "Amazon Inspector"},
    {"vulnerability.scanner.vendor", "vuln.ecr", "Amazon ECR"},
    {"vulnerability.description", "vuln.inspector", "Malicious code was found in xz."},
    {"vulnerability.reference", "vuln.inspector",
     "https://security-tracker.debian.org/tracker/CVE-2024-3094"},
    {"package.name", "vuln.inspector", "xz-utils"},
    {"package.version", "vuln.inspector", "5.6.0-0.2"},
    {"package.fixed_version", "vuln.inspector", "5.6.1+really5.4.5-1"},
    {"package.fixed_version", "vuln.ecr", ""},
    {"package.type", "vuln.inspector", "os"},
    {"package.path", "vuln.inspector", ""},
    {"aws.cloudtrail.event_version", "ct.createcluster", "1.05"},
    {"aws.cloudtrail.event_type", "ct.createcluster", "AwsApiCall"},
    {"aws.cloudtrail.event_category", "ct.podidentity", "Management"},
    {"aws.cloudtrail.error_code", "ct.denied", "Client.UnauthorizedOperation"},
    {"aws.cloudtrail.error_message", "ct.createcluster", ""},
    {"aws.cloudtrail.request_id", "ct.createcluster", "a7a0735d-62ab-11e8-9f79-81ce5b2b7d37"},
    {"aws.cloudtrail.recipient_account_id", "ct.denied", "457448411975"},
    {"aws.cloudtrail.shared_event_id", "ct.sts", "c30ac43f-e051-426b-94bc-ab73b05e34e9"},
    {"aws.cloudtrail.vpc_endpoint_id", "ct.synthetic", "vpce-0abc"},
    {"aws.cloudtrail.api_version", "ct.synthetic", "2016-11-15"},
    {"aws.cloudtrail.management_event", "ct.podidentity", "true"},
    {"aws.cloudtrail.read_only", "ct.createcluster", "false"},
    {"aws.cloudtrail.session_credential_from_console", "ct.synthetic", "true"},
    {"aws.cloudtrail.resources.arn", "ct.sts",
     "arn:aws:iam::823571991546:role/eks-pod-s3-read-access-role"},
    {"aws.cloudtrail.resources.type", "ct.sts", "AWS::IAM::Role"},
    {"aws.cloudtrail.resources.account_id", "ct.sts", "823571991546"},
    {"aws.cloudtrail.user_identity.type", "ct.sts", "AWSService"},
    {"aws.cloudtrail.user_identity.arn", "ct.createcluster",
     "arn:aws:iam::111122223333:user/username"},
    {"aws.cloudtrail.user_identity.access_key_id", "ct.createcluster", "AKIAIOSFODNN7EXAMPLE"},
    {"aws.cloudtrail.user_identity.invoked_by", "ct.sts", "pods.eks.amazonaws.com"},
    {"aws.cloudtrail.user_identity.session_context.mfa_authenticated", "ct.podidentity", "false"},
    {"aws.cloudtrail.user_identity.session_context.creation_date", "ct.podidentity",
     "2024-04-16T08:23:33Z"},
    {"aws.cloudtrail.user_identity.session_context.session_issuer.type", "ct.podidentity", "Role"},
    {"aws.cloudtrail.user_identity.session_context.session_issuer.arn", "ct.podidentity",
     "arn:aws:iam::823571991546:role/eks-security-workshop"},
    {"aws.cloudtrail.user_identity.session_context.session_issuer.principal_id", "ct.podidentity",
     "AROA37QFXJP5E2DPF472Q"},
    {"aws.cloudtrail.user_identity.session_context.session_issuer.account_id", "ct.podidentity",
     "823571991546"},
    {"aws.cloudtrail.user_identity.*", "ct.podidentity", ""},  // prefix rows: see below
    {"aws.cloudtrail.user_identity.session_context.ec2_role_delivery", "ct.podidentity", "2.0"},
    {"aws.cloudtrail.request_parameters", "ct.selectors",
     "{eventSelectors=[{dataResources=[{type=AWS::S3::Object}, {type=AWS::Lambda::Function}], "
     "includeManagementEvents=false, readWriteType=ReadOnly}], "
     "trailName=stratus-red-team-ctes-trail-khlvciwdor}"},
    {"aws.cloudtrail.request_parameters", "ct.console", ""},
    {"aws.cloudtrail.response_elements", "ct.console", "{ConsoleLogin=Success}"},
    {"aws.cloudtrail.additional_eventdata", "ct.console",
     "{LoginTo=https://console.aws.amazon.com/console/home, MFAUsed=No, MobileVersion=No}"},
    {"aws.cloudtrail.service_event_details", "ct.synthetic", "{snapshotId=snap-1}"},
    {"aws.cloudtrail.flattened.request_parameters.*", "ct.createcluster", ""},
    {"aws.cloudtrail.flattened.request_parameters.clusterName", "ct.createcluster", "test"},
    {"aws.cloudtrail.flattened.request_parameters.resourcesVpcConfig.subnetIds", "ct.createcluster",
     "subnet-a670c2df,subnet-4f8c5004"},
    {"aws.cloudtrail.flattened.response_elements.*", "ct.createcluster", ""},
    {"aws.cloudtrail.flattened.response_elements.cluster.status", "ct.createcluster", "CREATING"},
    {"aws.cloudtrail.flattened.additional_eventdata.*", "ct.console", ""},
    {"aws.cloudtrail.flattened.additional_eventdata.MFAUsed", "ct.console", "No"},
    {"aws.cloudtrail.flattened.service_event_details.*", "ct.synthetic", ""},
    {"aws.cloudtrail.flattened.service_event_details.snapshotId", "ct.synthetic", "snap-1"},
    {"aws.cloudtrail.request_parameters.*", "ct.createcluster", ""},
    {"aws.cloudtrail.request_parameters.roleArn", "ct.createcluster",
     "arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEKS-CAC1G1VH3ZKZ"},
    {"aws.cloudtrail.response_elements.*", "ct.createcluster", ""},
    {"aws.cloudtrail.response_elements.cluster.version", "ct.createcluster", "1.10"},
    {"aws.cloudtrail.console_login.additional_eventdata.mfa_used", "ct.console", "false"},
    {"aws.cloudtrail.console_login.additional_eventdata.mfa_used", "ct.synthetic", "true"},
    {"aws.cloudtrail.console_login.additional_eventdata.mobile_version", "ct.console", "false"},
    {"aws.cloudtrail.console_login.additional_eventdata.login_to", "ct.console",
     "https://console.aws.amazon.com/console/home"},
    {"kubernetes.audit.objectRef.resource", "audit.exec", "pods,pods/exec"},
    {"kubernetes.audit.objectRef.resource", "audit.priv2", "pods"},
    {"kubernetes.audit.annotations.*", "audit.exec", ""},
    {"kubernetes.audit.annotations.authorization_k8s_io/decision", "audit.exec", "allow"},
    {"kubernetes.audit.annotations.authorization.k8s.io/decision", "audit.synthetic", "forbid"},
    {"kubernetes.audit.*", "audit.exec", ""},
    {"kubernetes.audit.verb", "audit.exec", "create"},
    {"kubernetes.audit.user.extra.authentication.kubernetes.io/pod-name", "audit.synthetic",
     "app-7d9f"},
    {"kubernetes.audit.user.extra.sessionName", "audit.eks", "i-12345678901"},
    {"aws.guardduty.*", "gd.anon", ""},
    {"aws.guardduty.resource.eks_cluster_details.name", "gd.anon",
     "GeneratedFindingEKSClusterName"},
    {"aws.guardduty.service.action.kubernetes_api_call_action.source_ips", "gd.anon",
     "175.16.199.1"},
    {"falco.*", "falco.shell", ""},
    {"falco.output_fields.k8s.pod.name", "falco.shell", "alpine"},
};

TEST(FieldTable, EveryRowHasACase) {
  std::set<std::string> covered;
  for (const RowCase& c : kRowCases) covered.insert(c.field);
  for (const FieldInfo& f : field_table())
    EXPECT_TRUE(covered.count(f.ecs)) << "no test for row " << f.ecs;
}

TEST(FieldTable, RowsResolveOnSamples) {
  for (const RowCase& c : kRowCases) {
    std::string field = c.field;
    if (field.size() > 2 && field.compare(field.size() - 2, 2, ".*") == 0) continue;  // prefix rows
    SCOPED_TRACE(std::string(c.field) + " on " + c.fixture);
    EXPECT_EQ(values_of(field, fixture(c.fixture)), c.expected);
    EXPECT_TRUE(FieldRef(field).known());
    EXPECT_TRUE(FieldRef(field).ecs());
  }
}

TEST(FieldTable, AliasesCopyTheirTarget) {
  const auto& table = field_table();
  auto row = [&](const std::string& name) -> const FieldInfo& {
    for (const FieldInfo& f : table)
      if (f.ecs == name) return f;
    throw std::runtime_error("no row " + name);
  };
  EXPECT_EQ(row("event.source").native, row("event.provider").native);
  EXPECT_EQ(row("action.event").native, row("event.action").native);
  EXPECT_EQ(row("data_stream.dataset").native, row("event.dataset").native);
}

TEST(FieldTable, AppliesTo) {
  EXPECT_TRUE(FieldRef("event.action").applies_to(Source::CloudTrail));
  EXPECT_TRUE(FieldRef("event.action").applies_to(Source::Falco));
  EXPECT_FALSE(FieldRef("event.source").applies_to(Source::K8sAudit));
  EXPECT_FALSE(FieldRef("aws.cloudtrail.error_code").applies_to(Source::K8sAudit));
  EXPECT_TRUE(FieldRef("kubernetes.audit.verb").applies_to(Source::K8sAudit));
  EXPECT_FALSE(FieldRef("kubernetes.audit.verb").applies_to(Source::CloudTrail));
  // Native paths apply where their first key is a top-level key.
  EXPECT_TRUE(FieldRef("verb").applies_to(Source::K8sAudit));
  EXPECT_FALSE(FieldRef("verb").applies_to(Source::CloudTrail));
  EXPECT_TRUE(FieldRef("eventName").applies_to(Source::CloudTrail));
  EXPECT_FALSE(FieldRef("eventName").applies_to(Source::GuardDuty));
  EXPECT_TRUE(FieldRef("output_fields.k8s.pod.name").applies_to(Source::Falco));
  EXPECT_TRUE(FieldRef("userAgent").applies_to(Source::CloudTrail));
  EXPECT_TRUE(FieldRef("userAgent").applies_to(Source::K8sAudit));
  // Vulnerability events: the ECS names mapped to their shape, and its own keys.
  EXPECT_TRUE(FieldRef("vulnerability.id").applies_to(Source::Vulnerability));
  EXPECT_FALSE(FieldRef("vulnerability.id").applies_to(Source::K8sAudit));
  EXPECT_TRUE(FieldRef("container.image.name").applies_to(Source::Vulnerability));
  EXPECT_FALSE(FieldRef("event.action").applies_to(Source::Vulnerability));
  EXPECT_TRUE(FieldRef("exploit_available").applies_to(Source::Vulnerability));
  EXPECT_TRUE(FieldRef("exploit_available").known());
  EXPECT_FALSE(FieldRef("exploit_available").applies_to(Source::GuardDuty));
  EXPECT_FALSE(FieldRef("eventName").applies_to(Source::Vulnerability));
  // Unknown names apply everywhere.
  FieldRef unknown("no.such.field");
  EXPECT_FALSE(unknown.known());
  for (int s = 0; s < kSourceCount; ++s) EXPECT_TRUE(unknown.applies_to(static_cast<Source>(s)));
}

TEST(FieldTable, Known) {
  EXPECT_TRUE(FieldRef("event.action").known());
  EXPECT_TRUE(FieldRef("requestObject.spec.containers.securityContext.privileged").known());
  EXPECT_TRUE(FieldRef("output_fields.ka.uri.param[command]").known());
  EXPECT_TRUE(FieldRef("kubernetes.audit.anything.at.all").known());
  EXPECT_TRUE(FieldRef("Resource.EksClusterDetails.Name").known());  // GuardDuty CLI casing
  EXPECT_FALSE(FieldRef("event.categories").known());
  EXPECT_FALSE(FieldRef("verbb").known());
  EXPECT_FALSE(FieldRef("eventname").known());  // case matters for native paths
}

TEST(FieldTable, TimeFields) {
  EXPECT_TRUE(FieldRef("@timestamp").is_time());
  EXPECT_TRUE(FieldRef("eventTime").is_time());
  EXPECT_TRUE(FieldRef("stageTimestamp").is_time());
  EXPECT_FALSE(FieldRef("eventName").is_time());
  EXPECT_TRUE(FieldRef("first_observed_at").is_time());
  EXPECT_TRUE(FieldRef("scanned_at").is_time());
  EXPECT_TRUE(FieldRef("event.start").is_time());
}

TEST(FieldTable, Verbatim) {
  EXPECT_TRUE(FieldRef("eventName").verbatim(Source::CloudTrail));
  EXPECT_TRUE(FieldRef("event.action").verbatim(Source::CloudTrail));
  EXPECT_TRUE(
      FieldRef("user.name").verbatim(Source::CloudTrail));  // ARN's last part is a substring
  EXPECT_FALSE(FieldRef("event.outcome").verbatim(Source::CloudTrail));
  EXPECT_FALSE(FieldRef("event.dataset").verbatim(Source::K8sAudit));
  EXPECT_FALSE(FieldRef("aws.cloudtrail.request_parameters").verbatim(Source::CloudTrail));
  EXPECT_FALSE(FieldRef("@timestamp").verbatim(Source::CloudTrail));
  // A vulnerability's values are strings of its rebuilt document, as they are matched.
  EXPECT_TRUE(FieldRef("vulnerability.severity").verbatim(Source::Vulnerability));
  EXPECT_FALSE(FieldRef("event.kind").verbatim(Source::Vulnerability));
}

TEST(FieldTable, Describe) {
  EXPECT_EQ(FieldRef("event.action").describe(Source::CloudTrail), "eventName");
  EXPECT_EQ(FieldRef("event.action").describe(Source::K8sAudit), "verb");
  EXPECT_EQ(FieldRef("event.dataset").describe(Source::Falco), "'falco'");
  EXPECT_EQ(
      FieldRef("aws.cloudtrail.flattened.request_parameters.name").describe(Source::CloudTrail),
      "requestParameters.name");
  EXPECT_EQ(FieldRef("user.name").describe(Source::CloudTrail),
            "userIdentity.userName | userIdentity.sessionContext.sessionIssuer.userName | "
            "=arn_last(userIdentity.arn) | additionalEventData.UserName");
  EXPECT_EQ(FieldRef("event.source").describe(Source::K8sAudit), "");
  EXPECT_EQ(FieldRef("container.image.name").describe(Source::Vulnerability),
            "image_name | image_repository");
  EXPECT_EQ(FieldRef("event.kind").describe(Source::Vulnerability), "'state'");
}

// ---- native paths ----------------------------------------------------------------------------

struct PathCase {
  const char* field;
  const char* fixture;
  const char* expected;
};

const PathCase kPathCases[] = {
    // Objects, then arrays traversed (any element).
    {"requestObject.spec.containers.securityContext.privileged", "audit.priv2", "false,true"},
    {"requestObject.spec.containers.image", "audit.priv2", "nginx,mysql:latest"},
    {"sourceIPs", "audit.exec", "192.168.99.1"},
    {"user.groups", "audit.exec", "system:masters,system:authenticated"},
    // Keys with dots and slashes.
    {"annotations.authorization.k8s.io/decision", "audit.exec", "allow"},
    {"annotations.authorization_k8s_io/decision", "audit.exec", "allow"},  // Elastic's spelling
    {"output_fields.k8s.pod.name", "falco.shell", "alpine"},
    {"output_fields.ka.uri.param[command]", "falco.exec", "cat"},
    {"output_fields.ka.target.subresource", "falco.exec", "exec"},
    {"output_fields.evt.time", "falco.kaudit", "1739178940698757000"},
    {"user.extra.authentication.kubernetes.io/pod-name", "audit.synthetic", "app-7d9f"},
    {"user.extra.sessionName", "audit.eks", "i-12345678901"},
    {"user.extra.canonicalArn", "audit.eks",
     "arn:aws:iam::123456789012:role/example-test-161366663-NodeInstanceRole-abc12345678912"},
    // objectRef.resource also gives resource/subresource.
    {"objectRef.resource", "audit.exec", "pods,pods/exec"},
    {"objectRef.subresource", "audit.exec", "exec"},
    // Object leaves, nulls and scalars of every type.
    {"objectRef", "audit.exec", "{}"},
    {"responseElements", "ct.denied", "null"},
    {"responseStatus.code", "audit.exec", "101"},
    {"readOnly", "ct.podidentity", "true"},
    {"responseElements.cluster.createdAt", "ct.createcluster", "1.52754e+09"},
    {"requestParameters.tags.value", "ct.sts",
     "arn:aws:eks:us-west-2:823571991546:cluster/"
     "eksworkshop-eksctl,eksworkshop-eksctl,ns-a,sa1,app1,0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012"},
    // Paths that reach nothing.
    {"requestObject.spec.containers.nope", "audit.priv2", ""},
    {"verb.more", "audit.exec", ""},
    {"eventName", "audit.exec", ""},
    // GuardDuty as the AWS CLI prints it (PascalCase): matched ignoring case.
    {"Resource.KubernetesDetails.KubernetesWorkloadDetails.Containers.SecurityContext.Privileged",
     "gd.cli", "true"},
    {"resource.eksClusterDetails.name", "gd.anon", "GeneratedFindingEKSClusterName"},
    {"service.action.kubernetesApiCallAction.sourceIPs", "gd.anon", "175.16.199.1"},
};

TEST(NativePaths, Resolve) {
  for (const PathCase& c : kPathCases) {
    SCOPED_TRACE(std::string(c.field) + " on " + c.fixture);
    EXPECT_EQ(values_of(c.field, fixture(c.fixture)), c.expected);
  }
}

TEST(NativePaths, StopEarly) {
  FieldRef ref("requestObject.spec.containers.image");
  int calls = 0;
  bool stopped = ref.any(fixture("audit.priv2"), [&](const FieldValue&) {
    ++calls;
    return true;
  });
  EXPECT_TRUE(stopped);
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_FALSE(
      ref.any(fixture("audit.priv2"), [&](const FieldValue&) { ++calls; }));  // void callback
  EXPECT_EQ(calls, 2);
}

TEST(NativePaths, Exists) {
  EXPECT_TRUE(FieldRef("verb").exists(fixture("audit.exec")));
  EXPECT_FALSE(FieldRef("requestObject").exists(fixture("audit.exec")));
  EXPECT_FALSE(FieldRef("responseElements").exists(fixture("ct.denied")));  // null
  EXPECT_TRUE(FieldRef("event.outcome").exists(fixture("ct.denied")));
}

TEST(NativePaths, AnyInRelative) {
  const EventView& ev = fixture("audit.priv2");
  std::vector<std::string> privileged_images;
  FieldRef("requestObject.spec.containers").any(ev, [&](const FieldValue& container) {
    bool priv = false;
    FieldRef::any_in(container.elem, "securityContext.privileged", [&](const FieldValue& v) {
      priv = v.type == FieldValue::Type::Bool && v.b;
      return priv;
    });
    if (priv)
      FieldRef::any_in(container.elem, "image", [&](const FieldValue& v) {
        privileged_images.emplace_back(v.str);
        return true;
      });
    return false;
  });
  EXPECT_EQ(privileged_images, std::vector<std::string>{"mysql:latest"});
}

TEST(NativePaths, DottedKeyAndPlainKeyBothWalked) {
  auto events = SampleEvents::text(R"({"a":{"b":"nested"},"a.b":"dotted","x":[{"y":[1,[2,3]]}]})",
                                   Source::Falco);
  EXPECT_EQ(values_of("a.b", (*events)[0]), "nested,dotted");
  EXPECT_EQ(values_of("x.y", (*events)[0]), "1,2,3");
}

TEST(NativePaths, CachedLookupsGiveTheSameValuesPerEvent) {
  // Every path case, looked up twice through one cache (walked, then replayed), then on the
  // next event: the same values as without the cache, and nothing carried over between events.
  FieldCache cache;
  for (const PathCase& c : kPathCases) {
    SCOPED_TRACE(std::string(c.field) + " on " + c.fixture);
    EventView ev = fixture(c.fixture);
    ev.cache = &cache;
    cache.next();
    EXPECT_EQ(values_of(c.field, ev), c.expected);
    EXPECT_EQ(values_of(c.field, ev), c.expected);
  }
  // Stopping early works on replayed values too.
  EventView priv = fixture("audit.priv2");
  priv.cache = &cache;
  cache.next();
  FieldRef images("requestObject.spec.containers.image");
  EXPECT_EQ(values_of("requestObject.spec.containers.image", priv), "nginx,mysql:latest");
  int calls = 0;
  EXPECT_TRUE(images.any(priv, [&](const FieldValue&) { return ++calls == 1; }));
  EXPECT_EQ(calls, 1);
  EventView a = fixture("audit.exec"), b = fixture("audit.priv2");
  a.cache = b.cache = &cache;
  cache.next();
  EXPECT_EQ(values_of("verb", a), "create");
  cache.next();
  EXPECT_EQ(values_of("verb", b), values_of("verb", fixture("audit.priv2")));
}

// ---- docs/fields.md --------------------------------------------------------------------------

TEST(FieldDocs, MarkdownIsUpToDate) {
  const std::string path = std::string(EKSIR_SOURCE_DIR) + "/docs/fields.md";
  const std::string expected = fields_markdown();
  if (std::getenv("EKSIR_REGENERATE_DOCS")) {
    std::ofstream(path, std::ios::binary) << expected;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_TRUE(ss.str() == expected)
      << "docs/fields.md differs from fields_markdown() (the table in src/event/field_table.cpp). "
         "Regenerate it: EKSIR_REGENERATE_DOCS=1 ./eksir_unit_tests --gtest_filter=FieldDocs.*";
}

TEST(FieldDocs, MentionsEveryRow) {
  const std::string md = fields_markdown();
  for (const FieldInfo& f : field_table())
    EXPECT_NE(md.find("`" + f.ecs + "`"), std::string::npos) << f.ecs;
}

}  // namespace
}  // namespace eksir
