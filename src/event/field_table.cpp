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
#include <map>
#include <stdexcept>

#include "event/fields.h"

namespace eksir {

namespace {

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
   "eventSource", "", "service.action.awsApiCallAction.serviceName", "source",
   "api.service.name | metadata.product.name",
   "The service that produced the event (CloudTrail eventSource, e.g. eks.amazonaws.com)."},
  {"event.source", "keyword", "@event.provider", "", "", "", "",
   "Alias of event.provider (the playbook's name for CloudTrail eventSource)."},
  {"event.action", "keyword",
   "eventName", "verb", "type", "rule", "finding_info.title | api.operation | activity_name",
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
  {"event.id", "keyword", "eventID", "auditID", "id", "uuid", "metadata.uid | finding_info.uid",
   "The event's unique id (vulnerabilities: the finding ARN, else scanner:image:vulnerability, "
   "then #package@version).",
   "id"},
  {"event.severity", "long", "", "", "severity", "=falco_severity()", "severity_id",
   "Severity as a number: GuardDuty severity (1-10), Falco priority as syslog severity "
   "(Emergency 0 ... Debug 7), OCSF severity_id."},
  {"event.start", "date", "", "", "service.eventFirstSeen", "", "start_time_dt",
   "First time the activity (vulnerabilities: the vulnerable image) was seen.",
   "first_observed_at"},
  {"event.end", "date", "", "", "service.eventLastSeen", "", "end_time_dt",
   "Last time the activity (vulnerabilities: the vulnerable image) was seen.",
   "last_observed_at"},
  {"message", "text", "", "", "description", "output", "message",
   "Human-readable text of the event.",
   "description | title"},
  // ---- rule.* --------------------------------------------------------------------------------
  {"rule.name", "keyword", "", "", "type", "rule", "finding_info.title",
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
   "output_fields.fd.cip", "src_endpoint.ip | evidences.src_endpoint.ip",
   "The caller's IP address (CloudTrail: sourceIPAddress when it is an address, not a service "
   "name)."},
  {"source.address", "keyword",
   "sourceIPAddress", "sourceIPs",
   "service.action.kubernetesApiCallAction.sourceIPs | "
   "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 | "
   "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
   "output_fields.fd.cip", "src_endpoint.ip | evidences.src_endpoint.ip",
   "The caller's address as logged (CloudTrail: an IP address or a service name such as "
   "eks.amazonaws.com)."},
  {"user.name", "keyword",
   "userIdentity.userName | userIdentity.sessionContext.sessionIssuer.userName | "
   "=arn_last(userIdentity.arn)",
   "user.username",
   "resource.kubernetesDetails.kubernetesUserDetails.username | resource.accessKeyDetails.userName",
   "output_fields.ka.user.name | output_fields.user.name",
   "actor.user.name",
   "Who acted. CloudTrail: userName, else the session issuer's (role) name, else the last part "
   "of the ARN; audit: user.username."},
  {"user.id", "keyword",
   "userIdentity.principalId", "user.uid",
   "resource.kubernetesDetails.kubernetesUserDetails.uid | resource.accessKeyDetails.principalId",
   "output_fields.user.uid", "actor.user.uid",
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
  {"cloud.provider", "keyword", "'aws'", "", "'aws'", "", "=lower(cloud.provider)",
   "Cloud provider (aws)."},
  {"cloud.region", "keyword", "awsRegion", "", "region", "", "cloud.region",
   "AWS region.",
   "region"},
  {"cloud.account.id", "keyword",
   "userIdentity.accountId | recipientAccountId", "", "accountId", "", "cloud.account.uid",
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
  {"orchestrator.cluster.name", "keyword", "", "", "resource.eksClusterDetails.name",
   "output_fields.k8s.cluster.name", "", "The EKS cluster."},
  {"orchestrator.namespace", "keyword", "", "objectRef.namespace",
   "resource.kubernetesDetails.kubernetesWorkloadDetails.namespace",
   "output_fields.k8s.ns.name | output_fields.ka.target.namespace", "",
   "Kubernetes namespace of the object or workload."},
  {"orchestrator.resource.type", "keyword", "", "objectRef.resource",
   "resource.kubernetesDetails.kubernetesWorkloadDetails.type",
   "output_fields.ka.target.resource", "",
   "Kubernetes resource type (pods, secrets...; GuardDuty: the workload kind)."},
  {"orchestrator.resource.name", "keyword", "", "objectRef.name",
   "resource.kubernetesDetails.kubernetesWorkloadDetails.name",
   "output_fields.k8s.pod.name | output_fields.ka.target.name", "",
   "Kubernetes object or pod name."},
  {"container.image.name", "keyword", "", "requestObject.spec.containers.image",
   "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image | "
   "resource.containerDetails.image",
   "output_fields.container.image.repository", "",
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
  {"container.id", "keyword", "", "", "resource.containerDetails.id", "output_fields.container.id",
   "", "Container id."},
  {"process.name", "keyword", "", "", "service.runtimeDetails.process.name",
   "output_fields.proc.name", "", "Process name."},
  {"process.executable", "keyword", "", "", "service.runtimeDetails.process.executablePath",
   "output_fields.proc.exepath", "", "Process executable path."},
  {"process.command_line", "keyword", "", "", "", "output_fields.proc.cmdline", "",
   "Process command line."},
  {"process.pid", "long", "", "", "service.runtimeDetails.process.pid", "output_fields.proc.pid",
   "", "Process id."},
  {"host.hostname", "keyword", "", "", "", "hostname", "", "Host that raised the alert."},
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
  {"aws.cloudtrail.resources.arn", "keyword", "resources.ARN", "", "", "", "",
   "ARNs of the resources involved."},
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
   "(aws.guardduty.resource.eks_cluster_details.name → resource.eksClusterDetails.name)."},
  {"falco.*", "object", "", "", "", "*", "",
   "Any field of the Falco alert "
   "(falco.output_fields.k8s.pod.name → output_fields.k8s.pod.name)."},
};
// clang-format on

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

bool is_ip_field(std::string_view name) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const FieldInfo& f : field_table()) {
      if (f.type != "ip") continue;
      out.push_back(f.ecs);
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
    return out;
  }();
  return std::find(names.begin(), names.end(), name) != names.end();
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
