// Detection: every rule over every event in one parallel pass, correlations after the scan,
// GuardDuty / Falco / OCSF alerts as findings, de-duplication, and the finding writers. The one
// public header of the detect stage; `eksir detect` (app/detect.cpp) fills DetectOptions.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "event/event.h"
#include "rules/rules.h"
#include "sources/sources.h"

namespace eksir::detect {

using rules::Severity;

// Where a finding's event is in the evidence.
struct EvidenceRef {
  Source source{};
  std::string file;
  uint64_t line = 0;
  uint64_t record = 0;
  TimeNs time = kNoTime;
  std::string event_id;  // auditID, CloudTrail eventID, GuardDuty id, Falco time+rule, OCSF uid
};

struct Finding {
  std::string id;  // stable: hash of rule id, subject and first_seen
  std::string rule_id, rule_title, origin, author;
  Severity severity = Severity::Info;
  std::string title, description;
  TimeNs first_seen = kNoTime, last_seen = kNoTime;
  uint64_t count = 1;                // events (or correlation alerts) merged into this finding
  std::vector<std::string> attack;   // ATT&CK technique ids, each once
  std::vector<std::string> tactics;  // ATT&CK tactic short names, in the matrix's order
  std::string criterion;
  std::vector<std::pair<std::string, std::string>> subject;  // ordered key → value
  std::vector<EvidenceRef> evidence;                         // at most kMaxEvidence kept
  bool sample = false;  // a GuardDuty sample finding (severity capped at info)
  std::string note;     // e.g. why severity was capped, history covered by a first_seen
  std::string dedup_key;
};
inline constexpr size_t kMaxEvidence = 50;

inline constexpr unsigned kFedHit = 1, kFedCorrelation = 2, kFedWatch = 4;

struct EngineOptions {
  unsigned workers = 1;
  bool alerts = true;  // GuardDuty / Falco / OCSF findings become findings
  TimeNs dedup_window = 3600LL * 1000000000LL;
  // Bytes the events that correlation rules count may hold in memory; past it they go to a
  // temporary file and are read back one rule at a time after the scan (0: no limit). Matches
  // of single-event rules need no budget: they are folded into findings as they come.
  size_t memory = 0;
  // Queries the caller wants told about (kFedWatch) without making findings: routed with the
  // rules, so an event none can match costs nothing more.
  std::vector<query::Node> watch;
};

// A first_seen (Elastic new_terms) rule whose history window the evidence did not cover for some
// values: those values were seen, but too soon to tell whether they are new, so no finding was
// made for them. Reported per rule so that the silence is not mistaken for "nothing new".
struct Withheld {
  std::string rule_id, rule_title;
  TimeNs history = 0;         // the rule's history window
  TimeNs evidence_start = 0;  // the first event of the sources the rule reads
  size_t values = 0;          // values first seen with less history than required before them
  std::vector<std::string> examples;  // the first few, as "field=value" text
  std::string text() const;           // one line for a responder
};

// What went to the temporary file (EngineOptions::memory). error: it failed; writing, the events
// left stayed in memory (nothing is dropped); reading back (lost), correlation rules ran
// without some of the events that had gone to it.
struct SpillStats {
  uint64_t tuples = 0, bytes = 0;
  uint64_t runs = 0;  // sorted runs written: one each time a worker's share of the budget filled
  std::string error;
  bool lost = false;
  // The fingerprints of single-event rules' matches (what tells copies of one event apart).
  uint64_t prints = 0, print_bytes = 0;
  std::string print_error;
  bool prints_lost = false;  // could not be read back: copies of one event may count twice
};

// Evaluates rules over events. on_event may be called from `workers` threads at once, each with
// its own worker index; finish() runs once after the scan on one thread.
class Engine {
 public:
  Engine(std::vector<rules::Rule> rules, const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // What the event fed: kFedHit (a single-event rule matched it, or it is an alert) and/or
  // kFedCorrelation (a correlation rule counted it) and/or kFedWatch (a watch query matched it);
  // 0 for most events.
  unsigned on_event(const EventView& ev, unsigned worker);
  // The same, also saying which single-event rule matched it first (an index into rules()), or
  // kNoRule when none did.
  static constexpr uint32_t kNoRule = UINT32_MAX;
  unsigned on_event(const EventView& ev, unsigned worker, uint32_t& first_rule);
  // Findings sorted by first_seen, then rule id, then subject.
  std::vector<Finding> finish();
  // After finish(): the first_seen rules that withheld values for want of history.
  const std::vector<Withheld>& withheld() const;
  // After finish(): the correlation events that went to a temporary file.
  const SpillStats& spilled() const;
  const std::vector<rules::Rule>& rules() const;
  // Sets the readers' literal prefilter (sources::ScanOptions::prefilter) for these rules: the
  // literals the text of every event one of them can match holds (query::text_literals of their
  // trees joined by OR), with the keys of alert records as guards (EngineOptions::alerts: an alert
  // is a finding whatever its words). Leaves it off when an event cannot be passed over unparsed:
  // a rule that requires no literal, or a first_seen rule (its history starts at the evidence's
  // first event, whatever that event says).
  void prefilter(sources::ScanOptions& so) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The finding an alert event (GuardDuty finding, Falco alert, OCSF finding) stands for, or none.
std::optional<Finding> alert_finding(const EventView& ev);
// Keys the text of every alert record holds, whatever its words (sources::ScanOptions::
// prefilter_guards): one of those the sources stage tells a Falco alert (output), a GuardDuty
// finding (schemaVersion) and an OCSF finding (class_uid) by, the first letter in either case
// (Security Hub and Inspector findings are the readers' guards already).
std::vector<util::LiteralClauses> alert_marks();
// The severity band of a GuardDuty score (0-10), a Falco priority, an OCSF severity_id.
Severity guardduty_severity(double score);
Severity falco_severity(std::string_view priority);
Severity ocsf_severity(int64_t severity_id);
// The event id a finding cites.
std::string event_id(const EventView& ev);

// Rule unit tests: positives must produce a finding of the rule, negatives must not.
struct RuleTestResult {
  std::string rule_id;
  size_t passed = 0, failed = 0;
  std::vector<std::string> failures;  // one line each
};
RuleTestResult test_rule(const rules::Rule& rule);

// Writers. `summary` is the JSON object text written as "summary".
enum class Format { Table, Json, Ndjson, Sarif, Ecs, Ocsf };
std::optional<Format> parse_format(std::string_view name);
void write_json(const std::vector<Finding>& f, const std::string& summary, std::ostream& out);
void write_ndjson(const std::vector<Finding>& f, std::ostream& out);
void write_table(const std::vector<Finding>& f, std::ostream& out, size_t width = 0,
                 bool colour = false);
void write_sarif(const std::vector<Finding>& f, const std::vector<rules::Rule>& rules,
                 std::ostream& out);
std::string finding_json(const Finding& f);
double security_severity(Severity s);  // SARIF security-severity (util/sarif.h)

// Elastic (detect/ecs_output.cpp). Elastic's four alert severities and their default risk scores:
// low 21, medium 47, high 73, critical 99; eksir's info is low (eksir.severity keeps "info").
std::string_view elastic_severity(Severity s);
int elastic_risk_score(Severity s);
// The finding's subject under ECS names, through the field table (event/fields.h): a key that is
// an ECS name stays; a native path of the finding's source becomes the ECS name whose row reads it
// (prefix rows too: requestParameters.name -> aws.cloudtrail.flattened.request_parameters.name);
// eksir's own words (namespace, pod, node, image, source_ip, arn...) the ECS name they stand for.
// Only keyword, text and ip fields (an ip field only with an address); sorted by name, values each
// once. Keys none of these reach stay in eksir.subject only.
std::vector<std::pair<std::string, std::string>> subject_ecs(const Finding& f);
// One alert document: ECS and kibana.alert.* fields written flat (dotted names), as Kibana's own
// alert documents are, then eksir.* for what ECS has no field for (evidence file:line, count).
// incident_id, when given, is written as eksir.incident.id (and eksir.finding.id left out when it
// is f's own id: the document of an incident); extra_members is JSON object members (from
// util::JsonWriter) appended at the end.
std::string ecs_document(const Finding& f, std::string_view incident_id = {},
                         std::string_view extra_members = {});
// An Elastic _bulk request body: each document after the action line {"create":{}} (the only
// operation a data stream takes; the data stream is named in the URL), newline-terminated.
void write_ecs_bulk(const std::vector<std::string>& documents, std::ostream& out);
void write_ecs(const std::vector<Finding>& f, std::ostream& out);

// OCSF (detect/ocsf_output.cpp): one Detection Finding (class 2004, schema 1.3.0) per finding,
// one per line. The severity_id of a severity (info 1 ... critical 5; ocsf_severity's inverse).
// incident_id, when given, is the finding's metadata.correlation_uid.
inline constexpr std::string_view kOcsfVersion = "1.3.0";
int64_t ocsf_severity_id(Severity s);
std::string ocsf_finding(const Finding& f, std::string_view incident_id = {});
void write_ocsf(const std::vector<Finding>& f, std::ostream& out);

// The default of --memory (EngineOptions::memory): small enough that a scan's peak memory does
// not grow with busy evidence (noisy audit, every public rule set: 99 MB at 1 GiB, 120 MB at
// 10 GiB, where 128M gave 107 and 193 MB), for 4–10 % more time at 10 GiB (bench/README.md).
inline constexpr size_t kDefaultMemory = size_t{32} << 20;

// What one run needs besides its rules.
struct DetectOptions {
  std::vector<std::string> evidence;
  Severity min_severity = Severity::Info;
  TimeNs since = kNoTime, until = kNoTime;
  unsigned threads = 0;
  size_t memory = kDefaultMemory;  // EngineOptions::memory
  // Lines that hold none of the rules' literals are not parsed (Engine::prefilter): the same
  // findings, sooner; ScanStats::unparsed_lines counts them. Off: every record is parsed.
  bool prefilter = true;
  bool progress = true;  // the scan's progress, drawn only when stderr is a terminal
  // When set, events come from it instead of the evidence files; it is given the loaded rules.
  std::function<sources::ScanFn(const std::vector<rules::Rule>&)> scan;
  // Findings for which this returns false are left out (eksir.yaml suppressions).
  std::function<bool(const Finding&)> keep;
};

// The built-in pack (when builtin) and every --rules path (YAML, Sigma, Elastic TOML), with what
// the run says of them: skipped and unsupported rules, errors (then nothing should run), each
// said after "eksir <command>: ".
struct RulesLoad {
  rules::LoadResult loaded;
  std::vector<std::string> messages;
  std::string builtin_missing;  // where the built-in pack was asked for and not found
  bool ok() const { return loaded.ok(); }
};
RulesLoad load_rules(const std::vector<std::string>& rule_paths, bool builtin, bool quiet);

// The line a run says when correlation events went to a temporary file (or it failed); "" when
// none did.
std::string spill_text(const SpillStats& s, size_t memory);
// The same for the fingerprints of matched events.
std::string print_spill_text(const SpillStats& s, size_t memory);

// What one detection run gives: the findings at or above min_severity that `keep` keeps, and
// how the run went.
struct Detection {
  std::vector<Finding> findings;
  uint64_t left_out = 0;  // findings below min_severity or not kept
  size_t rules = 0;       // rules run
  sources::ScanStats stats;
  std::unique_ptr<Engine> engine;  // after finish(): withheld(), spilled(), the rules
};
// Scans the evidence (or options.scan) once with the rules loaded (load_rules).
Detection detect(const DetectOptions& options, std::vector<rules::Rule> rules);
// The findings in format; Format::Json with its summary of the run; a table fits width (0:
// nothing cut), colour: its header bold and severities coloured (util/colour.h).
void write_findings(const Detection& d, Format format, std::ostream& out, size_t width = 0,
                    bool colour = false);
// The run's result as the scan summary says it: "12 rules, 3 findings (1 high, 2 low)".
std::string result_text(const Detection& d);

}  // namespace eksir::detect
