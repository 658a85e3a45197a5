// Native paths of GuardDuty findings, Falco alerts and OCSF findings that code reads directly (the
// incident's entities, the times of a finding), by name. They are spelled once, in the field table
// (field_table.cpp), whose rows name them too where an ECS field maps them.
#pragma once

namespace eksir::native {

namespace guardduty {
extern const char kRegion[];
extern const char kAccountId[];
extern const char kClusterName[];
extern const char kClusterArn[];
extern const char kKubernetesUser[];
extern const char kAccessKeyId[];
extern const char kAccessKeyUser[];
extern const char kAccessKeyUserType[];
extern const char kAccessKeyPrincipalId[];
extern const char kS3BucketName[];
extern const char kKubernetesApiRemoteIp[];
extern const char kAwsApiRemoteIp[];
extern const char kNetworkConnectionRemoteIp[];
extern const char kWorkloadType[];
extern const char kWorkloadName[];
extern const char kWorkloadNamespace[];
extern const char kWorkloadUid[];
extern const char kWorkloadImages[];
extern const char kInstanceId[];
extern const char kInstancePrivateDnsName[];
extern const char kInstanceAvailabilityZone[];
extern const char kCreatedAt[];
extern const char kFirstSeen[];
extern const char kLastSeen[];
}  // namespace guardduty

namespace falco {
extern const char kSource[];
extern const char kHostname[];
extern const char kPodName[];
extern const char kNamespace[];
extern const char kAuditUser[];
extern const char kAuditTargetResource[];
extern const char kAuditTargetName[];
extern const char kAuditTargetNamespace[];
extern const char kAuditResponseName[];
extern const char kImageRepository[];
extern const char kImageTag[];
extern const char kServerIp[];
extern const char kRemoteIp[];
}  // namespace falco

namespace ocsf {
extern const char kDeviceHostname[];
extern const char kDeviceInstanceUid[];
extern const char kResources[];
// Within each of kResources.
extern const char kResourceType[];
extern const char kResourceName[];
extern const char kResourceUid[];
}  // namespace ocsf

}  // namespace eksir::native
