// The case store: one SQLite database (CASE_DIR/case.db) per case, holding every investigation
// run, its findings, entities and timeline, the analyst's notes, the response plans and the
// action journal. Schema versioned (PRAGMA user_version) with forward migrations; every write is
// one transaction, so a case written by a crashed run is still readable. The one public header
// of the store stage.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace eksir::store {

inline constexpr int kSchemaVersion = 4;
// The oldest schema a read-only command reads as it is, without migrating: versions since then
// only added columns, read as empty.
inline constexpr int kOldestReadableVersion = 1;

struct Status {
  bool ok = true;
  std::string error;  // "CASE_DIR/case.db: what failed"
  explicit operator bool() const { return ok; }
};

struct Input {
  std::string path, sha256;
  uint64_t size = 0;
};

struct FindingRow {
  std::string id, rule_id, severity, title;
  TimeNs first_seen = kNoTime, last_seen = kNoTime;
  std::string json;  // the finding as `eksir detect --format json` writes it
};

struct EntityRow {
  std::string key, kind, name, ns;
  std::string json;
};

struct TimelineRow {
  TimeNs time = kNoTime;
  std::string tag;  // INCIDENT | DETECTION | RESPONSE
  std::string text, source, confidence;
  std::string evidence_json;
};

// One `eksir investigate` run, written in one transaction.
struct RunRecord {
  int64_t id = 0;  // assigned by save_run
  TimeNs started = kNoTime, finished = kNoTime;
  std::string tool_version, operator_name;
  std::vector<Input> inputs;
  std::vector<std::string> rule_sources;
  // The policy the run was given (--config): its absolute path and SHA-256; "" when none.
  std::string policy_path, policy_sha256;
  std::string incident_id, title, severity;
  std::string incident_json;  // the whole docs/incident-json.md document
  std::vector<FindingRow> findings;
  std::vector<EntityRow> entities;
  std::vector<TimelineRow> timeline;
  int64_t finding_count = 0;  // filled by runs(), latest_run() and save_run
};

struct Note {
  int64_t id = 0;
  TimeNs time = kNoTime;
  std::string author, text;
};

// A hunt result the analyst pinned to the case's timeline: tagged ANALYST in the report, with who
// pinned it, when, and the query that found it.
struct Pin {
  int64_t id = 0;
  TimeNs pinned = kNoTime;  // when it was pinned (set by add_pins when unset)
  std::string author;       // "" = operator_name()
  std::string query, note;
  TimeNs time = kNoTime;  // the record's
  std::string source;     // "cloudtrail", "k8s_audit", ...
  std::string event_id;   // "" when the record carries none
  std::string file;
  uint64_t line = 0, record = 0;
  std::string text;  // the gist: actor, action, target, outcome
  std::string raw;   // the record as in the evidence
  uint64_t copies = 0;
};

// The identity add_pins keeps a record pinned once by: source and event id, else the place.
std::string pin_key(const Pin& pin);

struct CaseInfo {
  std::string dir, id, title, severity;
  std::string status;  // open | closed
  TimeNs created = kNoTime, updated = kNoTime, closed = kNoTime;
  std::string close_reason;
  int64_t runs = 0, findings = 0, notes = 0, journal = 0;  // findings: of the latest run
  int64_t pins = 0;
  std::string error;  // list_cases: why the case could not be opened ("" when it could)
};

// One executed (or attempted) response step, or the operator's decision about one.
struct JournalEntry {
  int64_t id = 0;
  std::string phase;    // contain | eradicate | recover
  std::string step_id;  // stable id of the plan step (re-runs skip steps already done)
  std::string action, target;
  std::vector<std::string> argv;
  std::string manifest;  // YAML/JSON applied, when any
  TimeNs started = kNoTime, finished = kNoTime;
  int exit_status = 0;
  std::string stdout_text, stderr_text;
  std::string operator_name;
  std::string captured_state;  // JSON of the settings the step overwrote, for recovery
  std::string undo_json;       // the step that undoes it
  bool dry_run = false;
  // step: the step ran (exit_status says how); skipped: the operator skipped it (--skip), nothing
  // ran; override: the operator overrode a check before the steps ran (--force-context).
  std::string kind = "step";
  std::string reason;  // skipped, override: why, as the operator gave it and what was overridden

  // The step ran and succeeded: what re-runs skip and what recovery undoes.
  bool succeeded() const { return kind == "step" && exit_status == 0 && !dry_run; }
};

