// Detection rules: the one internal rule form (a KQL match tree plus metadata), the YAML loader
// and its validation. The one public header of the rules stage.
//
// A rule file holds one rule (a YAML map) or several (a YAML sequence of maps); see
// docs/rules.md for the format. Loading never throws: problems are Diagnostics in the
// LoadResult, each naming the file, the line and the rule id.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "query/query.h"
#include "util/severity.h"

namespace eksir::rules {

using util::parse_severity;
using util::Severity;
using util::severity_name;

// The playbook criteria (PRODUCT.md §6): "critical.cluster_admin", ...
const std::vector<std::string>& criterion_ids();
bool is_criterion(std::string_view id);

enum class CorrelationType : uint8_t { None, Count, DistinctCount, Sequence, FirstSeen };
std::string_view correlation_name(CorrelationType t);

struct Correlation {
  CorrelationType type = CorrelationType::None;
  std::vector<std::string> group_by;  // count/distinct_count/first_seen key; sequence join key
  TimeNs window = 0;                  // nanoseconds; sliding window or sequence max span
  uint64_t threshold = 1;             // count >= threshold; distinct values >= threshold
  std::string field;                  // distinct_count: the field whose values are counted
  std::vector<std::string> steps;     // sequence: KQL text of each step, in order
  std::vector<query::Node> step_nodes;
  // sequence (EQL): each step's own join fields, joined positionally after group_by (all steps
  // name as many); empty when the steps have none.
  std::vector<std::vector<std::string>> step_by;
  // sequence (EQL `until`): an event matching it (keyed by group_by then until_by) drops the
  // partial sequences of its key.
  std::optional<query::Node> until;
  std::vector<std::string> until_by;
  TimeNs history = 0;  // first_seen: history the evidence must cover
};

// One test scenario: the events (JSON text) with an optional source hint each.
struct TestEvent {
  std::string json;
  std::optional<Source> hint;
};
struct TestCase {
  std::vector<TestEvent> events;  // one event for single-event rules; a scenario for correlations
  uint64_t line = 0;
};

struct Rule {
  std::string id, title, description;
  Severity severity = Severity::Medium;
  std::vector<std::string> attack;   // MITRE ATT&CK technique ids
  std::vector<std::string> tactics;  // ATT&CK tactic short names, in the matrix's order
  std::string criterion;             // a criterion id or ""
  std::vector<Source> sources;       // routing; empty = every source the fields apply to
  std::string condition;             // KQL text ("" = every event, for sequences)
  query::Node match;                 // parsed condition
  std::vector<std::string> subject;  // fields naming the subject (dedup key and output)
  std::vector<std::string> false_positives, references;
  std::string origin = "builtin";  // builtin, sigma, elastic, falco
  std::string author;
  Correlation correlation;
  std::vector<TestCase> positive, negative;
  std::string file;
  uint64_t line = 0;
  std::string level;  // the severity word as the rule's own format writes it (Falco: WARNING)
  // When set, the finding's description for the event that matched (Falco: the rendered output).
  std::function<std::string(const EventView&)> render;
};

struct Diagnostic {
  std::string file;
  uint64_t line = 0;    // 1-based; 0 when unknown
  std::string rule_id;  // "" when unknown
  std::string message;
  std::string text() const;  // "file:line: [rule-id] message"
};

// A rule of a public format that was read but not loaded: disabled by the rule itself, or skipped
// (another event source, a feature eksir does not support).
struct NotLoaded {
  std::string format;  // "falco"
  std::string file;
  uint64_t line = 0;
  std::string rule;
  bool disabled = false;  // `enabled: false`: not run by choice, not a failure to load
  std::string reason;     // one line
};

// A file found in a rules folder that holds no rule of any format eksir reads, well-formed or not
// (a Falco test matrix, a Kubernetes manifest, a configuration file): passed over with a warning
// instead of failing every rule beside it. A file that has a rule format's structure but does not
// load is an error, as is a file named on its own.
struct SkippedFile {
  std::string file;
  std::string reason;  // one line: what the file holds instead
};

struct LoadResult {
  std::vector<Rule> rules;
  std::vector<Diagnostic> errors, warnings;
  std::vector<NotLoaded> not_loaded;
  std::vector<SkippedFile> skipped_files;
  uint64_t files = 0;  // rule files read (skipped files not counted)
  bool ok() const { return errors.empty(); }
  void merge(LoadResult&& other);
};

// Loads rules from YAML text (`file` names it in diagnostics).
LoadResult load_text(std::string_view yaml, std::string_view file);
// Loads files and folders (recursively: every *.yml / *.yaml, in sorted order). A folder's file
// with no rule structure of any format goes to skipped_files.
LoadResult load_paths(const std::vector<std::string>& paths);

// Technique ids each once, in the order first given: a rule that names a technique under two
// tactics (Elastic's threat entries) lists it once.
void add_attack(std::vector<std::string>& attack, std::string id);

// MITRE ATT&CK (Enterprise) tactics (rules/attack.cpp): the tactics of a rule are those its source
// names (Sigma `attack.<tactic>` tags, Elastic `threat[].tactic`, Falco `mitre_<tactic>` tags,
// the YAML format's `tactics`), else those ATT&CK puts its techniques under, from a table of the
// techniques the built-in pack, the public rule sets and the incident cite.
//
// A tactic's short name as ATT&CK writes it ("privilege-escalation") from any of the forms rule
// sources use: the short name, the display name ("Privilege Escalation"), Sigma's tag form
// ("privilege_escalation"), Falco's ("mitre_privilege_escalation") or the id ("TA0004"); also
// ATT&CK v19's two halves of defense-evasion, "stealth" and "defense-impairment", which newer
// Sigma rules use. nullopt when it names no tactic of the Enterprise matrix.
std::optional<std::string> tactic_short_name(std::string_view name);

// A tactic's ATT&CK id ("privilege-escalation" -> "TA0004"); "" for a name the Enterprise matrix
// does not give an id in eksir's table (v19's stealth and defense-impairment) or an unknown one.
std::string_view tactic_id(std::string_view short_name);
// A tactic's display name as ATT&CK writes it ("Privilege Escalation", "Command and Control").
std::string tactic_display_name(std::string_view short_name);

// True for a technique or sub-technique id: T1234 or T1234.001.
bool is_technique_id(std::string_view id);

// The tactics ATT&CK puts a technique under, in the matrix's order; a sub-technique
// ("T1098.006") is looked up by its technique ("T1098"). Empty when eksir's table does not hold
// the technique.
std::vector<std::string> technique_tactics(std::string_view technique);
// The technique's page on attack.mitre.org ("T1098.006" → …/techniques/T1098/006/), or "" when id
// is not a technique id (so no other text ever becomes a link).
std::string technique_url(std::string_view id);
// The name ATT&CK gives a technique ("T1098" and "T1098.006": "Account Manipulation"), or "" when
// eksir's table does not hold it.
std::string technique_name(std::string_view technique);

// The position of a tactic in the matrix, left to right (reconnaissance 0 ... impact 13; stealth
// and defense-impairment where defense-evasion is); anything else sorts after them.
int tactic_rank(std::string_view tactic);

// Adds a tactic once, keeping the list in the matrix's order.
void add_tactic(std::vector<std::string>& tactics, std::string tactic);

// The tactics of a rule or finding: those its source gives, else those of its techniques.
std::vector<std::string> tactics_for(const std::vector<std::string>& given,
                                     const std::vector<std::string>& techniques);

// "T1098, T1098.006" and "persistence, privilege-escalation": ids once each, in order.
std::string join_ids(const std::vector<std::string>& ids);

// The built-in pack: $EKSIR_RULES_DIR, else builtin_rules_dir_for(the running executable).
std::string builtin_rules_dir();
// The built-in pack of the executable at exe_path: the installed one (<exe dir>/../share/eksir/
// rules/builtin) if there, else <exe dir>/../rules/builtin or <exe dir>/rules/builtin (an unpacked
// tree, a build folder inside the checkout), else the source tree's when exe_path lies in the
// build tree it was built in; else the installed path, missing (the caller warns, naming it).
std::string builtin_rules_dir_for(const std::string& exe_path);

// Turns a test event (a JSON object text) into events through the evidence unwrapper, exactly as
// real evidence is read. Calls fn for each event; returns an error message or "".
std::string classify_json(std::string_view json, const std::function<void(const EventView&)>& fn);

}  // namespace eksir::rules
