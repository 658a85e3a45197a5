// Native paths of GuardDuty findings, Falco alerts and OCSF findings that code reads directly (the
// incident's entities, the times of a finding), by name. They are spelled once, in the field table
// (field_table.cpp), whose rows name them too where an ECS field maps them.
#pragma once

namespace eksir::native {

namespace guardduty {
extern const char kRegion[];
extern const char kId[];
extern const char kType[];
extern const char kTitle[];
extern const char kDescription[];
extern const char kSeverity[];
extern const char kInstanceDnsName[];
extern const char kContainerImage[];
extern const char kEcsTaskImages[];
extern const char kProcessExecutable[];
extern const char kProcessName[];
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
extern const char kTime[];
extern const char kRule[];
extern const char kPriority[];
extern const char kOutput[];
extern const char kTags[];
extern const char kClusterName[];
extern const char kContainerName[];
extern const char kContainerId[];
extern const char kImage[];
extern const char kProcessCmdline[];
extern const char kProcessName[];
extern const char kProcessExecutable[];
extern const char kUserName[];
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
extern const char kCategoryUid[];
extern const char kSeverity[];
extern const char kSeverityId[];
extern const char kStatus[];
extern const char kMessage[];
extern const char kClassName[];
extern const char kClassNameOld[];
extern const char kTypeName[];
extern const char kActivityName[];
extern const char kMetadataUid[];
extern const char kProductName[];
extern const char kFindingUid[];
extern const char kFindingTitle[];
extern const char kFindingDesc[];
extern const char kFindingTypes[];
extern const char kFindingAttacks[];
// Before OCSF 1.1 (finding.* and a top-level attacks[]).
extern const char kFindingUidOld[];
extern const char kFindingTitleOld[];
extern const char kFindingDescOld[];
extern const char kFindingTypesOld[];
extern const char kAttacksOld[];
// Within each attack of kFindingAttacks or kAttacksOld.
extern const char kAttackTechniqueUid[];
extern const char kAttackSubTechniqueUid[];
extern const char kAttackTacticName[];
extern const char kAttackTacticUid[];
extern const char kAttackTacticsName[];
extern const char kActorUserName[];
extern const char kActorUserUid[];
extern const char kActorProcessName[];
extern const char kDeviceName[];
extern const char kResourcesClusterUid[];
extern const char kResourcesNamespace[];
extern const char kResourcesPod[];
extern const char kResourcesName[];
extern const char kResourcesUid[];
extern const char kOrchestratorCluster[];
extern const char kPodNamespace[];
extern const char kContainerPodUuid[];
extern const char kContainerImageName[];
extern const char kProcessCmdLine[];
extern const char kProcessName[];
extern const char kSourceIp[];
extern const char kEvidenceSourceIp[];
extern const char kCloudAccountUid[];
extern const char kDeviceInstanceUid[];
extern const char kResources[];
// Within each of kResources.
extern const char kResourceType[];
extern const char kResourceName[];
extern const char kResourceUid[];
}  // namespace ocsf

}  // namespace eksir::native
