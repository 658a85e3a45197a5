// THE field table: ECS names (Elastic's AWS CloudTrail, GuardDuty and Kubernetes audit
// integrations, plus the playbook's aliases) → per-source native paths or computed values.
//
// Notation of a cell (see fields.h, FieldInfo::native):
//   path                   a native path; `a | b` tries a, then b (the first with a value wins)
//   =fn(arg[,arg2])        a computed value (implemented in fields.cpp, described in docs)
//   'text'                 a constant
//   *                      in a prefix row (ECS name ending in ".*"): the rest of the name
//   @name (first column)   an alias: the row is a copy of row `name`
//   ""                     the field does not exist on that source
//
// The vulnerability column comes last, after the description, and is left out of the rows where
// the field does not exist on vulnerability events (its default is ""). Vulnerability events are
// rebuilt in one flat shape (sources/unwrap_vulnerability.h): their cells name its keys.
#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "event/field_renames.h"
#include "event/fields.h"
#include "event/native_paths.h"
#include "util/text.h"

namespace eksir {

namespace native {

// The native paths named in native_paths.h.
namespace guardduty {
constexpr char kRegion[] = "region";
constexpr char kId[] = "id";
constexpr char kType[] = "type";
constexpr char kTitle[] = "title";
constexpr char kDescription[] = "description";
constexpr char kSeverity[] = "severity";
constexpr char kInstanceDnsName[] = "resource.instanceDetails.privateDnsName";
constexpr char kContainerImage[] = "resource.containerDetails.image";
constexpr char kEcsTaskImages[] = "resource.ecsClusterDetails.taskDetails.containers.image";
constexpr char kProcessExecutable[] = "service.runtimeDetails.process.executablePath";
constexpr char kProcessName[] = "service.runtimeDetails.process.name";
constexpr char kAccountId[] = "accountId";
constexpr char kClusterName[] = "resource.eksClusterDetails.name";
constexpr char kClusterArn[] = "resource.eksClusterDetails.arn";
constexpr char kKubernetesUser[] = "resource.kubernetesDetails.kubernetesUserDetails.username";
constexpr char kAccessKeyId[] = "resource.accessKeyDetails.accessKeyId";
constexpr char kAccessKeyUser[] = "resource.accessKeyDetails.userName";
constexpr char kAccessKeyUserType[] = "resource.accessKeyDetails.userType";
constexpr char kAccessKeyPrincipalId[] = "resource.accessKeyDetails.principalId";
constexpr char kS3BucketName[] = "resource.s3BucketDetails.name";
constexpr char kKubernetesApiRemoteIp[] =
    "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4";
constexpr char kAwsApiRemoteIp[] = "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4";
constexpr char kNetworkConnectionRemoteIp[] =
    "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4";
constexpr char kWorkloadType[] = "resource.kubernetesDetails.kubernetesWorkloadDetails.type";
constexpr char kWorkloadName[] = "resource.kubernetesDetails.kubernetesWorkloadDetails.name";
constexpr char kWorkloadNamespace[] =
    "resource.kubernetesDetails.kubernetesWorkloadDetails.namespace";
constexpr char kWorkloadUid[] = "resource.kubernetesDetails.kubernetesWorkloadDetails.uid";
constexpr char kWorkloadImages[] =
    "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image";
constexpr char kInstanceId[] = "resource.instanceDetails.instanceId";
constexpr char kInstancePrivateDnsName[] =
    "resource.instanceDetails.networkInterfaces.privateDnsName";
constexpr char kInstanceAvailabilityZone[] = "resource.instanceDetails.availabilityZone";
constexpr char kCreatedAt[] = "createdAt";
constexpr char kFirstSeen[] = "service.eventFirstSeen";
constexpr char kLastSeen[] = "service.eventLastSeen";
}  // namespace guardduty

namespace falco {
constexpr char kSource[] = "source";
constexpr char kTime[] = "time";
constexpr char kRule[] = "rule";
constexpr char kPriority[] = "priority";
constexpr char kOutput[] = "output";
constexpr char kTags[] = "tags";
constexpr char kClusterName[] = "output_fields.k8s.cluster.name";
constexpr char kContainerName[] = "output_fields.container.name";
constexpr char kContainerId[] = "output_fields.container.id";
constexpr char kImage[] = "output_fields.container.image";
constexpr char kProcessCmdline[] = "output_fields.proc.cmdline";
constexpr char kProcessName[] = "output_fields.proc.name";
constexpr char kProcessExecutable[] = "output_fields.proc.exepath";
constexpr char kUserName[] = "output_fields.user.name";
constexpr char kHostname[] = "hostname";
constexpr char kPodName[] = "output_fields.k8s.pod.name";
constexpr char kNamespace[] = "output_fields.k8s.ns.name";
constexpr char kAuditUser[] = "output_fields.ka.user.name";
constexpr char kAuditTargetResource[] = "output_fields.ka.target.resource";
constexpr char kAuditTargetName[] = "output_fields.ka.target.name";
constexpr char kAuditTargetNamespace[] = "output_fields.ka.target.namespace";
constexpr char kAuditResponseName[] = "output_fields.ka.resp.name";
constexpr char kImageRepository[] = "output_fields.container.image.repository";
constexpr char kImageTag[] = "output_fields.container.image.tag";
constexpr char kServerIp[] = "output_fields.fd.sip";
constexpr char kRemoteIp[] = "output_fields.fd.rip";
}  // namespace falco

namespace ocsf {
constexpr char kDeviceHostname[] = "device.hostname";
constexpr char kCategoryUid[] = "category_uid";
constexpr char kSeverity[] = "severity";
constexpr char kSeverityId[] = "severity_id";
constexpr char kStatus[] = "status";
constexpr char kMessage[] = "message";
constexpr char kClassName[] = "class_name";
constexpr char kClassNameOld[] = "classname";
constexpr char kTypeName[] = "type_name";
constexpr char kActivityName[] = "activity_name";
constexpr char kMetadataUid[] = "metadata.uid";
constexpr char kProductName[] = "metadata.product.name";
constexpr char kFindingUid[] = "finding_info.uid";
constexpr char kFindingTitle[] = "finding_info.title";
constexpr char kFindingDesc[] = "finding_info.desc";
constexpr char kFindingTypes[] = "finding_info.types";
constexpr char kFindingAttacks[] = "finding_info.attacks";
constexpr char kFindingUidOld[] = "finding.uid";
constexpr char kFindingTitleOld[] = "finding.title";
constexpr char kFindingDescOld[] = "finding.desc";
constexpr char kFindingTypesOld[] = "finding.types";
constexpr char kAttacksOld[] = "attacks";
constexpr char kAttackTechniqueUid[] = "technique.uid";
constexpr char kAttackSubTechniqueUid[] = "sub_technique.uid";
constexpr char kAttackTacticName[] = "tactic.name";
constexpr char kAttackTacticUid[] = "tactic.uid";
constexpr char kAttackTacticsName[] = "tactics.name";
constexpr char kActorUserName[] = "actor.user.name";
constexpr char kActorUserUid[] = "actor.user.uid";
constexpr char kActorProcessName[] = "actor.process.name";
constexpr char kDeviceName[] = "device.name";
constexpr char kResourcesClusterUid[] = "resources.cluster_uid";
constexpr char kResourcesNamespace[] = "resources.namespace";
constexpr char kResourcesPod[] = "resources.pod";
constexpr char kResourcesName[] = "resources.name";
constexpr char kResourcesUid[] = "resources.uid";
constexpr char kOrchestratorCluster[] = "container.orchestrator.cluster";
constexpr char kPodNamespace[] = "k8s.pod.namespace";
constexpr char kContainerPodUuid[] = "container.pod_uuid";
constexpr char kContainerImageName[] = "container.image.name";
constexpr char kProcessCmdLine[] = "process.cmd_line";
constexpr char kProcessName[] = "process.name";
constexpr char kSourceIp[] = "src_endpoint.ip";
constexpr char kEvidenceSourceIp[] = "evidences.src_endpoint.ip";
constexpr char kCloudAccountUid[] = "cloud.account.uid";
constexpr char kDeviceInstanceUid[] = "device.instance_uid";
constexpr char kResources[] = "resources";
constexpr char kResourceType[] = "type";
constexpr char kResourceName[] = "name";
constexpr char kResourceUid[] = "uid";
}  // namespace ocsf

}  // namespace native

namespace {

namespace gd = native::guardduty;
namespace falco = native::falco;
namespace ocsf = native::ocsf;

// A cell of named native paths tried in order: "a | b".
template <const char*... Paths>
struct AnyOf {
  static constexpr auto cell = [] {
    constexpr std::string_view kOr = " | ";
    std::array<char, (std::char_traits<char>::length(Paths) + ... + 0) +
                         kOr.size() * (sizeof...(Paths) - 1) + 1>
        text{};
    size_t at = 0;
    for (std::string_view path : {std::string_view(Paths)...}) {
      if (at)
        for (char c : kOr) text[at++] = c;
      for (char c : path) text[at++] = c;
    }
    return text;
  }();
};
template <const char*... Paths>
constexpr const char* any_of = AnyOf<Paths...>::cell.data();

struct RowDef {
  const char* ecs;
  const char* type;
  const char* cloudtrail;
  const char* k8s_audit;
  const char* guardduty;
  const char* falco;
  const char* ocsf;
  const char* description;
  const char* vulnerability = "";
};

// clang-format off
constexpr RowDef kRows[] = {
  // ---- event.* -------------------------------------------------------------------------------
  {"@timestamp", "date",
   "=event_time() | eventTime",
   "=event_time() | stageTimestamp | requestReceivedTimestamp | timestamp",
   "=event_time() | updatedAt | createdAt",
   "=event_time() | time",
   "=event_time() | time_dt",
   "When the event happened: the event's time as eksir read it (UTC, ISO 8601, milliseconds or "
   "finer), else the source's own time field. Vulnerabilities: when the scanner first saw the "
   "image vulnerable (Inspector's firstObservedAt), else when the scan ran.",
   "=event_time() | first_observed_at | scanned_at"},
  {"event.provider", "keyword",
   "eventSource", "", "service.action.awsApiCallAction.serviceName", falco::kSource,
   "api.service.name | metadata.product.name",
   "The service that produced the event (CloudTrail eventSource, e.g. eks.amazonaws.com)."},
  {"event.source", "keyword", "@event.provider", "", "", "", "",
   "Alias of event.provider (the playbook's name for CloudTrail eventSource)."},
  {"event.action", "keyword",
   "eventName", "verb", gd::kType, falco::kRule,
   "finding_info.title | api.operation | activity_name",
   "What happened: CloudTrail eventName, audit verb, GuardDuty finding type, Falco rule, OCSF "
   "finding title (or API operation, or activity name)."},
  {"action.event", "keyword", "@event.action", "", "", "", "",
   "Alias of event.action (the playbook's name for CloudTrail eventName)."},
  {"event.outcome", "keyword",
   "=outcome_cloudtrail()", "=outcome_audit()", "", "", "=outcome_ocsf()",
   "success, failure or unknown. CloudTrail: failure when errorCode or errorMessage is present "
   "(ConsoleLogin: responseElements.ConsoleLogin, lower-cased), else success. Audit: "
   "responseStatus.code >= 400 is failure, another code success; without a code the "
   "authorization decision (allow: success, forbid: failure); else unknown. OCSF: status "
   "Success/Failure, else api.response.code."},
  {"event.dataset", "keyword",
   "'aws.cloudtrail'", "'kubernetes.audit_logs'", "'aws.guardduty'", "'falco'", "'ocsf'",
   "The kind of evidence, as Elastic's data_stream.dataset names it (vulnerability findings: "
   "vulnerability).",
   "'vulnerability'"},
  {"data_stream.dataset", "keyword", "@event.dataset", "", "", "", "",
   "Same as event.dataset."},
  {"event.module", "keyword", "'aws'", "'kubernetes'", "'aws'", "'falco'", "'ocsf'",
   "The integration family of the evidence (vulnerability findings: the scanner, inspector, "
   "ecr-basic, ecr-enhanced, trivy or grype).",
   "scanner"},
  {"event.kind", "keyword", "'event'", "'event'", "'alert'", "'alert'", "=ocsf_kind()",
   "event for logs, alert for findings and runtime alerts (OCSF: alert for finding classes "
   "2xxx). Vulnerability findings are state, as ECS has it for a host's state with respect to a "
   "vulnerability: a scanner's report of what an image contains, not a detection of activity.",
   "'state'"},
  {"event.category", "keyword", "=ct_category()", "", "", "", "",
   "ECS category, as Elastic's CloudTrail pipeline sets it: from a fixed table of eventNames "
   "(iam for IAM user and group calls, authentication for ConsoleLogin and AssumeRole, file for "
   "CreateBucket and DeleteBucket); absent for every other event. Kubernetes audit: none "
   "(Elastic's audit pipeline sets neither field). EQL `<category> where` tests it."},
  {"event.type", "keyword", "=ct_type()", "", "", "", "",
   "ECS type, as Elastic's CloudTrail pipeline sets it: from the same table as event.category "
   "(e.g. user and change for AttachUserPolicy), else info. EQL rules with "
   "event_category_override = \"event.type\" test it."},
  {"event.id", "keyword", "eventID", "auditID", gd::kId, "uuid",
   any_of<ocsf::kMetadataUid, ocsf::kFindingUid>,
   "The event's unique id (vulnerabilities: the finding ARN, else scanner:image:vulnerability, "
   "then #package@version).",
   "id"},
  {"event.severity", "long", "", "", gd::kSeverity, "=falco_severity()", ocsf::kSeverityId,
   "Severity as a number: GuardDuty severity (1-10), Falco priority as syslog severity "
   "(Emergency 0 ... Debug 7), OCSF severity_id."},
  {"event.created", "date", "", "", gd::kCreatedAt, "", "",
   "GuardDuty: when the finding was created."},
  {"event.start", "date", "", "", gd::kFirstSeen, "", "start_time_dt",
   "First time the activity (vulnerabilities: the vulnerable image) was seen.",
   "first_observed_at"},
  {"event.end", "date", "", "", gd::kLastSeen, "", "end_time_dt",
   "Last time the activity (vulnerabilities: the vulnerable image) was seen.",
   "last_observed_at"},
  {"message", "text", "", "", gd::kDescription, falco::kOutput, ocsf::kMessage,
   "Human-readable text of the event.",
   "description | title"},
  // ---- rule.* --------------------------------------------------------------------------------
  {"rule.name", "keyword", "", "", gd::kType, falco::kRule, ocsf::kFindingTitle,
   "The detection that raised the alert."},
  {"rule.category", "keyword", "", "", "=before(type,:)", "", "",
   "GuardDuty threat purpose: the finding type before ':' (e.g. PrivilegeEscalation)."},
  {"rule.ruleset", "keyword", "", "", "=before(type,/)", "", "",
   "GuardDuty finding type before '/' (e.g. PrivilegeEscalation:Kubernetes)."},
  // ---- source / user / user_agent ------------------------------------------------------------
  {"source.ip", "ip",
   "=ip(sourceIPAddress)", "sourceIPs",
   "service.action.kubernetesApiCallAction.sourceIPs | "
   "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 | "
   "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
   "output_fields.fd.cip", any_of<ocsf::kSourceIp, ocsf::kEvidenceSourceIp>,
   "The caller's IP address (CloudTrail: sourceIPAddress when it is an address, not a service "
   "name)."},
  {"source.address", "keyword",
   "sourceIPAddress", "sourceIPs",
   "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 | "
   "service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4 | "
   "=when(service.action.networkConnectionAction.remoteIpDetails.ipAddressV4,"
   "service.action.networkConnectionAction.connectionDirection=INBOUND) | "
   "=when(service.action.networkConnectionAction.localIpDetails.ipAddressV4,"
   "service.action.networkConnectionAction.connectionDirection=OUTBOUND) | "
   "=all(service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4;"
   "service.action.portProbeAction.portProbeDetails.localIpDetails.ipAddressV4) | "
   "service.action.rdsLoginAttemptAction.remoteIpDetails.ipAddressV4 | "
   "service.action.kubernetesApiCallAction.sourceIPs",
   "output_fields.fd.cip", any_of<ocsf::kSourceIp, ocsf::kEvidenceSourceIp>,
   "The caller's address as logged (CloudTrail: an IP address or a service name such as "
   "eks.amazonaws.com). GuardDuty, as Elastic: every remote address of the action, the local one "
   "for an outbound connection (the caller), and a port probe's local addresses too."},
  {"source.port", "long", "", "",
   "service.action.networkConnectionAction.localPortDetails.port | "
   "service.action.portProbeAction.portProbeDetails.localPortDetails.port",
   "", "", "GuardDuty: the local port of a connection or of the probed ports."},
  {"source.as.number", "long", "", "",
   "service.action.awsApiCallAction.remoteIpDetails.organization.asn | "
   "service.action.kubernetesApiCallAction.remoteIpDetails.organization.asn | "
   "service.action.networkConnectionAction.remoteIpDetails.organization.asn | "
   "service.action.portProbeAction.portProbeDetails.remoteIpDetails.organization.asn | "
   "service.action.rdsLoginAttemptAction.remoteIpDetails.organization.asn",
   "", "", "GuardDuty: autonomous system of the remote address."},
  {"source.as.organization.name", "keyword", "", "",
   "service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg | "
   "service.action.kubernetesApiCallAction.remoteIpDetails.organization.asnOrg | "
   "service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg | "
   "service.action.portProbeAction.portProbeDetails.remoteIpDetails.organization.asnOrg | "
   "service.action.rdsLoginAttemptAction.remoteIpDetails.organization.asnOrg",
   "", "", "GuardDuty: the organisation of that autonomous system."},
  {"source.geo.city_name", "keyword", "", "",
   "service.action.awsApiCallAction.remoteIpDetails.city.cityName | "
   "service.action.kubernetesApiCallAction.remoteIpDetails.city.cityName | "
   "service.action.networkConnectionAction.remoteIpDetails.city.cityName | "
   "service.action.portProbeAction.portProbeDetails.remoteIpDetails.city.cityName | "
   "service.action.rdsLoginAttemptAction.remoteIpDetails.city.cityName",
   "", "", "GuardDuty: city of the remote address."},
  {"source.geo.country_name", "keyword", "", "",
   "service.action.awsApiCallAction.remoteIpDetails.country.countryName | "
   "service.action.kubernetesApiCallAction.remoteIpDetails.country.countryName | "
   "service.action.networkConnectionAction.remoteIpDetails.country.countryName | "
   "service.action.portProbeAction.portProbeDetails.remoteIpDetails.country.countryName | "
   "service.action.rdsLoginAttemptAction.remoteIpDetails.country.countryName",
   "", "", "GuardDuty: country of the remote address."},
  {"source.geo.country_iso_code", "keyword", "", "",
   "service.action.awsApiCallAction.remoteIpDetails.country.countryCode | "
   "service.action.kubernetesApiCallAction.remoteIpDetails.country.countryCode | "
   "service.action.networkConnectionAction.remoteIpDetails.country.countryCode | "
   "service.action.portProbeAction.portProbeDetails.remoteIpDetails.country.countryCode | "
   "service.action.rdsLoginAttemptAction.remoteIpDetails.country.countryCode",
   "", "", "GuardDuty: ISO code of that country."},
  {"destination.address", "keyword", "", "",
   "=when(service.action.networkConnectionAction.remoteIpDetails.ipAddressV4,"
   "service.action.networkConnectionAction.connectionDirection=OUTBOUND) | "
   "=when(service.action.networkConnectionAction.localIpDetails.ipAddressV4,"
   "service.action.networkConnectionAction.connectionDirection=INBOUND)",
   "", "", "GuardDuty: the address connected to (the remote one outbound, the local one "
   "inbound)."},
  {"network.direction", "keyword", "", "",
   "=lower(service.action.networkConnectionAction.connectionDirection)", "", "",
   "GuardDuty: inbound, outbound or unknown."},
  {"network.transport", "keyword", "", "",
   "=lower(service.action.networkConnectionAction.protocol) | "
   "=lower(service.action.dnsRequestAction.protocol)",
   "", "", "GuardDuty: tcp, udp..."},
  {"network.iana_number", "keyword", "", "", "service.runtimeDetails.context.ianaProtocolNumber",
   "", "", "GuardDuty Runtime Monitoring: the IANA protocol number."},
  {"dns.question.name", "keyword", "", "", "service.action.dnsRequestAction.domain", "", "",
   "GuardDuty: the domain queried."},
  {"user.name", "keyword",
   "userIdentity.userName | userIdentity.sessionContext.sessionIssuer.userName | "
   "=arn_last(userIdentity.arn) | additionalEventData.UserName",
   "user.username",
   "=all(resource.kubernetesDetails.kubernetesUserDetails.username;"
   "resource.accessKeyDetails.userName;resource.rdsDbUserDetails.user)",
   any_of<falco::kAuditUser, falco::kUserName>,
   ocsf::kActorUserName,
   "Who acted. CloudTrail: userName, else the session issuer's (role) name, else the last part "
   "of the ARN, else (IAM Identity Center sign-ins, whose ARN is empty) "
   "additionalEventData.UserName; audit: user.username; GuardDuty: every user the finding "
   "names (Kubernetes, IAM, RDS)."},
  {"user.id", "keyword",
   "userIdentity.principalId", "user.uid",
   "=all(resource.kubernetesDetails.kubernetesUserDetails.uid;"
   "resource.accessKeyDetails.principalId)",
   "output_fields.user.uid", ocsf::kActorUserUid,
   "The actor's unique id (CloudTrail principalId, audit user.uid)."},
  {"user.roles", "keyword", "", "user.groups",
   "resource.kubernetesDetails.kubernetesUserDetails.groups", "", "actor.user.groups.name",
   "Kubernetes groups of the actor."},
  {"user.target.name", "keyword", "requestParameters.userName", "", "", "", "",
   "The IAM user acted upon (CloudTrail requestParameters.userName)."},
  {"group.name", "keyword", "requestParameters.groupName", "", "", "", "",
   "The IAM group acted upon (CloudTrail requestParameters.groupName)."},
  {"user_agent.original", "keyword",
   "userAgent", "userAgent",
   "service.action.kubernetesApiCallAction.userAgent | service.action.awsApiCallAction.userAgent",
   "", "http_request.user_agent",
   "The client's user agent."},
  // ---- cloud / tls / url / http --------------------------------------------------------------
  {"cloud.provider", "keyword", "'aws'", "", "partition | 'aws'", "", "=lower(cloud.provider)",
   "Cloud provider (aws)."},
  {"cloud.instance.id", "keyword", "", "", gd::kInstanceId, "", "",
   "The EC2 instance of the finding."},
  {"cloud.machine.type", "keyword", "", "", "resource.instanceDetails.instanceType", "", "",
   "The EC2 instance type."},
  {"cloud.service.name", "keyword", "", "", "service.serviceName", "", "",
   "The service that reported the finding (guardduty)."},
  {"cloud.region", "keyword", "awsRegion", "", gd::kRegion, "", "cloud.region",
   "AWS region.",
   "region"},
  {"cloud.account.id", "keyword",
   "userIdentity.accountId | recipientAccountId", "", gd::kAccountId, "", ocsf::kCloudAccountUid,
   "AWS account. CloudTrail: the caller's account (userIdentity.accountId) as Elastic maps it, "
   "else recipientAccountId (use aws.cloudtrail.recipient_account_id for the account the event "
   "happened in).",
   "account_id"},
  {"tls.client.server_name", "keyword", "tlsDetails.clientProvidedHostHeader", "", "", "", "",
   "Host header the client sent."},
  {"tls.cipher", "keyword", "tlsDetails.cipherSuite", "", "", "", "", "TLS cipher suite."},
  {"url.original", "keyword", "", "requestURI",
   "service.action.kubernetesApiCallAction.requestUri", "output_fields.ka.uri",
   "http_request.url.path", "The request URI."},
  {"http.response.status_code", "long", "", "responseStatus.code",
   "service.action.kubernetesApiCallAction.statusCode", "output_fields.ka.response.code",
   "api.response.code", "HTTP status of the API call."},
  // ---- orchestrator / container / process / host ---------------------------------------------
  {"orchestrator.cluster.name", "keyword", "", "", gd::kClusterName,
   falco::kClusterName, "", "The EKS cluster."},
  {"orchestrator.namespace", "keyword", "", "objectRef.namespace",
   gd::kWorkloadNamespace,
   any_of<falco::kNamespace, falco::kAuditTargetNamespace>, "",
   "Kubernetes namespace of the object or workload."},
  {"orchestrator.resource.type", "keyword", "", "objectRef.resource",
   gd::kWorkloadType,
   falco::kAuditTargetResource, "",
   "Kubernetes resource type (pods, secrets...; GuardDuty: the workload kind)."},
  {"orchestrator.resource.name", "keyword", "", "objectRef.name",
   gd::kWorkloadName,
   any_of<falco::kPodName, falco::kAuditTargetName>, "",
   "Kubernetes object or pod name."},
  {"container.image.name", "keyword", "", "requestObject.spec.containers.image",
   any_of<gd::kWorkloadImages, gd::kContainerImage>,
   falco::kImageRepository, "",
   "Container image(s). Vulnerabilities: the image as pulled without tag or digest "
   "(123456789012.dkr.ecr.eu-west-1.amazonaws.com/web), else the repository name.",
   "image_name | image_repository"},
  {"container.image.tag", "keyword", "", "", "", "", "",
   "Tags of the image a vulnerability was found in.",
   "image_tags"},
  {"container.image.hash.all", "keyword", "", "", "", "", "",
   "Digest of the image a vulnerability was found in (sha256:...): the manifest digest, as ECR "
   "and a pod's imageID name it.",
   "image_digest"},
  {"container.id", "keyword", "", "",
   "resource.containerDetails.id | resource.ecsClusterDetails.taskDetails.containers.id",
   falco::kContainerId, "", "Container id."},
  {"container.name", "keyword", "", "",
   "resource.containerDetails.name | resource.ecsClusterDetails.taskDetails.containers.name",
   falco::kContainerName, "", "Container name."},
  {"container.runtime", "keyword", "", "",
   "resource.containerDetails.containerRuntime | "
   "resource.ecsClusterDetails.taskDetails.containers.containerRuntime",
   "", "", "Container runtime (docker, containerd)."},
  {"container.security_context.privileged", "boolean", "", "",
   "resource.containerDetails.securityContext.privileged", "", "",
   "Whether the container runs privileged."},
  {"process.name", "keyword", "", "", gd::kProcessName,
   falco::kProcessName, "", "Process name."},
  {"process.executable", "keyword", "", "", gd::kProcessExecutable,
   falco::kProcessExecutable, "", "Process executable path."},
  {"process.command_line", "keyword", "", "", "", falco::kProcessCmdline, "",
   "Process command line."},
  {"process.pid", "long", "", "", "service.runtimeDetails.process.pid", "output_fields.proc.pid",
   "", "Process id."},
  {"process.start", "date", "", "", "=iso_time(service.runtimeDetails.process.startTime)", "", "",
   "When the process started."},
  {"process.working_directory", "keyword", "", "", "service.runtimeDetails.process.pwd",
   "output_fields.proc.cwd", "", "The process's working directory."},
  {"threat.indicator.file.path", "keyword", "", "",
   "service.runtimeDetails.context.threatFilePath", "", "",
   "GuardDuty Runtime Monitoring: the file the threat involves."},
  {"threat.software.name", "keyword", "", "", "service.runtimeDetails.context.toolName", "", "",
   "GuardDuty Runtime Monitoring: the tool seen (a backdoor, a miner...)."},
  {"file.hash.sha256", "keyword", "", "",
   "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths.hash",
   "", "", "GuardDuty Malware Protection: SHA-256 of the infected files."},
  {"file.name", "keyword", "", "",
   "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths."
   "fileName",
   "", "", "GuardDuty Malware Protection: names of the infected files."},
  {"file.path", "keyword", "", "",
   "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths."
   "filePath",
   "", "", "GuardDuty Malware Protection: paths of the infected files."},
  {"host.hostname", "keyword", "", "", "", falco::kHostname, "", "Host that raised the alert."},
  {"host.id", "keyword", "", "", gd::kInstanceId, "", "",
   "The EC2 instance of the finding."},
  {"host.type", "keyword", "", "", "resource.instanceDetails.instanceType", "", "",
   "The EC2 instance type."},
  {"host.os.platform", "keyword", "", "", "resource.instanceDetails.platform", "", "",
   "The EC2 instance's platform."},
  // ---- vulnerability.* / package.* -----------------------------------------------------------
  {"vulnerability.id", "keyword", "", "", "", "", "",
   "The vulnerability's id: CVE-2024-3094, GHSA-..., ALAS-...",
   "vulnerability_id"},
  {"vulnerability.severity", "keyword", "", "", "", "", "",
   "The scanner's severity, upper-case whatever the tool wrote: CRITICAL, HIGH, MEDIUM, LOW, "
   "INFORMATIONAL, NEGLIGIBLE, UNTRIAGED, UNDEFINED or UNKNOWN.",
   "severity"},
  {"vulnerability.score.base", "float", "", "", "", "", "",
   "CVSS base score (0-10): v3 before v2; Inspector: the source it scored with, else NVD; Trivy: "
   "its severity source, else NVD. Inspector's own score is the native path inspector_score.",
   "score"},
  {"vulnerability.score.version", "keyword", "", "", "", "", "",
   "CVSS version of vulnerability.score.base (3.1, 2.0).",
   "score_version"},
  {"vulnerability.scanner.vendor", "keyword", "", "", "", "", "",
   "The scanner that reported it: Amazon Inspector (also ECR's enhanced scanning), Amazon ECR "
   "(basic scanning), Trivy or Grype.",
   "scanner_vendor"},
  {"vulnerability.description", "text", "", "", "", "", "",
   "The vulnerability's description.",
   "description"},
  {"vulnerability.reference", "keyword", "", "", "", "", "",
   "A URL about the vulnerability (the advisory, the scanner's page).",
   "reference"},
  {"package.name", "keyword", "", "", "", "", "",
   "The vulnerable package.",
   "package_name"},
  {"package.version", "keyword", "", "", "", "", "",
   "The package's installed version (Inspector: [epoch:]version[-release]).",
   "package_version"},
  {"package.fixed_version", "keyword", "", "", "", "", "",
   "The version of the package with the fix, as the scanner writes it (Trivy and Grype may name "
   "one per release line: 1.21.11, 1.22.4). eksir's own name: ECS has none.",
   "package_fixed_version"},
  {"package.type", "keyword", "", "", "", "", "",
   "The package's kind, lower-case as the scanner names it (os, npm, jar; debian, gobinary; deb, "
   "java-archive).",
   "package_type"},
  {"package.path", "keyword", "", "", "", "", "",
   "The file the package was found in (language packages).",
   "package_path"},
  // ---- aws.cloudtrail.* ----------------------------------------------------------------------
  {"aws.cloudtrail.event_version", "keyword", "eventVersion", "", "", "", "",
   "Record format version."},
  {"aws.cloudtrail.event_type", "keyword", "eventType", "", "", "", "",
   "AwsApiCall, AwsServiceEvent, AwsConsoleSignIn..."},
  {"aws.cloudtrail.event_category", "keyword", "eventCategory", "", "", "", "",
   "Management, Data or Insight."},
  {"aws.cloudtrail.error_code", "keyword", "errorCode", "", "", "", "",
   "Error code of a failed call."},
  {"aws.cloudtrail.error_message", "keyword", "errorMessage", "", "", "", "",
   "Error message of a failed call."},
  {"aws.cloudtrail.request_id", "keyword", "requestID", "", "", "", "", "Request id."},
  {"aws.cloudtrail.recipient_account_id", "keyword", "recipientAccountId", "", "", "", "",
   "The account that received the event."},
  {"aws.cloudtrail.shared_event_id", "keyword", "sharedEventID", "", "", "", "",
   "Id shared by the copies of a cross-account event."},
  {"aws.cloudtrail.vpc_endpoint_id", "keyword", "vpcEndpointId", "", "", "", "",
   "VPC endpoint used."},
  {"aws.cloudtrail.api_version", "keyword", "apiVersion", "", "", "", "", "API version."},
  {"aws.cloudtrail.management_event", "boolean", "managementEvent", "", "", "", "",
   "Whether it is a management event."},
  {"aws.cloudtrail.read_only", "boolean", "readOnly", "", "", "", "",
   "Whether the call only reads."},
  {"aws.cloudtrail.session_credential_from_console", "keyword", "sessionCredentialFromConsole",
   "", "", "", "", "Whether the session credentials came from the console."},
  {"aws.cloudtrail.resources.arn", "keyword", "resources.ARN | resources.arn", "", "", "", "",
   "ARNs of the resources involved (the key is ARN, or arn in some events)."},
  {"aws.cloudtrail.resources.type", "keyword", "resources.type", "", "", "", "",
   "Types of the resources involved."},
  {"aws.cloudtrail.resources.account_id", "keyword", "resources.accountId", "", "", "", "",
   "Accounts of the resources involved."},
  {"aws.cloudtrail.user_identity.type", "keyword", "userIdentity.type", "", "", "", "",
   "Root, IAMUser, AssumedRole, AWSService, AWSAccount, Unknown..."},
  {"aws.cloudtrail.user_identity.arn", "keyword", "userIdentity.arn", "", "", "", "",
   "The caller's ARN."},
  {"aws.cloudtrail.user_identity.access_key_id", "keyword", "userIdentity.accessKeyId", "", "", "",
   "", "Access key used (AKIA... long-term, ASIA... temporary)."},
  {"aws.cloudtrail.user_identity.invoked_by", "keyword", "userIdentity.invokedBy", "", "", "", "",
   "The AWS service that made the call on the caller's behalf."},
  {"aws.cloudtrail.user_identity.session_context.mfa_authenticated", "keyword",
   "userIdentity.sessionContext.attributes.mfaAuthenticated", "", "", "", "",
   "Whether the session was MFA-authenticated."},
  {"aws.cloudtrail.user_identity.session_context.creation_date", "date",
   "userIdentity.sessionContext.attributes.creationDate", "", "", "", "",
   "When the session was created."},
  {"aws.cloudtrail.user_identity.session_context.session_issuer.type", "keyword",
   "userIdentity.sessionContext.sessionIssuer.type", "", "", "", "", "Role, IAMUser..."},
  {"aws.cloudtrail.user_identity.session_context.session_issuer.arn", "keyword",
   "userIdentity.sessionContext.sessionIssuer.arn", "", "", "", "",
   "ARN of the role (or user) that issued the session."},
  {"aws.cloudtrail.user_identity.session_context.session_issuer.principal_id", "keyword",
   "userIdentity.sessionContext.sessionIssuer.principalId", "", "", "", "",
   "Principal id of the session issuer."},
  {"aws.cloudtrail.user_identity.session_context.session_issuer.account_id", "keyword",
   "userIdentity.sessionContext.sessionIssuer.accountId", "", "", "", "",
   "Account of the session issuer."},
  {"aws.cloudtrail.user_identity.*", "keyword", "=camel(userIdentity.*)", "", "", "", "",
   "Any other userIdentity field, snake_case segments turned to camelCase."},
  {"aws.cloudtrail.request_parameters", "keyword", "=tostring(requestParameters)", "", "", "", "",
   "requestParameters as one string, rendered as Elastic does ({key=value, list=[a, b]}); match "
   "it with wildcards (*includeManagementEvents*false*)."},
  {"aws.cloudtrail.response_elements", "keyword", "=tostring(responseElements)", "", "", "", "",
   "responseElements as one string ({key=value, ...})."},
  {"aws.cloudtrail.additional_eventdata", "keyword", "=tostring(additionalEventData)", "", "", "",
   "", "additionalEventData as one string ({key=value, ...})."},
  {"aws.cloudtrail.service_event_details", "keyword", "=tostring(serviceEventDetails)", "", "", "",
   "", "serviceEventDetails as one string ({key=value, ...})."},
  {"aws.cloudtrail.flattened.request_parameters.*", "object", "requestParameters.*", "", "", "", "",
   "A request parameter (native path under requestParameters)."},
  {"aws.cloudtrail.flattened.response_elements.*", "object", "responseElements.*", "", "", "", "",
   "A response element (native path under responseElements)."},
  {"aws.cloudtrail.flattened.additional_eventdata.*", "object", "additionalEventData.*", "", "", "",
   "", "An additionalEventData field."},
  {"aws.cloudtrail.flattened.service_event_details.*", "object", "serviceEventDetails.*", "", "",
   "",
   "", "A serviceEventDetails field."},
  {"aws.cloudtrail.request_parameters.*", "object", "requestParameters.*", "", "", "", "",
   "Same as aws.cloudtrail.flattened.request_parameters.* (a convenience; Elastic keeps only the "
   "flattened form)."},
  {"aws.cloudtrail.response_elements.*", "object", "responseElements.*", "", "", "", "",
   "Same as aws.cloudtrail.flattened.response_elements.*."},
  {"aws.cloudtrail.console_login.additional_eventdata.mfa_used", "boolean",
   "=yes_no(additionalEventData.MFAUsed)", "", "", "", "",
   "ConsoleLogin: whether MFA was used (additionalEventData.MFAUsed is not \"No\")."},
  {"aws.cloudtrail.console_login.additional_eventdata.mobile_version", "boolean",
   "=yes_no(additionalEventData.MobileVersion)", "", "", "", "",
   "ConsoleLogin: whether the mobile console was used."},
  {"aws.cloudtrail.console_login.additional_eventdata.login_to", "keyword",
   "additionalEventData.LoginTo", "", "", "", "", "ConsoleLogin: the URL logged in to."},
  // ---- kubernetes.audit.* --------------------------------------------------------------------
  {"kubernetes.audit.objectRef.resource", "keyword", "", "=resource_sub()", "", "", "",
   "The resource (pods, secrets...); when the request has a subresource, also "
   "\"resource/subresource\" (pods/exec), as RBAC writes it."},
  {"kubernetes.audit.annotations.*", "keyword", "", "=annotation(*)", "", "", "",
   "An audit annotation. Elastic writes the dots of annotation keys as underscores "
   "(authorization_k8s_io/decision); both spellings match."},
  {"kubernetes.audit.*", "object", "", "*", "", "", "",
   "Any field of the audit event by its native path (kubernetes.audit.objectRef.namespace, "
   "kubernetes.audit.user.extra.sessionName...)."},
  // ---- aws.guardduty.* / falco.* -------------------------------------------------------------
  {"aws.guardduty.*", "object", "", "", "=camel(*)", "", "",
   "Any finding field, as Elastic names it: snake_case segments turned to camelCase "
   "(aws.guardduty.resource.eks_cluster_details.name → resource.eksClusterDetails.name), "
   "except the names Elastic renames (listed below)."},
  {"falco.*", "object", "", "", "", "*", "",
   "Any field of the Falco alert "
   "(falco.output_fields.k8s.pod.name → output_fields.k8s.pod.name)."},
};
// clang-format on

// GuardDuty names Elastic's integration renames or restructures (its ingest pipeline), so that
// the camelCase rule of aws.guardduty.* does not reach them: Elastic name → native path (names
// below one continue below its path), or a computed value. Names not listed follow the rule.
const std::vector<FieldRename> kRenames = {
    {"aws.guardduty.severity.code", "severity"},
    {"aws.guardduty.severity.value", "=severity_label(severity)"},
    {"aws.guardduty.resource.type", "resource.resourceType"},
    {"aws.guardduty.resource.access_key_details.user.name", "resource.accessKeyDetails.userName"},
    {"aws.guardduty.resource.access_key_details.user.type", "resource.accessKeyDetails.userType"},
    {"aws.guardduty.resource.container_details.image.value", "resource.containerDetails.image"},
    {"aws.guardduty.resource.container_details.image.prefix",
     "resource.containerDetails.imagePrefix"},
    {"aws.guardduty.resource.ecs_cluster_details.task_details.containers.image.value",
     "resource.ecsClusterDetails.taskDetails.containers.image"},
    {"aws.guardduty.resource.ecs_cluster_details.task_details.containers.image.prefix",
     "resource.ecsClusterDetails.taskDetails.containers.imagePrefix"},
    {"aws.guardduty.resource.kubernetes_details.kubernetes_workload_details.containers.image.value",
     "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image"},
    {"aws.guardduty.resource.kubernetes_details.kubernetes_workload_details.containers.image."
     "prefix",
     "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.imagePrefix"},
    {"aws.guardduty.resource.ebs_volume_details.scanned_volume_details.volume.arn",
     "resource.ebsVolumeDetails.scannedVolumeDetails.volumeArn"},
    {"aws.guardduty.resource.ebs_volume_details.scanned_volume_details.volume.size_in_gb",
     "resource.ebsVolumeDetails.scannedVolumeDetails.volumeSizeInGB"},
    {"aws.guardduty.resource.ebs_volume_details.scanned_volume_details.volume.type",
     "resource.ebsVolumeDetails.scannedVolumeDetails.volumeType"},
    {"aws.guardduty.resource.ebs_volume_details.skipped_volume_details.volume.arn",
     "resource.ebsVolumeDetails.skippedVolumeDetails.volumeArn"},
    {"aws.guardduty.resource.ebs_volume_details.skipped_volume_details.volume.size_in_gb",
     "resource.ebsVolumeDetails.skippedVolumeDetails.volumeSizeInGB"},
    {"aws.guardduty.resource.ebs_volume_details.skipped_volume_details.volume.type",
     "resource.ebsVolumeDetails.skippedVolumeDetails.volumeType"},
    {"aws.guardduty.resource.ecs_cluster_details.task_details.created_at",
     "=iso_time(resource.ecsClusterDetails.taskDetails.createdAt)"},
    {"aws.guardduty.resource.ecs_cluster_details.task_details.started_at",
     "=iso_time(resource.ecsClusterDetails.taskDetails.startedAt)"},
    {"aws.guardduty.resource.eks_cluster_details.created_at",
     "=iso_time(resource.eksClusterDetails.createdAt)"},
    {"aws.guardduty.resource.instance_details.image.description",
     "resource.instanceDetails.imageDescription"},
    {"aws.guardduty.resource.instance_details.image.id", "resource.instanceDetails.imageId"},
    {"aws.guardduty.resource.instance_details.instance.id", "resource.instanceDetails.instanceId"},
    {"aws.guardduty.resource.instance_details.instance.state",
     "resource.instanceDetails.instanceState"},
    {"aws.guardduty.resource.instance_details.instance.type",
     "resource.instanceDetails.instanceType"},
    {"aws.guardduty.resource.instance_details.network_interfaces.private.dns_name",
     "resource.instanceDetails.networkInterfaces.privateDnsName"},
    {"aws.guardduty.resource.instance_details.network_interfaces.private.ip_address",
     "resource.instanceDetails.networkInterfaces.privateIpAddress"},
    {"aws.guardduty.resource.instance_details.network_interfaces.private.ip_addresses.private.dns_"
     "name",
     "resource.instanceDetails.networkInterfaces.privateIpAddresses.privateDnsName"},
    {"aws.guardduty.resource.instance_details.network_interfaces.private.ip_addresses.private.ip_"
     "address",
     "resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress"},
    {"aws.guardduty.resource.instance_details.network_interfaces.public.dns_name",
     "resource.instanceDetails.networkInterfaces.publicDnsName"},
    {"aws.guardduty.resource.instance_details.network_interfaces.public.ip",
     "resource.instanceDetails.networkInterfaces.publicIp"},
    {"aws.guardduty.resource.instance_details.network_interfaces.security_groups.group.id",
     "resource.instanceDetails.networkInterfaces.securityGroups.groupId"},
    {"aws.guardduty.resource.instance_details.network_interfaces.security_groups.group.name",
     "resource.instanceDetails.networkInterfaces.securityGroups.groupName"},
    {"aws.guardduty.resource.instance_details.product_codes.product_code.id",
     "resource.instanceDetails.productCodes.productCodeId"},
    {"aws.guardduty.resource.instance_details.product_codes.product_code.type",
     "resource.instanceDetails.productCodes.productCodeType"},
    {"aws.guardduty.resource.rdsdb_instance_details.instance_identifier",
     "resource.rdsDbInstanceDetails.dbInstanceIdentifier"},
    {"aws.guardduty.resource.rdsdb_instance_details.cluster_identifier",
     "resource.rdsDbInstanceDetails.dbClusterIdentifier"},
    {"aws.guardduty.resource.rdsdb_instance_details.instance_arn",
     "resource.rdsDbInstanceDetails.dbInstanceArn"},
    {"aws.guardduty.resource.s3_bucket_details.created_at",
     "=iso_time(resource.s3BucketDetails.createdAt)"},
    {"aws.guardduty.service.action.type", "service.action.actionType"},
    {"aws.guardduty.service.action.aws_api_call_action.remote_ip_details.city.name",
     "service.action.awsApiCallAction.remoteIpDetails.city.cityName"},
    {"aws.guardduty.service.action.aws_api_call_action.remote_ip_details.country.code",
     "service.action.awsApiCallAction.remoteIpDetails.country.countryCode"},
    {"aws.guardduty.service.action.aws_api_call_action.remote_ip_details.country.name",
     "service.action.awsApiCallAction.remoteIpDetails.country.countryName"},
    {"aws.guardduty.service.action.kubernetes_api_call_action.remote_ip_details.city.name",
     "service.action.kubernetesApiCallAction.remoteIpDetails.city.cityName"},
    {"aws.guardduty.service.action.kubernetes_api_call_action.remote_ip_details.country.code",
     "service.action.kubernetesApiCallAction.remoteIpDetails.country.countryCode"},
    {"aws.guardduty.service.action.kubernetes_api_call_action.remote_ip_details.country.name",
     "service.action.kubernetesApiCallAction.remoteIpDetails.country.countryName"},
    {"aws.guardduty.service.action.network_connection_action.remote_ip_details.city.name",
     "service.action.networkConnectionAction.remoteIpDetails.city.cityName"},
    {"aws.guardduty.service.action.network_connection_action.remote_ip_details.country.code",
     "service.action.networkConnectionAction.remoteIpDetails.country.countryCode"},
    {"aws.guardduty.service.action.network_connection_action.remote_ip_details.country.name",
     "service.action.networkConnectionAction.remoteIpDetails.country.countryName"},
    {"aws.guardduty.service.action.port_probe_action.port_probe_details.remote_ip_details.city."
     "name",
     "service.action.portProbeAction.portProbeDetails.remoteIpDetails.city.cityName"},
    {"aws.guardduty.service.action.port_probe_action.port_probe_details.remote_ip_details.country."
     "code",
     "service.action.portProbeAction.portProbeDetails.remoteIpDetails.country.countryCode"},
    {"aws.guardduty.service.action.port_probe_action.port_probe_details.remote_ip_details.country."
     "name",
     "service.action.portProbeAction.portProbeDetails.remoteIpDetails.country.countryName"},
    {"aws.guardduty.service.action.rds_login_attempt_action.remote_ip_details.city.name",
     "service.action.rdsLoginAttemptAction.remoteIpDetails.city.cityName"},
    {"aws.guardduty.service.action.rds_login_attempt_action.remote_ip_details.country.code",
     "service.action.rdsLoginAttemptAction.remoteIpDetails.country.countryCode"},
    {"aws.guardduty.service.action.rds_login_attempt_action.remote_ip_details.country.name",
     "service.action.rdsLoginAttemptAction.remoteIpDetails.country.countryName"},
    {"aws.guardduty.service.action.network_connection_action.local_port_details.port.value",
     "service.action.networkConnectionAction.localPortDetails.port"},
    {"aws.guardduty.service.action.network_connection_action.local_port_details.port.name",
     "service.action.networkConnectionAction.localPortDetails.portName"},
    {"aws.guardduty.service.action.network_connection_action.remote_port_details.port.value",
     "service.action.networkConnectionAction.remotePortDetails.port"},
    {"aws.guardduty.service.action.network_connection_action.remote_port_details.port.name",
     "service.action.networkConnectionAction.remotePortDetails.portName"},
    {"aws.guardduty.service.action.port_probe_action.port_probe_details.local_port_details.port."
     "value",
     "service.action.portProbeAction.portProbeDetails.localPortDetails.port"},
    {"aws.guardduty.service.action.port_probe_action.port_probe_details.local_port_details.port."
     "name",
     "service.action.portProbeAction.portProbeDetails.localPortDetails.portName"},
    {"aws.guardduty.service.action.network_connection_action.transport",
     "service.action.networkConnectionAction.protocol"},
    {"aws.guardduty.service.ebs_volume_scan_details.scan.completed_at",
     "service.ebsVolumeScanDetails.scanCompletedAt"},
    {"aws.guardduty.service.ebs_volume_scan_details.scan.started_at",
     "service.ebsVolumeScanDetails.scanStartedAt"},
    {"aws.guardduty.service.ebs_volume_scan_details.scan.id",
     "service.ebsVolumeScanDetails.scanId"},
    {"aws.guardduty.service.ebs_volume_scan_details.scan.detections",
     "service.ebsVolumeScanDetails.scanDetections"},
    {"aws.guardduty.service.ebs_volume_scan_details.scan.detections.threat_detected_by_name.threat_"
     "names.file_paths.file.name",
     "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths."
     "fileName"},
    {"aws.guardduty.service.ebs_volume_scan_details.scan.detections.threat_detected_by_name.threat_"
     "names.file_paths.file.path",
     "service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths."
     "filePath"},
    {"aws.guardduty.service.event.first_seen", gd::kFirstSeen},
    {"aws.guardduty.service.event.last_seen", gd::kLastSeen},
    {"aws.guardduty.service.evidence.threat_intelligence_details.threat.list_name",
     "service.evidence.threatIntelligenceDetails.threatListName"},
    {"aws.guardduty.service.evidence.threat_intelligence_details.threat.names",
     "service.evidence.threatIntelligenceDetails.threatNames"},
    {"aws.guardduty.service.runtime_details.context.ld_preload",
     "service.runtimeDetails.context.ldPreloadValue"},
    {"aws.guardduty.service.runtime_details.process.start_time",
     "=iso_time(service.runtimeDetails.process.startTime)"},
};

// Where eksir's value differs from Elastic's on purpose (docs/fields.md, "Differences").
const std::vector<FieldDifference> kDifferences = {
    {"@timestamp", Source::GuardDuty, "createdAt: when GuardDuty first raised the finding",
     "updatedAt: when the finding was last updated. A finding that keeps firing stays where its "
     "activity began on eksir's timeline instead of moving to its last update; Elastic's value "
     "is aws.guardduty.updated_at, GuardDuty's own service.event.first_seen and last_seen are "
     "event.start and event.end on both."},
    {"event.action", Source::GuardDuty,
     "the finding type (PrivilegeEscalation:Kubernetes/PrivilegedContainer), as for the other "
     "alert sources (Falco rule, OCSF finding title)",
     "the action type (KUBERNETES_API_CALL, AWS_API_CALL, NETWORK_CONNECTION...). A rule on "
     "Elastic's value reads aws.guardduty.service.action.type, which both have."},
    {"source.ip", Source::GuardDuty,
     "sourceIPs of a Kubernetes API call, else the remote address of an AWS API call or a "
     "network connection",
     "sourceIPs of a Kubernetes API call only (the other addresses are in source.address on "
     "both)."},
};

// Top-level keys of each source's events, as the sources stage hands them over (GuardDuty keys
// already camelCase).
const std::vector<std::string> kTopCloudTrail = {"eventVersion",
                                                 "userIdentity",
                                                 "eventTime",
                                                 "eventSource",
                                                 "eventName",
                                                 "awsRegion",
                                                 "sourceIPAddress",
                                                 "userAgent",
                                                 "requestParameters",
                                                 "responseElements",
                                                 "additionalEventData",
                                                 "requestID",
                                                 "eventID",
                                                 "readOnly",
                                                 "resources",
                                                 "eventType",
                                                 "apiVersion",
                                                 "managementEvent",
                                                 "recipientAccountId",
                                                 "sharedEventID",
                                                 "vpcEndpointId",
                                                 "vpcEndpointAccountId",
                                                 "eventCategory",
                                                 "errorCode",
                                                 "errorMessage",
                                                 "tlsDetails",
                                                 "sessionCredentialFromConsole",
                                                 "serviceEventDetails",
                                                 "insightDetails",
                                                 "edgeDeviceDetails",
                                                 "eventContext",
                                                 "addendum"};
const std::vector<std::string> kTopK8sAudit = {"kind",
                                               "apiVersion",
                                               "level",
                                               "auditID",
                                               "stage",
                                               "requestURI",
                                               "verb",
                                               "user",
                                               "impersonatedUser",
                                               "sourceIPs",
                                               "userAgent",
                                               "objectRef",
                                               "responseStatus",
                                               "requestObject",
                                               "responseObject",
                                               "requestReceivedTimestamp",
                                               "stageTimestamp",
                                               "annotations",
                                               "metadata",
                                               "timestamp"};
const std::vector<std::string> kTopGuardDuty = {
    "schemaVersion", "accountId", "region",   "partition",   "id",
    "arn",           "type",      "resource", "service",     "severity",
    "createdAt",     "updatedAt", "title",    "description", "confidence"};
const std::vector<std::string> kTopFalco = {"time",   "rule", "priority", "output", "output_fields",
                                            "source", "tags", "hostname", "uuid"};
// The flat shape the vulnerability readers build (sources/unwrap_vulnerability.h).
const std::vector<std::string> kTopVulnerability = {"id",
                                                    "scanner",
                                                    "scanner_vendor",
                                                    "finding_arn",
                                                    "vulnerability_id",
                                                    "severity",
                                                    "score",
                                                    "score_version",
                                                    "inspector_score",
                                                    "exploit_available",
                                                    "fix_available",
                                                    "fix_state",
                                                    "title",
                                                    "description",
                                                    "reference",
                                                    "status",
                                                    "package_name",
                                                    "package_version",
                                                    "package_fixed_version",
                                                    "package_type",
                                                    "package_path",
                                                    "image_name",
                                                    "image_repository",
                                                    "image_registry",
                                                    "image_digest",
                                                    "image_tags",
                                                    "account_id",
                                                    "region",
                                                    "first_observed_at",
                                                    "last_observed_at",
                                                    "updated_at",
                                                    "scanned_at",
                                                    "image_pushed_at",
                                                    "image_last_in_use_at",
                                                    "record_path"};
const std::vector<std::string> kTopOcsf = {"activity_id",
                                           "activity_name",
                                           "category_name",
                                           "category_uid",
                                           "class_name",
                                           "class_uid",
                                           "classname",
                                           "type_uid",
                                           "type_name",
                                           "time",
                                           "time_dt",
                                           "start_time",
                                           "start_time_dt",
                                           "end_time",
                                           "end_time_dt",
                                           "severity",
                                           "severity_id",
                                           "status",
                                           "status_id",
                                           "status_code",
                                           "status_detail",
                                           "state",
                                           "state_id",
                                           "message",
                                           "metadata",
                                           "observables",
                                           "finding",
                                           "finding_info",
                                           "resources",
                                           "evidences",
                                           "cloud",
                                           "actor",
                                           "api",
                                           "src_endpoint",
                                           "dst_endpoint",
                                           "http_request",
                                           "http_response",
                                           "unmapped",
                                           "raw_data",
                                           "count",
                                           "confidence",
                                           "confidence_id",
                                           "confidence_score",
                                           "risk_level",
                                           "risk_level_id",
                                           "risk_score",
                                           "attacks",
                                           "remediation",
                                           "enrichments",
                                           "device",
                                           "process",
                                           "file",
                                           "disposition",
                                           "disposition_id",
                                           "impact",
                                           "impact_id",
                                           "is_alert",
                                           "malware",
                                           "vulnerabilities",
                                           "analytic",
                                           "timezone_offset"};

}  // namespace

const std::vector<FieldRename>& field_renames() {
  return kRenames;
}
const std::vector<FieldDifference>& field_differences() {
  return kDifferences;
}

const std::vector<std::string>& top_level_keys(Source s) {
  switch (s) {
    case Source::CloudTrail:
      return kTopCloudTrail;
    case Source::K8sAudit:
      return kTopK8sAudit;
    case Source::GuardDuty:
      return kTopGuardDuty;
    case Source::Falco:
      return kTopFalco;
    case Source::Ocsf:
      return kTopOcsf;
    case Source::Vulnerability:
      return kTopVulnerability;
  }
  return kTopCloudTrail;
}

namespace {

// The native paths a row's cell names (`a | b`), without computed values and constants.
void add_native_paths(const FieldInfo& f, std::vector<std::string>& out) {
  for (const auto& native : f.native) {
    std::string_view n = native;
    while (!n.empty()) {
      size_t bar = n.find('|');
      std::string_view one = n.substr(0, bar);
      while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
      while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
      if (!one.empty() && one.front() != '=' && one.front() != '\'') out.emplace_back(one);
      if (bar == std::string_view::npos) break;
      n.remove_prefix(bar + 1);
    }
  }
}

}  // namespace

bool is_ip_field(std::string_view name) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const FieldInfo& f : field_table()) {
      if (f.type != "ip") continue;
      out.push_back(f.ecs);
      add_native_paths(f, out);
    }
    return out;
  }();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string suggest_field(std::string_view name) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const FieldInfo& f : field_table()) {
      std::string_view ecs = f.ecs;
      if (ecs.size() > 2 && ecs.substr(ecs.size() - 2) == ".*") ecs.remove_suffix(2);
      out.emplace_back(ecs);
      add_native_paths(f, out);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return util::closest_name(name, names);
}

const std::vector<FieldInfo>& field_table() {
  static const std::vector<FieldInfo> table = [] {
    std::vector<FieldInfo> out;
    std::map<std::string, size_t> index;
    for (const RowDef& r : kRows) {
      FieldInfo info;
      info.ecs = r.ecs;
      info.type = r.type;
      info.description = r.description;
      const char* cells[kSourceCount] = {r.cloudtrail, r.k8s_audit, r.guardduty,
                                         r.falco,      r.ocsf,      r.vulnerability};
      if (cells[0][0] == '@') {
        auto it = index.find(cells[0] + 1);
        if (it == index.end())
          throw std::logic_error(std::string("field table: bad alias ") + r.ecs);
        info.native = out[it->second].native;
      } else {
        for (int s = 0; s < kSourceCount; ++s) info.native[s] = cells[s];
      }
      if (!index.emplace(info.ecs, out.size()).second)
        throw std::logic_error(std::string("field table: duplicate row ") + r.ecs);
      out.push_back(std::move(info));
    }
    return out;
  }();
  return table;
}

}  // namespace eksir
