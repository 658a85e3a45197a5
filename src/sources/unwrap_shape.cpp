#include "sources/unwrap_shape.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace eksir::sources::detail {

namespace dom = simdjson::dom;
using simdjson::dom::element_type;

namespace {

// clang-format off
constexpr std::array<std::string_view, kKeyCount> kNames = {
    "kind", "apiVersion", "auditID", "user", "verb", "requestURI", "stage",
    "requestReceivedTimestamp", "stageTimestamp", "timestamp", "metadata",
    "eventSource", "eventName", "eventTime", "eventVersion", "eventID",
    "schemaVersion", "type", "resource", "severity", "createdAt", "productArn", "awsAccountId",
    "rule", "priority", "output", "output_fields", "source", "time", "time_dt", "class_uid",
    "records", "events", "logEvents", "messageType", "results", "findings", "items",
    "detail", "detail-type", "cloudTrailEvent", "message",
    "findingArn", "artifactName", "imageScanFindings", "matches", "descriptor",
};
// clang-format on

constexpr size_t kMaxName = 32;

// Keys grouped by name length, so a field is compared with at most a handful of candidates.
struct ByLength {
  std::array<uint8_t, kKeyCount> keys{};
  std::array<uint8_t, kMaxName + 2> start{};  // keys of length n are keys[start[n]..start[n+1])
};

constexpr ByLength make_by_length() {
  ByLength b;
  for (size_t i = 0; i < kKeyCount; ++i) b.keys[i] = static_cast<uint8_t>(i);
  std::sort(b.keys.begin(), b.keys.end(),
            [](uint8_t x, uint8_t y) { return kNames[x].size() < kNames[y].size(); });
  size_t k = 0;
  for (size_t n = 0; n <= kMaxName + 1; ++n) {
    b.start[n] = static_cast<uint8_t>(k);
    while (k < kKeyCount && kNames[b.keys[k]].size() == n) ++k;
  }
  return b;
}

constexpr ByLength kByLength = make_by_length();

int match_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxName) return -1;
  char first = key[0];
  if (first >= 'A' && first <= 'Z') first = static_cast<char>(first - 'A' + 'a');
  for (size_t i = kByLength.start[key.size()]; i < kByLength.start[key.size() + 1]; ++i) {
    std::string_view name = kNames[kByLength.keys[i]];
    if (name[0] == first && std::memcmp(name.data() + 1, key.data() + 1, key.size() - 1) == 0)
      return kByLength.keys[i];
  }
  return -1;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Panther's rule tests trim auditID and timestamps but keep user; the Datadog doc snippets have
// neither, and are not taken for events.
bool is_audit_event(const Fields& f) {
  if (f.has(kKind) && f.str(kKind) != "Event") return false;
  bool identified = !f.str(kAuditId).empty() || f.is(kUser, element_type::OBJECT);
  if (f.has(kApiVersion)) return identified && starts_with(f.str(kApiVersion), "audit.k8s.io/");
  // Pre-v1beta1 events carry no apiVersion.
  return !f.str(kAuditId).empty() && f.has(kVerb) && f.has(kRequestUri) && f.has(kStage);
}

}  // namespace

std::string_view Fields::str(Key k) const {
  std::string_view s;
  if (has(k) && value[k].get_string().get(s) == simdjson::SUCCESS) return s;
  return {};
}

void scan_fields(dom::object obj, Fields& f) {
  f.present = 0;
  for (dom::key_value_pair kv : obj) {
    int k = match_key(kv.key);
    if (k < 0 || f.has(static_cast<Key>(k))) continue;
    f.present |= uint64_t{1} << k;
    f.value[k] = kv.value;
    f.name[k] = kv.key;
  }
}

