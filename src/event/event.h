// The normalised event: one record of evidence, from any source, with where it came from.
//
// Readers (sources/) hand out EventViews: non-owning, valid only during the callback that
// receives them, so the hot path allocates nothing per event. Stages that keep events past the
// scan (findings, incidents) copy them into an owned Event.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/time.h"

namespace eksir {

// Vulnerability: image vulnerability findings (Amazon Inspector, ECR image scans, Trivy, Grype),
// one event per image, vulnerability and package, its document rebuilt in one flat shape
// (sources/unwrap_vulnerability.h).
enum class Source : uint8_t { CloudTrail, K8sAudit, GuardDuty, Falco, Ocsf, Vulnerability };
inline constexpr int kSourceCount = 6;

// Stable lower-case names used on the command line and in output: cloudtrail, k8s_audit,
// guardduty, falco, ocsf, vulnerability.
std::string_view source_name(Source s);
// Accepts the names above and a few spellings responders type (k8s, audit, kubernetes, edr,
// vuln).
std::optional<Source> parse_source(std::string_view name);

inline constexpr uint64_t kNoOffset = UINT64_MAX;

class FieldCache;

struct EventView {
  Source source{};
  std::string_view file;  // path of the evidence file as given (or found under a folder)
  uint64_t line = 0;      // 1-based line of the (decompressed) file where the record starts
  uint64_t record = 0;    // 0-based index of the record within its top-level JSON value
                          // (the i-th element of a wrapper; 0 for a bare event)
  TimeNs time = kNoTime;
  bool sample = false;         // an AWS-generated sample (GuardDuty additionalInfo.sample: true)
  std::string_view raw;        // the record exactly as in the evidence (the inner event if wrapped)
  simdjson::dom::element doc;  // the parsed inner event, keys normalised (GuardDuty camelCase;
                               // vulnerability findings rebuilt in one shape)
  // Values already looked up on this event (field lookups by many rules); owned by the caller,
  // which resets it for each event. Null: no caching.
  FieldCache* cache = nullptr;
  // raw does not parse as it is: integers wider than 64 bits in it were read as doubles.
  bool rewritten = false;
  // Where raw starts in the file's content (decompressed), when raw is a slice of it as read;
  // kNoOffset otherwise (events from a database, text decoded from an embedded string).
  uint64_t offset = kNoOffset;
};

// An EventView copied so that it outlives the scan.
struct Event {
  Source source{};
  std::string file;
  uint64_t line = 0;
  uint64_t record = 0;
  TimeNs time = kNoTime;
  bool sample = false;
  std::string raw;
  // doc as JSON when raw does not parse to it (re-keyed GuardDuty, a vulnerability's rebuilt
  // document, numbers wider than 64 bits); else empty
  std::string json;

  static Event from_view(const EventView& v);
  // Where and when the event is, without its text (raw and json empty).
  static Event place_of(const EventView& v);
  std::string_view normalised() const { return json.empty() ? std::string_view(raw) : json; }
};

}  // namespace eksir
