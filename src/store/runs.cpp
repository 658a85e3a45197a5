// Investigation runs: each saved whole in one transaction, with its inputs, rule sources,
// findings, entities and timeline.
#include "store/case_impl.h"
#include "util/time_math.h"

namespace eksir::store {
namespace {

bool insert_children(sqlite3* db, int64_t run_id, const RunRecord& run) {
  sql::Stmt in(db, "INSERT INTO run_inputs (run_id, seq, path, sha256, size) VALUES (?,?,?,?,?)");
  for (size_t i = 0; i < run.inputs.size(); ++i) {
    const auto& x = run.inputs[i];
    in.reset();
    in.bind(1, run_id).bind(2, static_cast<int64_t>(i)).bind(3, x.path).bind(4, x.sha256);
    in.bind(5, static_cast<int64_t>(x.size));
    if (in.step() != SQLITE_DONE) return false;
  }
  sql::Stmt rs(db, "INSERT INTO run_rule_sources (run_id, seq, source) VALUES (?,?,?)");
  for (size_t i = 0; i < run.rule_sources.size(); ++i) {
    rs.reset();
    rs.bind(1, run_id).bind(2, static_cast<int64_t>(i)).bind(3, run.rule_sources[i]);
    if (rs.step() != SQLITE_DONE) return false;
  }
  sql::Stmt f(db,
              "INSERT INTO findings (run_id, seq, finding_id, rule_id, severity, title, "
              "first_seen, last_seen, json) VALUES (?,?,?,?,?,?,?,?,?)");
  for (size_t i = 0; i < run.findings.size(); ++i) {
    const auto& x = run.findings[i];
    f.reset();
    f.bind(1, run_id).bind(2, static_cast<int64_t>(i)).bind(3, x.id).bind(4, x.rule_id);
    f.bind(5, x.severity).bind(6, x.title).bind_time(7, x.first_seen).bind_time(8, x.last_seen);
    f.bind(9, x.json);
    if (f.step() != SQLITE_DONE) return false;
  }
  sql::Stmt e(db,
              "INSERT INTO entities (run_id, seq, key, kind, name, namespace, json) "
              "VALUES (?,?,?,?,?,?,?)");
  for (size_t i = 0; i < run.entities.size(); ++i) {
    const auto& x = run.entities[i];
    e.reset();
    e.bind(1, run_id).bind(2, static_cast<int64_t>(i)).bind(3, x.key).bind(4, x.kind);
    e.bind(5, x.name).bind(6, x.ns).bind(7, x.json);
    if (e.step() != SQLITE_DONE) return false;
  }
  sql::Stmt t(db,
              "INSERT INTO timeline (run_id, seq, time, tag, text, source, confidence, "
              "evidence_json) VALUES (?,?,?,?,?,?,?,?)");
  for (size_t i = 0; i < run.timeline.size(); ++i) {
    const auto& x = run.timeline[i];
    t.reset();
    t.bind(1, run_id).bind(2, static_cast<int64_t>(i)).bind_time(3, x.time).bind(4, x.tag);
    t.bind(5, x.text).bind(6, x.source).bind(7, x.confidence).bind(8, x.evidence_json);
    if (t.step() != SQLITE_DONE) return false;
  }
  return true;
}

// The columns read_run_row reads; a case read as it is at version 1 has no policy columns.
std::string run_columns(int version) {
  return std::string(
             "id, started, finished, tool_version, operator, incident_id, title, severity, "
             "(SELECT count(*) FROM findings f WHERE f.run_id = runs.id), ") +
         (version >= 2 ? "policy_path, policy_sha256" : "'', ''");
}
constexpr int kIncidentJsonColumn = 11;  // after run_columns()

RunRecord read_run_row(const sql::Stmt& s) {
  RunRecord r;
  r.id = s.integer(0);
  r.started = s.time(1);
  r.finished = s.time(2);
  r.tool_version = s.text(3);
  r.operator_name = s.text(4);
  r.incident_id = s.text(5);
  r.title = s.text(6);
  r.severity = s.text(7);
  r.finding_count = s.integer(8);
  r.policy_path = s.text(9);
  r.policy_sha256 = s.text(10);
  return r;
}

void read_inputs(sqlite3* db, RunRecord& r, sql::ErrorSink* sink) {
  sql::Stmt in(db, "SELECT path, sha256, size FROM run_inputs WHERE run_id = ? ORDER BY seq", sink);
  in.bind(1, r.id);
  while (in.step() == SQLITE_ROW)
    r.inputs.push_back({in.text(0), in.text(1), static_cast<uint64_t>(in.integer(2))});
  sql::Stmt rs(db, "SELECT source FROM run_rule_sources WHERE run_id = ? ORDER BY seq", sink);
  rs.bind(1, r.id);
  while (rs.step() == SQLITE_ROW) r.rule_sources.push_back(rs.text(0));
}

FindingRow read_finding(const sql::Stmt& s) {
  FindingRow f;
  f.id = s.text(0);
  f.rule_id = s.text(1);
  f.severity = s.text(2);
  f.title = s.text(3);
  f.first_seen = s.time(4);
  f.last_seen = s.time(5);
  f.json = s.text(6);
  return f;
}

}  // namespace

Status Case::save_run(RunRecord& run) {
  auto* db = impl_->db;
  Transaction tx(db);
  if (!tx.error().empty()) return impl_->fail("cannot save the run: " + tx.error());
  TimeNs saved = util::now_ns();
  sql::Stmt s(db,
              "INSERT INTO runs (saved, started, finished, tool_version, operator, incident_id, "
              "title, severity, incident_json, policy_path, policy_sha256) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, saved).bind_time(2, run.started).bind_time(3, run.finished).bind(4, run.tool_version);
  s.bind(5, run.operator_name).bind(6, run.incident_id).bind(7, run.title).bind(8, run.severity);
  s.bind(9, run.incident_json).bind(10, run.policy_path).bind(11, run.policy_sha256);
  if (s.step() != SQLITE_DONE) return impl_->fail_db("cannot save the run");
  int64_t id = sqlite3_last_insert_rowid(db);
  if (!insert_children(db, id, run)) return impl_->fail_db("cannot save the run");
  sql::Stmt meta(db,
                 "UPDATE case_meta SET title = CASE WHEN ?1 <> '' THEN ?1 ELSE title END, "
                 "severity = CASE WHEN ?2 <> '' THEN ?2 ELSE severity END, "
                 "updated = max(updated, ?3) WHERE singleton = 1");
  if (meta.bind(1, run.title).bind(2, run.severity).bind(3, saved).step() != SQLITE_DONE)
    return impl_->fail_db("cannot save the run");
  if (!tx.commit()) return impl_->fail("cannot save the run: " + tx.error());
  run.id = id;
  run.finding_count = static_cast<int64_t>(run.findings.size());
  return {};
}

std::optional<RunRecord> Case::latest_run() const {
  sql::Stmt s(impl_->db,
              "SELECT " + run_columns(impl_->version) +
                  ", incident_json FROM runs ORDER BY id DESC LIMIT 1",
              &impl_->reads);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  RunRecord r = read_run_row(s);
  r.incident_json = s.text(kIncidentJsonColumn);
  read_inputs(impl_->db, r, &impl_->reads);
  return r;
}

std::optional<RunRecord> Case::load_run(int64_t id) const {
  sql::Stmt s(impl_->db,
              "SELECT " + run_columns(impl_->version) + ", incident_json FROM runs WHERE id = ?",
              &impl_->reads);
  s.bind(1, id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  RunRecord r = read_run_row(s);
  r.incident_json = s.text(kIncidentJsonColumn);
  read_inputs(impl_->db, r, &impl_->reads);
  auto* db = impl_->db;
  sql::Stmt f(db,
              "SELECT finding_id, rule_id, severity, title, first_seen, last_seen, json "
              "FROM findings WHERE run_id = ? ORDER BY seq",
              &impl_->reads);
  f.bind(1, id);
  while (f.step() == SQLITE_ROW) r.findings.push_back(read_finding(f));
  sql::Stmt e(db,
              "SELECT key, kind, name, namespace, json FROM entities WHERE run_id = ? ORDER BY "
              "seq",
              &impl_->reads);
  e.bind(1, id);
  while (e.step() == SQLITE_ROW)
    r.entities.push_back({e.text(0), e.text(1), e.text(2), e.text(3), e.text(4)});
  sql::Stmt t(db,
              "SELECT time, tag, text, source, confidence, evidence_json FROM timeline "
              "WHERE run_id = ? ORDER BY seq",
              &impl_->reads);
  t.bind(1, id);
  while (t.step() == SQLITE_ROW)
    r.timeline.push_back({t.time(0), t.text(1), t.text(2), t.text(3), t.text(4), t.text(5)});
  return r;
}

std::vector<RunRecord> Case::runs() const {
  std::vector<RunRecord> out;
  sql::Stmt s(impl_->db, "SELECT " + run_columns(impl_->version) + " FROM runs ORDER BY id",
              &impl_->reads);
  while (s.step() == SQLITE_ROW) out.push_back(read_run_row(s));
  for (auto& r : out) read_inputs(impl_->db, r, &impl_->reads);
  return out;
}

std::string Case::latest_incident_json(Status* status) const {
  sql::Stmt s(impl_->db, "SELECT incident_json FROM runs ORDER BY id DESC LIMIT 1", &impl_->reads);
  int rc = s.step();
  if (rc == SQLITE_ROW) return s.text(0);
  if (rc != SQLITE_DONE && status) *status = impl_->fail_db("cannot read the latest run");
  return {};
}

std::vector<FindingRow> Case::latest_findings() const {
  std::vector<FindingRow> out;
  sql::Stmt s(impl_->db,
              "SELECT finding_id, rule_id, severity, title, first_seen, last_seen, json "
              "FROM latest_findings ORDER BY run_id, seq",
              &impl_->reads);
  while (s.step() == SQLITE_ROW) out.push_back(read_finding(s));
  return out;
}

}  // namespace eksir::store
