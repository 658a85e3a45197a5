// The report as data: every section of the documentation standard, computed
// once from the case and then written out by the Markdown, HTML and JSON
// writers. Internal to the stage.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "event/event.h"
#include "report/report.h"

namespace eksir::report {

// Where a statement comes from in the evidence.
struct EvidenceRef {
  std::string source, file, event_id, finding, rule;
  uint64_t line = 0;
  uint64_t record = 0;  // of the JSON document on that line, 0-based; cited as line#record
  TimeNs time = kNoTime;
  bool empty() const { return file.empty() && event_id.empty() && finding.empty(); }
};

struct EvidenceItem {
  std::string text;
  EvidenceRef ref;
};

struct Criterion {
  std::string level, id, text;
  bool likely_benign = false;
  std::vector<EvidenceItem> evidence;
};

struct TimelineLine {
  TimeNs time = kNoTime;
  std::string tag;  // INCIDENT | DETECTION | RESPONSE | ANALYST (pinned from a hunt)
  std::string text, source, confidence;
  std::string layer;  // the chart row: Kubernetes audit, CloudTrail, GuardDuty,
                      // Falco, EDR, ...
  EvidenceRef evidence;
  // An implausible time (util::implausible_times, or so marked in the incident):
  // listed, but not drawn and not used for the metrics.
  bool implausible = false;
};

struct Affected {
  std::string kind, name, ns, id, why;
  size_t findings = 0;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// A vulnerable image of the incident (an affected entry of kind image with vulnerabilities).
struct VulnerableImage {
  std::string name, digest;
  std::string joined_by;  // digest | tag
  std::vector<std::string> workloads, vulnerabilities, exploit_available;
  std::string max_severity, fixes, scanner;
  EvidenceRef record;      // the worst finding's record
  bool exploited = false;  // the incident shows a workload running it exploited
};

// One rule's results in this incident.
struct RuleResult {
  std::string rule, title, origin, severity;
  size_t findings = 0;
  uint64_t hits = 0;
  TimeNs first = kNoTime, last = kNoTime;
  std::vector<EvidenceRef> evidence;
};

// One MITRE ATT&CK technique of the incident (incident::attack_view): the findings citing it,
// their titles and highest severity, and the met criteria resting on them.
struct AttackRow {
  std::string technique, name;  // name: ATT&CK's, "" when eksir's table lacks it
  std::vector<std::string> tactics, titles, criteria;
  size_t findings = 0;
  std::string severity;
};

// An ATT&CK row's lists as the Markdown and HTML tables show them (tactics by ATT&CK's names).
struct AttackCells {
  std::string tactics, titles, criteria;
};
AttackCells attack_cells(const AttackRow& row);

struct RunInfo {
  int64_t id = 0;
  TimeNs started = kNoTime, finished = kNoTime;
  std::string operator_name, tool_version, severity;
  size_t inputs = 0, findings = 0;
  std::vector<std::string> rule_sources;
};

struct Action {
  std::string phase, step_id, action, target, command, operator_name;
  TimeNs started = kNoTime, finished = kNoTime;
  int exit_status = 0;
  std::string result, verification, evidence;
};

// A sentence of the report, marked as established by evidence or not.
struct Statement {
  std::string kind;  // fact | hypothesis | analyst | recommendation
  std::string text;
  std::string confidence;  // High | Medium | Low | ""
  EvidenceRef evidence;
};

struct NoteRef {
  TimeNs time = kNoTime;
  std::string author, text;
};

struct Metric {
  std::string name, value, basis;
  bool known = false;
  int64_t seconds = -1;  // durations only
};

struct Improvement {
  std::string item;  // the playbook's words
  bool applies = false;
  std::string why;
};

struct GraphNode {
  std::string key, kind, name, ns;
  int layer = 0;
  bool affected = false;
};

struct GraphEdge {
  std::string from, to, relation;
};

struct Report {
  std::string case_dir, case_status, close_reason;
  TimeNs generated = kNoTime;
  bool has_incident = false;

