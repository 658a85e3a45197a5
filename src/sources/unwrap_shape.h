// Private to sources/: what a JSON object is, decided from its top-level keys in one pass.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string_view>

#include "event/event.h"

namespace eksir::sources::detail {

// The top-level keys that decide a shape or carry its time. Matched with the first letter in
// either case, so PascalCase CLI output ("SchemaVersion", "Findings", "Events") lands on the same
// slot as camelCase.
// clang-format off
enum Key : uint8_t {
  kKind, kApiVersion, kAuditId, kUser, kVerb, kRequestUri, kStage,
  kRequestReceivedTimestamp, kStageTimestamp, kTimestamp, kMetadata,
  kEventSource, kEventName, kEventTime, kEventVersion, kEventId,
  kSchemaVersion, kType, kResource, kSeverity, kCreatedAt, kProductArn, kAwsAccountId,
  kRule, kPriority, kOutput, kOutputFields, kSource, kTime, kTimeDt, kClassUid,
  kRecords, kEvents, kLogEvents, kMessageType, kResults, kFindings, kItems,
  kDetail, kDetailType, kCloudTrailEvent, kMessage,
  kFindingArn, kArtifactName, kImageScanFindings, kMatches, kDescriptor,
  kKeyCount
};
// clang-format on
static_assert(kKeyCount <= 64, "Fields::present is a 64-bit mask");

struct Fields {
  uint64_t present = 0;
  simdjson::dom::element value[kKeyCount];
  std::string_view name[kKeyCount];  // the key as spelled, to find its raw text

  bool has(Key k) const { return (present >> k) & 1; }
  simdjson::dom::element operator[](Key k) const { return value[k]; }
  // The string value of k; empty when absent or not a string.
  std::string_view str(Key k) const;
  bool is(Key k, simdjson::dom::element_type t) const { return has(k) && value[k].type() == t; }
};

// Fills `f` with the known keys of `obj` (the first occurrence wins). Allocates nothing.
void scan_fields(simdjson::dom::object obj, Fields& f);

enum class Shape : uint8_t {
  Unknown,
  // bare events
  K8sAudit,
  CloudTrail,
  GuardDuty,
  Asff,
  Falco,
  Ocsf,
  FalcoInternal,  // Falco metrics snapshot: not an alert, not an error
  Inspector,      // an Amazon Inspector finding (findingArn), bare or in a wrapper
  // vulnerability reports: documents around an image's vulnerabilities
  EcrScanFindings,  // aws ecr describe-image-scan-findings
  Trivy,            // trivy image -f json
  Grype,            // grype -o json
  // wrappers
  ControlMessage,  // CloudWatch subscription CONTROL_MESSAGE: no events, not an error
  LookupEvent,     // {"CloudTrailEvent":"<json>", ...}
  LogEvent,        // CloudWatch log event {"timestamp":..,"message":"<json>"}
  EventBridge,     // {"detail-type":..,"detail":{...}}
  Records,
  Events,
  LogEvents,
  Results,
  Findings,
  AuditEventList,
};

Shape classify(const Fields& f);

// The event time of a bare event of shape s (K8sAudit, CloudTrail, Falco, Ocsf, GuardDuty).
TimeNs event_time(Shape s, const Fields& f);

// A timestamp that is an ISO string, or a number of epoch units of `unit_ns` nanoseconds.
TimeNs time_value(simdjson::dom::element e, int64_t unit_ns);

}  // namespace eksir::sources::detail
