// The analyst's notes, the response plans and the action journal: appended, never rewritten,
// and untouched by later investigation runs.
#include <simdjson.h>

#include "store/case_impl.h"
#include "util/json_writer.h"
#include "util/time_math.h"

namespace eksir::store {
namespace {

std::string argv_to_json(const std::vector<std::string>& argv) {
  util::JsonWriter j;
  j.list(argv);
  return std::move(j.o);
}

std::vector<std::string> argv_from_json(simdjson::dom::parser& parser, const std::string& json) {
  std::vector<std::string> out;
  simdjson::dom::array arr;
  if (parser.parse(json).get_array().get(arr)) return out;
  for (auto v : arr) {
    std::string_view s;
    if (!v.get_string().get(s)) out.emplace_back(s);
  }
  return out;
}

}  // namespace

Status Case::add_note(Note& note) {
  if (note.text.empty()) return impl_->fail("a note needs text");
  if (note.time == kNoTime) note.time = util::now_ns();
  if (note.author.empty()) note.author = operator_name();
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot add the note: " + tx.error());
  sql::Stmt s(impl_->db, "INSERT INTO notes (time, author, text) VALUES (?,?,?)");
  if (s.bind(1, note.time).bind(2, note.author).bind(3, note.text).step() != SQLITE_DONE ||
      !impl_->touch(util::now_ns()))
    return impl_->fail_db("cannot add the note");
  int64_t id = sqlite3_last_insert_rowid(impl_->db);
  if (!tx.commit()) return impl_->fail("cannot add the note: " + tx.error());
  note.id = id;
  return {};
}

std::vector<Note> Case::notes() const {
  std::vector<Note> out;
  sql::Stmt s(impl_->db, "SELECT id, time, author, text FROM notes ORDER BY id", &impl_->reads);
  while (s.step() == SQLITE_ROW) out.push_back({s.integer(0), s.time(1), s.text(2), s.text(3)});
  return out;
}

Status Case::save_plan(std::string_view phase, std::string_view plan_json) {
  if (phase.empty()) return impl_->fail("a plan needs a phase");
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot save the plan: " + tx.error());
  TimeNs t = util::now_ns();
  sql::Stmt s(impl_->db, "INSERT INTO plans (saved, phase, plan_json) VALUES (?,?,?)");
  if (s.bind(1, t).bind(2, phase).bind(3, plan_json).step() != SQLITE_DONE || !impl_->touch(t))
    return impl_->fail_db("cannot save the plan");
  if (!tx.commit()) return impl_->fail("cannot save the plan: " + tx.error());
  return {};
}

std::string Case::latest_plan(std::string_view phase) const {
  sql::Stmt s(impl_->db, "SELECT plan_json FROM plans WHERE phase = ? ORDER BY id DESC LIMIT 1",
              &impl_->reads);
  s.bind(1, phase);
  return s.step() == SQLITE_ROW ? s.text(0) : std::string();
}

Status Case::append_journal(JournalEntry& entry) {
  if (entry.operator_name.empty()) entry.operator_name = operator_name();
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot write the journal: " + tx.error());
  TimeNs t = util::now_ns();
  sql::Stmt s(impl_->db,
              "INSERT INTO journal (recorded, phase, step_id, action, target, argv_json, "
              "manifest, started, finished, exit_status, stdout, stderr, operator, "
              "captured_state, undo_json, dry_run, kind, reason) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, t).bind(2, entry.phase).bind(3, entry.step_id).bind(4, entry.action);
  s.bind(5, entry.target).bind(6, argv_to_json(entry.argv)).bind(7, entry.manifest);
  s.bind_time(8, entry.started).bind_time(9, entry.finished);
  s.bind(10, static_cast<int64_t>(entry.exit_status)).bind(11, entry.stdout_text);
  s.bind(12, entry.stderr_text).bind(13, entry.operator_name).bind(14, entry.captured_state);
  s.bind(15, entry.undo_json).bind(16, static_cast<int64_t>(entry.dry_run ? 1 : 0));
  s.bind(17, entry.kind.empty() ? std::string_view("step") : std::string_view(entry.kind));
  s.bind(18, entry.reason);
  if (s.step() != SQLITE_DONE || !impl_->touch(t))
    return impl_->fail_db("cannot write the journal");
  int64_t id = sqlite3_last_insert_rowid(impl_->db);
  if (!tx.commit()) return impl_->fail("cannot write the journal: " + tx.error());
  entry.id = id;
  return {};
}

Status Case::database_bytes(std::string& bytes) const {
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(impl_->db, "main", &size, 0);
  if (!data) return impl_->fail_db("cannot copy the database");
  bytes.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
  sqlite3_free(data);
  return {};
}

std::vector<JournalEntry> Case::journal(Status* status) const {
  std::vector<JournalEntry> out;
  simdjson::dom::parser parser;
  // A case read as it is before version 3 has no kind or reason: every entry is a step that ran.
  sql::Stmt s(
      impl_->db,
      std::string("SELECT id, phase, step_id, action, target, argv_json, manifest, started, "
                  "finished, exit_status, stdout, stderr, operator, captured_state, "
                  "undo_json, dry_run, ") +
          (impl_->version >= 3 ? "kind, reason" : "'step', ''") + " FROM journal ORDER BY id",
      &impl_->reads);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    JournalEntry j;
    j.id = s.integer(0);
    j.phase = s.text(1);
    j.step_id = s.text(2);
    j.action = s.text(3);
    j.target = s.text(4);
    j.argv = argv_from_json(parser, s.text(5));
    j.manifest = s.text(6);
    j.started = s.time(7);
    j.finished = s.time(8);
    j.exit_status = static_cast<int>(s.integer(9));
    j.stdout_text = s.text(10);
    j.stderr_text = s.text(11);
    j.operator_name = s.text(12);
    j.captured_state = s.text(13);
    j.undo_json = s.text(14);
    j.dry_run = s.integer(15) != 0;
    j.kind = s.text(16);
    j.reason = s.text(17);
    out.push_back(std::move(j));
  }
  if (rc != SQLITE_DONE && status) *status = impl_->fail_db("cannot read the journal");
  return out;
}

}  // namespace eksir::store