  // Incident summary
  std::string id, title, type, severity, cluster, region, account, cluster_arn;
  std::string undetermined;  // why no severity could be assessed ("" when it was)
  bool production = false, production_known = false;
  std::vector<Criterion> criteria;
  TimeNs discovered = kNoTime, contained = kNoTime, resolved = kNoTime;
  std::string contained_basis, resolved_basis;
  std::vector<std::string> affected_systems;
  std::string executive_summary, investigation_summary;

  std::vector<TimelineLine> timeline;

  // Technical investigation
  std::vector<RunInfo> runs;
  std::vector<std::pair<std::string, int64_t>> events_by_source;
  std::vector<std::string> inputs;  // "path (size bytes, sha256 …)"
  struct InputFile {
    std::string path, sha256;
    uint64_t size = 0;
  };
  std::vector<InputFile> input_files;  // the same inputs, one field each
  // The folder every input lies in (the longest common one; "" when they share none but "/"):
  // the HTML report shows evidence paths under it relative to it.
  std::string evidence_root;
  std::vector<RuleResult> rules;
  std::vector<std::string> attack_tactics;  // every tactic the findings name, in matrix order
  std::vector<AttackRow> attack;            // by first tactic, then id
  std::vector<EvidenceItem> key_evidence;
  std::vector<std::string> likely_benign, assumptions, gaps, leads, posture;
  // Where the attacker's scope stopped, and why (hubs, pre-existing identities).
  std::vector<std::string> not_followed;
  int64_t skipped = 0, findings_total = 0;

  // Impact
  std::vector<Statement> impact;
  std::vector<Affected> affected;
  std::vector<VulnerableImage> images;

  // Containment and remediation
  std::vector<Action> actions;
  size_t dry_runs = 0;
  std::vector<std::string> next_steps;

  // Root cause
  std::vector<Statement> root_cause;

  // Lessons learned and detection improvements
  std::vector<Statement> lessons;
  std::vector<Statement> detection_timing;  // how late each rule fired
  std::vector<std::string> undetected;      // attack steps no rule fired on
  std::vector<std::string> missing_sources;
  std::vector<Improvement> playbook;

  std::vector<Metric> metrics;

  // Analyst notes by section key: summary, timeline, investigation, impact,
  // actions, root_cause, lessons, metrics.
  std::map<std::string, std::vector<NoteRef>> notes;

  std::vector<GraphNode> graph_nodes;
  std::vector<GraphEdge> graph_edges;
};

Report build_report(const ReportInput& input);

// Writers (one file each).
void write_markdown(const Report& r, std::ostream& out);
void write_html(const Report& r, std::ostream& out);
void write_json(const Report& r, std::ostream& out);
void render(const Report& r, Format format, std::ostream& out);

// images.cpp: the incident's vulnerable images, exploited first; the root cause's entry points
// (images a workload of the incident was exploited through) and conditions (the others); how an
// image was joined to its workloads, in words.
std::vector<VulnerableImage> vulnerable_images(const std::vector<Affected>& affected);
std::vector<Statement> image_entry_points(const std::vector<VulnerableImage>& images);
std::vector<Statement> image_conditions(const std::vector<VulnerableImage>& images);
std::string joined_text(const VulnerableImage& image);
// "CVE-a, CVE-b (worst CRITICAL)"; the exploits known, and whether one was seen used.
std::string vulnerabilities_text(const VulnerableImage& image);
std::string exploit_text(const VulnerableImage& image);

// Shared text helpers.
std::string join_list(const std::vector<std::string>& items);  // "a, b, c"
std::string time_seconds(TimeNs t);        // "2026-03-14T09:12:31Z"; "not known" for kNoTime
std::string human_duration(int64_t secs);  // "9 min 20 s"
std::string timeline_line(const TimelineLine& l);     // the documentation standard's line
std::string evidence_location(const EvidenceRef& e);  // "file:line, event id …"
// The folder all of paths lie in, as written ("examples/x" for "examples/x/a/f" and
// "examples/x/b"); "" when they share none, or only "/".
std::string common_folder(const std::vector<std::string>& paths);
// path relative to root when it lies under it, else path itself.
std::string relative_to(const std::string& path, const std::string& root);
std::string valid_utf8(std::string_view s);     // bytes that are not UTF-8 replaced
extern const char* const kSectionTitles[8][2];  // {key, title}

}  // namespace eksir::report
