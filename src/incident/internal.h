// Private to incident/: what the correlation knows about each finding while it builds.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "event/summary.h"
#include "incident/graph.h"
#include "incident/incident.h"
#include "incident/scope.h"

namespace eksir::incident {

// prework() with who acted held by an interner (the context store's, on the scan's workers).
EventPrework prework(const EventView& ev, FacetInterner* who);

// One event behind findings, parsed once.
struct EventFacts {
  const Event* event = nullptr;
  EventEntities entities;
  EventSummary summary;
  std::string event_id;
  std::string
      sentence;  // "ci-deployer create clusterrolebindings backup-sa-admin from 203.0.113.45"
  TimeNs detected = kNoTime;    // GuardDuty createdAt, Falco / OCSF time
  TimeNs first_seen = kNoTime;  // GuardDuty service.eventFirstSeen
  TimeNs last_seen = kNoTime;   // GuardDuty service.eventLastSeen
  bool pod_binding = false;     // the scheduler placing a pod on a node
  long record = -1;             // index of its ScopeRecord
  // The same activity again (ContextStore repeats, and other records of the scope that did the
  // same thing with another credential): how many, until when, and their ids where kept.
  uint64_t repeats = 0;
  TimeNs repeats_from = kNoTime, repeats_until = kNoTime;
  std::vector<std::string> also;
  std::string granted_role;  // the ClusterRole / Role the API server said allowed it
  // An event a rule matched that no finding cites (past the records its finding cites): the
  // title of the rule, "" when not known.
  std::optional<std::string> matched;
  bool failed = false;  // denied or failed
};

struct FindingFacts {
  const detect::Finding* finding = nullptr;
  std::vector<const EventFacts*> events;  // in evidence order (captured ones)
  std::vector<std::string> entities;      // keys: actors, targets, source IPs
  std::vector<std::string> actors;
  std::string criterion;  // the rule's, or the one an alert maps to
  bool alert = false;     // GuardDuty / Falco / OCSF
  std::optional<Benign> benign;
};

// What the scope found for the incident: the records pulled in beyond the findings' own, and
// why each key is in it.
struct ScopeFacts {
  ScopeResult result;
  std::vector<std::pair<const EventFacts*, Pulled>> pulled;  // in evidence order
};

// Where a record is, for citing it as a finding's evidence.
struct RecordPlace {
  Source source{};
  std::string file;
  uint64_t line = 0, record = 0;
  std::string event_id;
};
// Findings the policy makes possible: a CI/CD identity acting from outside trusted_cidrs, or
// with a client it never used from them (incident/cicd.cpp).
struct DerivedFinding {
  detect::Finding finding;
  std::vector<size_t> records;  // the records it cites (indices of ScopeRecords)
};
std::vector<DerivedFinding> cicd_findings(const std::vector<ScopeRecord>& records,
                                          const std::function<RecordPlace(size_t)>& place,
                                          const cluster::Policy& policy);

std::string_view source_label(Source s);
std::string_view criterion_text(std::string_view id);
Level criterion_level(std::string_view id);
// The criterion a detector's alert stands for, by its type and severity.
std::string alert_criterion(const detect::Finding& f);
std::string confidence_of(const detect::Finding& f, bool benign);

// The false positives the investigation pattern names (CI/CD, maintenance, autoscaling),
// recognised from the policy. Never for critical-criterion findings on identity alone.
std::optional<Benign> likely_benign(const FindingFacts& ff, const Graph& g,
                                    const cluster::Policy& policy);

// Criteria the attacker's scope shows beyond what rules flagged: cluster-admin held, secrets
// read, S3 objects taken, a production workload exploited. Added to criteria (evidence cited).
void scope_criteria(const ScopeFacts& scope, const Graph& g, const CorrelationInput& in,
                    const std::vector<const FindingFacts*>& group,
                    std::vector<Criterion>& criteria);

// A record as a criterion's evidence, with this text.
Evidence event_evidence(const EventFacts& ef, std::string text);
// Adds the evidence to the criterion (met from now on), the criterion to criteria if new; the
// same record twice, or more than 20 pieces, are not added.
void add_criterion(std::vector<Criterion>& criteria, std::string_view id, Evidence e);

// An image's fixes: each package's installed version, the version that fixes all its findings
// ("no fix" when none is known) and the findings' ids — and whether all, some or none of the
// packages have a fixed version, for the plan to say what a rebuild must do.
struct Fixes {
  std::string text;   // "package installed -> fixed (ids); …"
  std::string known;  // "all", "some" or "none"
};
Fixes fixes_of(const std::vector<const cluster::ImageVulnerability*>& findings);

// Images the incident's workloads run with CRITICAL or HIGH findings of a scanner: the affected
// images, medium.vulnerable_component, and critical.active_exploitation where a workload running
// an image with a public exploit shows exploitation at runtime. whole_cluster: no finding counts,
// so every running workload known is looked at.
void assess_images(Incident& inc, const std::vector<const FindingFacts*>& group, const Graph& g,
                   const CorrelationInput& in, bool whole_cluster);

// What the scan sees of images, on its workers: scanners' findings (CRITICAL and HIGH kept, every
// record counted) and what kubelets reported their pods' containers run (the audit log's pod
// status writes). Handed to the snapshot after the scan, for the checks and the correlation.
class ImageEvidence {
 public:
  // max_kept: critical and high findings kept in all (a scanner's output for thousands of images
  // holds a few hundred thousand); past it they are counted, and the incident says so.
  explicit ImageEvidence(unsigned workers, size_t max_kept = 1'000'000);
  // True when the event was one of these (a vulnerability, a pod status write).
  bool offer(const EventView& ev, unsigned worker);
  void move_into(cluster::Snapshot& snap);

 private:
  struct Part {
    struct ImageId {
      std::string where, id;  // "namespace/pod/container", imageID
      TimeNs time = kNoTime;
    };
    std::vector<cluster::ImageVulnerability> vulnerabilities;
    std::vector<ImageId> image_ids;
    uint64_t records = 0, dropped = 0;
  };
  std::vector<Part> parts_;
  size_t max_per_part_;
};

// Severity of a group of findings by the playbook's table: criteria met (highest first).
std::vector<Criterion> assess(const std::vector<const FindingFacts*>& group, const Graph& g,
                              bool production_known_non_prod);
Level level_of(const std::vector<Criterion>& criteria);

}  // namespace eksir::incident
