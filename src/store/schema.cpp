// The case database schema, as migrations. A new version is one more entry at the end of
// kMigrations; an existing entry never changes once released. docs/case-store.md describes the
// tables.
#include <array>

#include "store/migrations.h"

namespace eksir::store {
namespace {

// Times are INTEGER nanoseconds since the Unix epoch, UTC (NULL when unknown), the
// event::TimeNs of the code: exact, sortable, and shown as ISO 8601 by the views.
constexpr const char* kV1 = R"sql(
CREATE TABLE case_meta (
  singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
  case_id      TEXT NOT NULL,
  title        TEXT NOT NULL DEFAULT '',
  severity     TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created      INTEGER NOT NULL,
  updated      INTEGER NOT NULL,
  closed       INTEGER,
  close_reason TEXT NOT NULL DEFAULT ''
);

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  saved         INTEGER NOT NULL,
  started       INTEGER,
  finished      INTEGER,
  tool_version  TEXT NOT NULL DEFAULT '',
  operator      TEXT NOT NULL DEFAULT '',
  incident_id   TEXT NOT NULL DEFAULT '',
  title         TEXT NOT NULL DEFAULT '',
  severity      TEXT NOT NULL DEFAULT '',
  incident_json TEXT NOT NULL DEFAULT ''
);

CREATE TABLE run_inputs (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq    INTEGER NOT NULL,
  path   TEXT NOT NULL,
  sha256 TEXT NOT NULL DEFAULT '',
  size   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_rule_sources (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq    INTEGER NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE findings (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  finding_id TEXT NOT NULL,
  rule_id    TEXT NOT NULL DEFAULT '',
  severity   TEXT NOT NULL DEFAULT '',
  title      TEXT NOT NULL DEFAULT '',
  first_seen INTEGER,
  last_seen  INTEGER,
  json       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX findings_by_id ON findings (finding_id, run_id);

-- Each finding id as the most recent run that produced it saw it.
CREATE VIEW latest_findings AS
  SELECT run_id, seq, finding_id, rule_id, severity, title, first_seen, last_seen, json
  FROM (SELECT f.*, ROW_NUMBER() OVER (PARTITION BY finding_id
                                       ORDER BY run_id DESC, seq DESC) AS rn
        FROM findings f)
  WHERE rn = 1;

CREATE TABLE entities (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  key       TEXT NOT NULL,
  kind      TEXT NOT NULL DEFAULT '',
  name      TEXT NOT NULL DEFAULT '',
  namespace TEXT NOT NULL DEFAULT '',
  json      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX entities_by_key ON entities (key, run_id);

CREATE TABLE timeline (
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  time          INTEGER,
  tag           TEXT NOT NULL DEFAULT '',
  text          TEXT NOT NULL DEFAULT '',
  source        TEXT NOT NULL DEFAULT '',
  confidence    TEXT NOT NULL DEFAULT '',
  evidence_json TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE notes (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  time   INTEGER NOT NULL,
  author TEXT NOT NULL DEFAULT '',
  text   TEXT NOT NULL
);

CREATE TABLE plans (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  saved     INTEGER NOT NULL,
  phase     TEXT NOT NULL,
  plan_json TEXT NOT NULL
);
CREATE INDEX plans_by_phase ON plans (phase, id);

CREATE TABLE journal (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded       INTEGER NOT NULL,
  phase          TEXT NOT NULL DEFAULT '',
  step_id        TEXT NOT NULL DEFAULT '',
  action         TEXT NOT NULL DEFAULT '',
  target         TEXT NOT NULL DEFAULT '',
  argv_json      TEXT NOT NULL DEFAULT '[]',
  manifest       TEXT NOT NULL DEFAULT '',
  started        INTEGER,
  finished       INTEGER,
  exit_status    INTEGER NOT NULL DEFAULT 0,
  stdout         TEXT NOT NULL DEFAULT '',
  stderr         TEXT NOT NULL DEFAULT '',
  operator       TEXT NOT NULL DEFAULT '',
  captured_state TEXT NOT NULL DEFAULT '',
  undo_json      TEXT NOT NULL DEFAULT '',
  dry_run        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX journal_by_step ON journal (step_id, id);
)sql";

// The organisation policy (eksir.yaml, `investigate --config`) of a run, so that plan and respond
// reuse it: its absolute path and the SHA-256 of the bytes read ('' when the run had none).
constexpr const char* kV2 = R"sql(
ALTER TABLE runs ADD COLUMN policy_path TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN policy_sha256 TEXT NOT NULL DEFAULT '';
)sql";

// What a journal entry records: a step that ran, a step the operator skipped (--skip), or a check
// the operator overrode (--force-context); with the operator's reason for the last two.
constexpr const char* kV3 = R"sql(
ALTER TABLE journal ADD COLUMN kind TEXT NOT NULL DEFAULT 'step';
ALTER TABLE journal ADD COLUMN reason TEXT NOT NULL DEFAULT '';
)sql";

// Hunt results the analyst put on the case's timeline (`eksir case pin`, `hunt --case --pin`):
// kept apart from the runs, so a re-investigation neither drops nor duplicates them. record_key
// is the record's identity (source and event id, else file, line and record): pinned once.
constexpr const char* kV4 = R"sql(
CREATE TABLE pins (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  pinned     INTEGER NOT NULL,
  author     TEXT NOT NULL DEFAULT '',
  query      TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT '',
  time       INTEGER,
  source     TEXT NOT NULL DEFAULT '',
  event_id   TEXT NOT NULL DEFAULT '',
  file       TEXT NOT NULL DEFAULT '',
  line       INTEGER NOT NULL DEFAULT 0,
  record     INTEGER NOT NULL DEFAULT 0,
  text       TEXT NOT NULL DEFAULT '',
  raw        TEXT NOT NULL DEFAULT '',
  copies     INTEGER NOT NULL DEFAULT 0,
  record_key TEXT NOT NULL UNIQUE
);
)sql";

constexpr std::array kMigrations{
    Migration{1, kV1},
    Migration{2, kV2},
    Migration{3, kV3},
    Migration{4, kV4},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace eksir::store