Shape classify(const Fields& f) {
  if (is_audit_event(f)) return Shape::K8sAudit;
  if (f.has(kCloudTrailEvent) && f.is(kCloudTrailEvent, element_type::STRING))
    return Shape::LookupEvent;
  // A record needs more than the two names: the access-entry doc snippets have only those.
  if (!f.str(kEventSource).empty() && !f.str(kEventName).empty() &&
      (f.has(kEventTime) || f.has(kEventVersion) || f.has(kEventId)))
    return Shape::CloudTrail;
  if (!f.str(kRule).empty() && !f.str(kPriority).empty() && f.is(kOutput, element_type::STRING))
    return f.str(kSource) == "internal" ? Shape::FalcoInternal : Shape::Falco;
  if (f.has(kSchemaVersion) && f.has(kType) && f.has(kResource) && f.has(kSeverity))
    return Shape::GuardDuty;
  if (f.has(kSchemaVersion) && !f.str(kProductArn).empty() && f.has(kAwsAccountId))
    return Shape::Asff;
  if (f.has(kClassUid) && f.value[kClassUid].is_number() && f.is(kMetadata, element_type::OBJECT))
    return Shape::Ocsf;
  // Amazon Inspector findings (and ECR's enhanced findings, which Inspector makes) are named by
  // their findingArn; what else a finding needs is checked by its reader, which says what is
  // missing.
  if (!f.str(kFindingArn).empty()) return Shape::Inspector;
  // Vulnerability reports, before the wrappers: Trivy's Results would read as Logs Insights'.
  if (f.is(kImageScanFindings, element_type::OBJECT)) return Shape::EcrScanFindings;
  if (f.has(kArtifactName) && (f.is(kResults, element_type::ARRAY) || f.has(kSchemaVersion)))
    return Shape::Trivy;
  if (f.is(kMatches, element_type::ARRAY) &&
      (f.is(kDescriptor, element_type::OBJECT) || f.is(kSource, element_type::OBJECT)))
    return Shape::Grype;

  if (f.is(kMessage, element_type::STRING) && f.has(kTimestamp)) return Shape::LogEvent;
  if (f.has(kDetail) && f.has(kDetailType)) return Shape::EventBridge;
  if (f.is(kRecords, element_type::ARRAY)) return Shape::Records;
  if (f.is(kEvents, element_type::ARRAY)) return Shape::Events;
  if (f.has(kMessageType)) {
    std::string_view type = f.str(kMessageType);
    if (type == "CONTROL_MESSAGE") return Shape::ControlMessage;
    if (type != "DATA_MESSAGE") return Shape::Unknown;
  }
  if (f.is(kLogEvents, element_type::ARRAY)) return Shape::LogEvents;
  if (f.is(kResults, element_type::ARRAY)) return Shape::Results;
  if (f.is(kFindings, element_type::ARRAY)) return Shape::Findings;
  if (f.str(kKind) == "EventList" && starts_with(f.str(kApiVersion), "audit.k8s.io/") &&
      f.is(kItems, element_type::ARRAY))
    return Shape::AuditEventList;
  return Shape::Unknown;
}

TimeNs time_value(dom::element e, int64_t unit_ns) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return parse_time(s);
  int64_t i;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    if (i > INT64_MAX / unit_ns || i < -(INT64_MAX / unit_ns)) return kNoTime;
    return i * unit_ns;
  }
  double d;
  if (e.get_double().get(d) == simdjson::SUCCESS) {
    double ns = d * static_cast<double>(unit_ns);
    if (!std::isfinite(ns) || std::fabs(ns) >= 9.2e18) return kNoTime;
    return static_cast<TimeNs>(std::llround(ns));
  }
  return kNoTime;
}

TimeNs event_time(Shape s, const Fields& f) {
  auto first_of = [&f](std::initializer_list<Key> keys, int64_t unit_ns) {
    for (Key k : keys) {
      if (!f.has(k)) continue;
      TimeNs t = time_value(f[k], unit_ns);
      if (t != kNoTime) return t;
    }
    return kNoTime;
  };
  switch (s) {
    case Shape::K8sAudit: {
      TimeNs t = first_of({kRequestReceivedTimestamp, kStageTimestamp, kTimestamp}, 1);
      if (t == kNoTime && f.is(kMetadata, element_type::OBJECT)) {
        dom::element created;
        if (f[kMetadata]["creationTimestamp"].get(created) == simdjson::SUCCESS)
          t = time_value(created, 1);
      }
      return t;
    }
    case Shape::CloudTrail:
      return first_of({kEventTime}, 1);
    case Shape::Falco: {
      TimeNs t = first_of({kTime}, 1);
      dom::element evt_time;
      if (t == kNoTime && f.is(kOutputFields, element_type::OBJECT) &&
          f[kOutputFields]["evt.time"].get(evt_time) == simdjson::SUCCESS)
        t = time_value(evt_time, 1);
      return t;
    }
    case Shape::Ocsf: {
      TimeNs t = first_of({kTime}, 1'000'000);  // epoch milliseconds
      return t != kNoTime ? t : first_of({kTimeDt}, 1);
    }
    case Shape::GuardDuty:
      return first_of({kCreatedAt}, 1'000'000'000);
    default:
      return kNoTime;
  }
}

}  // namespace eksir::sources::detail