class Case {
 public:
  // Opens CASE_DIR/case.db, creating the directory and database when create is true, and
  // migrating an older schema forward. A database newer than kSchemaVersion is an error, and so
  // is one that is not SQLite, truncated or failing SQLite's integrity check (SQLite's message).
  static std::unique_ptr<Case> open(const std::string& dir, bool create, Status& status);
  // Opens CASE_DIR/case.db to read only: nothing is written, not even a migration or the
  // roll-back of an interrupted write, so the file stays byte for byte as it was. A schema from
  // kOldestReadableVersion on is read as it is; an older one is an error that says so
  // (`needs_migration` set): any command that writes to the case migrates it.
  static std::unique_ptr<Case> open_readonly(const std::string& dir, Status& status,
                                             bool* needs_migration = nullptr);
  ~Case();
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;

  int schema_version() const;
  const std::string& dir() const;
  // The first read that failed since the case was opened (the database was damaged after the
  // open's check, or could not be read): the lists and values the reads returned may be
  // incomplete, so a caller that shows them must report this instead.
  Status read_status() const;

  Status save_run(RunRecord& run);              // sets run.id; updates the case title/severity
  std::optional<RunRecord> latest_run() const;  // with incident_json; findings etc. left empty
  std::vector<RunRecord> runs() const;          // summaries (no incident_json)
  // "" when the case has no run; status (when given) says when the database could not be read.
  std::string latest_incident_json(Status* status = nullptr) const;
  // One run whole: incident_json, inputs, findings, entities and timeline.
  std::optional<RunRecord> load_run(int64_t id) const;
  // Each finding id once, as the latest run that produced it saw it.
  std::vector<FindingRow> latest_findings() const;

  Status add_note(Note& note);  // sets note.id (and time when unset)
  std::vector<Note> notes() const;

  Status close(std::string_view reason, TimeNs when = kNoTime);
  Status reopen();
  CaseInfo info() const;

  Status save_plan(std::string_view phase, std::string_view plan_json);
  std::string latest_plan(std::string_view phase) const;  // "" when none

  // Adds the pins in one transaction, setting each id. A record already pinned (pin_key) is not
  // pinned again: its pin keeps its id, author and note, `already` counts it, and the pin given
  // gets the existing id.
  Status add_pins(std::vector<Pin>& pins, size_t* already = nullptr);
  // In order of pinning; none before schema version 3.
  std::vector<Pin> pins() const;
  // Removes the pins with these ids, all or none: an id that is not a pin of the case is an error
  // naming it.
  Status remove_pins(const std::vector<int64_t>& ids);

  Status append_journal(JournalEntry& entry);  // sets entry.id
  // A consistent copy of the whole database, as the bytes of a database file (for `case export`).
  Status database_bytes(std::string& bytes) const;
  // In order of execution; status (when given) says when the database could not be read.
  std::vector<JournalEntry> journal(Status* status = nullptr) const;

 private:
  struct Impl;
  explicit Case(std::unique_ptr<Impl> impl);
  static std::unique_ptr<Case> open_as(const std::string& dir, int mode, Status& status,
                                       bool* needs_migration);
  std::unique_ptr<Impl> impl_;
};

// Whether `dir` may receive a case (`investigate -o DIR`): "" when it does not exist, is an empty
// folder or already holds a case (case.db); else why not, so that a folder of other files is never
// written into.
std::string check_case_dir(const std::string& dir);
// Case directories under root (those holding a case.db), newest first.
std::vector<CaseInfo> list_cases(const std::string& root);
// Where cases live when no -o is given: $EKSIR_CASES, else ./eksir-cases.
std::string default_case_root();
// A case given on the command line: a directory, or an id under default_case_root().
std::string resolve_case(std::string_view arg);

// The views of cases (`eksir case list` and `case show`): the list under a root, one case.
// width: the terminal's columns, lines and tables fit (0: nothing cut); colour: headings and
// severities coloured (util/colour.h).
std::string case_list_json(const std::string& root, const std::vector<CaseInfo>& cases);
std::string case_list_text(const std::vector<CaseInfo>& cases, size_t width, bool colour);
// A case's header, runs, incident, notes and journal. What could not be read is in the case's
// read_status() afterwards.
std::string case_show_json(const Case& c);
std::string case_show_text(const Case& c, size_t width, bool colour);

// The case in dir as a handover package at output, a .tar.gz holding the case database, the
// incident, the reports, the journal with its captures as files, the inputs with their digests,
// and manifest.sha256 (every file's SHA-256) with its own digest. The case is only read; output
// is replaced when it exists.
struct ExportedCase {
  std::string error;            // set: nothing written; said as it may be printed
  size_t files = 0;             // files the manifest lists
  size_t bytes = 0;             // of the .tar.gz
  std::string manifest_digest;  // SHA-256 of manifest.sha256
};
ExportedCase export_case(const std::string& dir, const std::string& output);

// The operator running eksir: $EKSIR_OPERATOR, else the login name.
std::string operator_name();

}  // namespace eksir::store
