// The incident: findings, posture results and the entities they touch, correlated across the AWS
// and Kubernetes layers into one incident (and separate leads), with the playbook's severity and
// the criteria met, the timeline, the affected resources and the metrics. The one public header
// of the incident stage; docs/incident-json.md is its JSON contract.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster.h"
#include "detect/detect.h"
#include "event/event.h"
#include "util/severity.h"

namespace eksir::incident {

// The incident's severity: the playbook's levels, Low to Critical, on the one scale.
using Level = util::Severity;
// A level's name, any letter case ("high", "Critical"); nullopt for info and anything else.
std::optional<Level> parse_level(std::string_view s);

// One fact behind a criterion, an affected resource, a link or a timeline line.
struct Evidence {
  std::string text;
  std::string finding, rule;  // the finding it came from ("" for snapshot facts)
  std::string source;         // "Kubernetes audit", "CloudTrail", "GuardDuty", "Falco", ...
  std::string file;
  uint64_t line = 0;
  // 0-based index of the record in the JSON document on that line (CloudTrail's Records[],
  // CloudWatch's events[]); cited as file:line#record when not the first.
  uint64_t record = 0;
  std::string event_id;
  TimeNs time = kNoTime;
};

struct Criterion {
  Level level = Level::Low;
  std::string id;         // critical.cluster_admin, ... (rules::criterion_ids())
  std::string criterion;  // the playbook's words
  std::vector<Evidence> evidence;
  bool likely_benign = false;  // every piece of evidence is likely benign: not counted
};

// An entity of the graph. Keys are "<kind>:<id>" (iam:ARN, key:AKIA..., k8suser:NAME,
// pod:NS/NAME, node:NAME, instance:i-..., sa:NS/NAME, binding:KIND/NS/NAME, image:REF, ip:ADDR,
// ...); see entity_kind() for the affected-resource kind of each.
struct Entity {
  std::string key, kind, name, ns, id;
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> labels;  // pods and workloads
};

struct Link {
  std::string from, to, relation;
  Evidence evidence;
};

struct Affected {
  std::string kind, name, ns, id, why;
  std::vector<std::string> findings;
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> labels;
  // The attribute's value, "" when it has none.
  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
};

enum class Tag { Incident, Detection, Response };
std::string_view tag_name(Tag t);  // INCIDENT, DETECTION, RESPONSE

// The event ids a timeline line keeps of the records it stands for: enough to look them up, not
// a copy of the evidence (the line counts them all).
inline constexpr size_t kMaxAlsoIds = 1000;
struct TimelineEntry {
  TimeNs time = kNoTime;
  Tag tag = Tag::Incident;
  std::string text, source, confidence;  // confidence: High | Medium | Low
  Evidence evidence;
  bool informational = false;  // an info-level alert: a record, not a detection (metrics)
  // The same request again after this one (same credential, address, action and object):
  // how many, and when the last was. Counted, not listed one by one.
  uint64_t repeats = 0;
  TimeNs from = kNoTime, until = kNoTime;  // when the repeats were (from may precede time)
  std::vector<std::string> also;  // event ids of the repeats that were kept (kMaxAlsoIds at most)
  // The time is outside what evidence can carry (util::implausible_times) or could not be read:
  // the line is kept, but the metrics and the report's chart leave it out.
  bool implausible_time = false;
};
// `2026-03-14T09:12:31Z [INCIDENT] text (High confidence, Kubernetes audit)`
std::string timeline_line(const TimelineEntry& e);

struct Metrics {
  TimeNs first_malicious = kNoTime, last_malicious = kNoTime, first_detection = kNoTime;
  size_t affected_resources = 0;
  TimeNs contained = kNoTime, recovered = kNoTime;
  size_t implausible_times = 0;  // timeline lines left out of the metrics (implausible_time)
};

struct Benign {
  std::string finding, rule, title, reason;
  std::string kind;  // cicd | maintenance | autoscaling | expected
  detect::Severity severity = detect::Severity::Info;
};

struct ClusterRef {
  std::string name, region, account, arn;
};

struct Incident {
  std::string id, title, type;
  Level severity = Level::Low;
  // Set when no event was read: there is nothing to assess, so the incident has no severity (the
  // JSON writes null) and this says why.
  std::string undetermined;
  ClusterRef cluster;
  bool production = true;
  std::vector<Criterion> criteria;  // met, highest level first
  std::vector<Affected> affected;
  std::vector<TimelineEntry> timeline;
  Metrics metrics;
  std::vector<Benign> likely_benign;
  std::vector<std::string> assumptions, gaps, next_steps;
  // Entities the scope reached but did not follow, and why (hubs: the cluster, nodes, system
  // identities, trusted addresses; pre-existing principals whose credential the attacker used).
  std::vector<std::pair<std::string, std::string>> not_expanded;
  std::string summary;
  std::vector<std::string> findings;  // ids
  std::vector<Entity> entities;
  std::vector<Link> links;
};

struct Input {
  std::string path, sha256;
  uint64_t size = 0;
};

struct RunInfo {
  int64_t id = 0;
  std::string case_id, case_dir, tool_version, operator_name;
  std::string cwd;  // where investigate ran: relative input paths start there
  TimeNs started = kNoTime, finished = kNoTime;
  std::vector<Input> inputs;
  size_t builtin_rules = 0, rules_loaded = 0;
  std::vector<std::string> rule_paths;
  sources::ScanStats stats;
  uint64_t snapshot_files = 0, snapshot_objects = 0;
};

struct Investigation {
  RunInfo run;
  Incident incident;
  std::vector<Incident> leads;
  std::vector<detect::Finding> findings;
  std::vector<cluster::Finding> posture;
};

class ContextStore;

// What the correlation reads besides findings: the events that fed them, the snapshot, policy.
// What a scan worker works out of an event it keeps, while the event's document is parsed: the
// correlation then parses again only the events a finding cites.
struct EventPrework {
  std::string facets;  // encoded (incident/facets.h)
  std::string event_id;
  bool pod_binding = false;  // the scheduler placing a pod on a node
  // The single-event rule that matched it first (an index into the rules of the scan), if any.
  uint32_t rule = UINT32_MAX;
  // Where the event's text is in its file, when the event was kept without it (Event::raw
  // empty): the correlation reads back the texts it needs (sources::read_back).
  uint64_t offset = kNoOffset;
  uint32_t length = 0, checksum = 0;
  bool light() const { return offset != kNoOffset; }
};
EventPrework prework(const EventView& ev);
// An event behind a finding as investigate keeps it: without its text when that is a slice of
// its file (work then says where), else whole.
Event keep_event(const EventView& ev, EventPrework& work);

struct CorrelationInput {
  const std::vector<detect::Finding>* findings = nullptr;
  const std::vector<Event>* events = nullptr;          // events behind findings and pod bindings
  const std::vector<EventPrework>* prework = nullptr;  // one per event, when the scan made them
  const std::vector<rules::Rule>* rules = nullptr;     // of the scan (EventPrework::rule)
  const cluster::Snapshot* snapshot = nullptr;
  const std::vector<cluster::Finding>* posture = nullptr;
  const cluster::Policy* policy = nullptr;
  bool policy_given = false;
  const sources::ScanStats* stats = nullptr;
  // Every other record that could be the attacker's (incident/context.h): the scope pulls from
  // it what touches the attacker's credentials, addresses and objects.
  const ContextStore* context = nullptr;
  // The run's wall clock: times more than a day after it are implausible. kNoTime = the clock now.
  TimeNs now = kNoTime;
};

// True when an unexpired suppression of the policy covers the finding: by rule id, and by the
// namespace, name and principal its subject names. Counts the suppression's hit.
bool suppressed(const detect::Finding& f, const cluster::Policy& policy);
// The run's account of suppressions: one line per suppression that hid something.
std::vector<std::string> suppression_report(const cluster::Policy& policy, std::string_view file);

// Builds the incident and the leads. Pure: no I/O.
void build(const CorrelationInput& in, Investigation& out);

// docs/incident-json.md
std::string to_json(const Investigation& inv);
// The same, with the findings' JSON already rendered (detect::finding_json, in order).
std::string to_json(const Investigation& inv, const std::vector<std::string>& findings_json);
// What read_json gives back: the investigation a document describes, or why it cannot be read.
struct ReadResult {
  Investigation investigation;
  std::string schema;         // as the document names it ("" when it names none)
  bool has_run = false;       // the document has a "run" object
  bool has_incident = false;  // the document has an "incident" object
  std::string error;          // not JSON, not an object, or another schema
  bool ok() const { return error.empty(); }
};
// The inverse of to_json: to_json(read_json(to_json(inv)).investigation) is the document it read.
// Tolerant: a member missing or of another type reads as empty (strings), zero or kNoTime.
ReadResult read_json(std::string_view json);
// MITRE ATT&CK for the incident: the techniques its findings cite (not those marked likely
// benign), each once, with the tactics ATT&CK puts it under (rules::technique_tactics; else those
// of the findings citing it), the findings and the met criteria resting on them; and every
// tactic the findings name, techniques or not (a GuardDuty finding type names a tactic alone).
struct AttackTechnique {
  std::string id;                     // T1098.006
  std::vector<std::string> tactics;   // short names, in the matrix's order
  std::vector<std::string> findings;  // ids of the incident's findings that cite it
  std::vector<std::string> titles;    // their titles, each once
  std::vector<std::string> criteria;  // ids of the met criteria whose evidence is one of them
  detect::Severity severity = detect::Severity::Info;  // the highest of those findings
  size_t score() const { return findings.size() + criteria.size(); }
};
struct AttackView {
  std::vector<std::string> tactics;         // in the matrix's order
  std::vector<AttackTechnique> techniques;  // by their first tactic's place, then id
};
AttackView attack_view(const Investigation& inv);
// The incident as an ATT&CK Navigator layer (layer format 4.5, enterprise-attack): one entry per
// technique scored by attack_view's score, coloured by its findings' highest severity, commented
// with their titles (through util::visible); docs/report.md.
std::string navigator_layer(const Investigation& inv);

// The incident for other tools (incident/alert_outputs.cpp). ecs: an Elastic _bulk body
// (detect::write_ecs_bulk) of one alert document for the incident itself (rule.id
// "eksir.incident", its severity, ATT&CK and eksir.incident.*; left out when undetermined), then
// one per finding of the incident, each with eksir.incident.id. ocsf: the incident's findings as
// OCSF Detection Findings, one per line, the incident id as each one's metadata.correlation_uid.
// Findings in the order of inv.findings.
std::string incident_ecs(const Investigation& inv);
std::string incident_ocsf(const Investigation& inv);

// The terminal summary a responder reads in 30 seconds. width: the terminal's columns, every line
// fitted to them (util::terminal_width); 0 when the output is not a terminal: nothing is cut.
void write_summary(const Investigation& inv, std::ostream& out, bool color, size_t width = 0);

// What `eksir investigate` scans and how; the rules, the policy and the case are the command's
// (app::investigate).
struct InvestigateOptions {
  std::vector<std::string> evidence;
  std::string config;  // eksir.yaml, as the run's lines name it; "" = no policy given
  TimeNs since = kNoTime, until = kNoTime;
  unsigned threads = 0;
  size_t memory = detect::kDefaultMemory;  // detect::EngineOptions::memory
  // API calls rules matched kept whole for the correlation; past this many, each is kept as the
  // scope's other records are (ContextStore::offer_hit), so that nothing is dropped.
  size_t max_kept_events = 200000;
  bool progress = true;  // a progress line on the terminal while the scan runs
  // When set (`--on clickhouse://...`), events also come from it: it is given the loaded rules,
  // and `source` names it in the run's inputs. Local evidence, when given too (a snapshot, alert
  // files), is scanned as well.
  std::function<sources::ScanFn(const std::vector<rules::Rule>&)> scan;
  std::string source;
};
// What the scan and the correlation give: the investigation (its run without the case and the
// inputs), the lines of the policy's suppressions that hid something (also among the incident's
// assumptions), and the hashes of the inputs the scan left to finish beside the correlation.
struct Investigated {
  Investigation investigation;
  std::vector<std::string> suppressions;
  std::future<std::map<std::string, FileDigest>> deferred_digests;
};
// One scan of the evidence (and of options.scan) for every rule, the snapshot and its posture
// checks, then the correlation. run: the run as the command started it (when, by whom, where, the
// rule paths); ahead, when given: hashing the evidence since before the rules loaded.
Investigated investigate(const InvestigateOptions& o, RunInfo run, std::vector<rules::Rule> rules,
                         const cluster::Policy& policy, sources::DigestAhead* ahead);
// The run's inputs with their hashes (waiting for the deferred ones), and a gap for each input
// that could not be hashed.
void add_inputs(Investigated& x, const std::vector<std::string>& evidence);
// The next steps as the terminal shows them: naming this case and this evidence (shell-quoted,
// ready to paste) where the incident's text has the placeholders CASE and EVIDENCE.
void fill_in_next_steps(Incident& inc, const std::string& case_dir,
                        const std::vector<std::string>& evidence);

}  // namespace eksir::incident
