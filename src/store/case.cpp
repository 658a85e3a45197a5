#include <fmt/format.h>

#include <filesystem>

#include "store/case_impl.h"
#include "store/migrations.h"
#include "util/time_math.h"

namespace eksir::store {
namespace {

constexpr int kBusyTimeoutMs = 15000;

std::string case_id_of(const std::string& dir) {
  auto p = std::filesystem::path(dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  auto name = p.filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    name = std::filesystem::absolute(p, ec).lexically_normal().filename().string();
  }
  return name;
}

}  // namespace

bool Case::Impl::touch(TimeNs when) const {
  sql::Stmt s(db, "UPDATE case_meta SET updated = max(updated, ?1)");
  return s.bind(1, when).step() == SQLITE_DONE;
}

Case::Case(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Case::~Case() = default;

namespace {

enum class Mode { Create, Write, Read };

// SQLite's own check of every page and index, cheap at the size of a case: a truncated or damaged
// database is refused when it is opened, not half-read later.
std::string integrity(sqlite3* db) {
  sql::Stmt s(db, "PRAGMA quick_check(1)");
  int rc = s.step();
  if (rc != SQLITE_ROW) return sql::last_error(db);
  std::string verdict = s.text(0);
  return verdict == "ok" ? std::string() : "damaged database: " + verdict;
}

}  // namespace

std::unique_ptr<Case> Case::open(const std::string& dir, bool create, Status& status) {
  return open_as(dir, static_cast<int>(create ? Mode::Create : Mode::Write), status, nullptr);
}

std::unique_ptr<Case> Case::open_readonly(const std::string& dir, Status& status,
                                          bool* needs_migration) {
  return open_as(dir, static_cast<int>(Mode::Read), status, needs_migration);
}

Status Case::read_status() const {
  std::string e = impl_->reads.get();
  if (e.empty()) return {};
  return impl_->fail("cannot be read whole: " + e);
}

std::unique_ptr<Case> Case::open_as(const std::string& dir, int how, Status& status,
                                    bool* needs_migration) {
  namespace fs = std::filesystem;
  Mode mode = static_cast<Mode>(how);
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->path = (fs::path(dir) / "case.db").string();
  status = {};
  if (needs_migration) *needs_migration = false;
  auto fail = [&](const std::string& what) -> std::unique_ptr<Case> {
    status = impl->fail(what);
    return nullptr;
  };

  std::error_code ec;
  if (mode == Mode::Create) {
    fs::create_directories(dir, ec);
    if (ec) return fail("cannot create the case directory: " + ec.message());
  } else if (!fs::exists(impl->path, ec)) {
    status = {false, dir + ": not a case directory (no case.db)"};
    return nullptr;
  }
  if (fs::is_directory(impl->path, ec)) return fail("is a directory, not a case database");

  int flags = mode == Mode::Read    ? SQLITE_OPEN_READONLY
              : mode == Mode::Write ? SQLITE_OPEN_READWRITE
                                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(impl->path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK)
    return fail("cannot open: " + sql::last_error(impl->db));
  sqlite3_busy_timeout(impl->db, kBusyTimeoutMs);

  // The first read of the file: a file that is not SQLite fails here.
  if (sql::Stmt probe(impl->db, "SELECT count(*) FROM sqlite_master"); probe.step() != SQLITE_ROW) {
    if (sqlite3_extended_errcode(impl->db) == SQLITE_READONLY_ROLLBACK)
      return fail(
          "a write to the case was interrupted (case.db-journal is beside it); the next eksir "
          "command that writes to the case restores its last complete state, which this "
          "read-only command does not do");
    return fail(sql::last_error(impl->db));
  }
  if (std::string e = integrity(impl->db); !e.empty()) return fail(e);

  if (mode == Mode::Read) {
    int64_t app_id = sql::scalar(impl->db, "PRAGMA application_id", -1);
    int64_t version = sql::scalar(impl->db, "PRAGMA user_version", -1);
    if (version < 0 || app_id < 0) return fail(sql::last_error(impl->db));
    if (app_id != 0 && app_id != kApplicationId)
      return fail("not an eksir case database (another program's SQLite file)");
    if (version > kSchemaVersion)
      return fail(fmt::format(
          "the case was written by a newer eksir (schema version {}, this eksir reads up to {}); "
          "upgrade eksir to open it",
          version, kSchemaVersion));
    if (version < kOldestReadableVersion) {
      if (needs_migration) *needs_migration = true;
      return fail(fmt::format(
          "schema version {} needs migrating to version {}, which any eksir command that writes "
          "to the case does (this one only reads)",
          version, kSchemaVersion));
    }
    impl->version = static_cast<int>(version);
    return std::unique_ptr<Case>(new Case(std::move(impl)));
  }

  bool readonly = sqlite3_db_readonly(impl->db, "main") == 1;
  // A rollback journal keeps a case one self-contained file between writes (a case directory
  // is copied, archived and handed over as evidence; a WAL file left beside it would hold the
  // latest runs). FULL sync makes each commit durable before save_run returns.
  std::string e = sql::exec(impl->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL");
  if (!e.empty()) return fail(e);
  // Best effort: a case another tool switched to WAL stays readable while it is in use.
  if (!readonly) sql::exec(impl->db, "PRAGMA journal_mode = DELETE");

  if (e = migrate(impl->db, migrations()); !e.empty()) return fail(e);
  impl->version = static_cast<int>(sql::scalar(impl->db, "PRAGMA user_version", 0));

  if (!readonly) {
    sql::Stmt meta(impl->db,
                   "INSERT OR IGNORE INTO case_meta (singleton, case_id, created, updated) "
                   "VALUES (1, ?1, ?2, ?2)");
    TimeNs t = util::now_ns();
    if (meta.bind(1, case_id_of(dir)).bind(2, t).step() != SQLITE_DONE)
      return fail("cannot write the case header: " + sql::last_error(impl->db));
  }
  return std::unique_ptr<Case>(new Case(std::move(impl)));
}

int Case::schema_version() const {
  return impl_->version;
}

const std::string& Case::dir() const {
  return impl_->dir;
}

CaseInfo Case::info() const {
  CaseInfo c;
  c.dir = impl_->dir;
  c.status = "open";
  sql::Stmt s(impl_->db,
              "SELECT case_id, title, severity, status, created, updated, closed, close_reason "
              "FROM case_meta WHERE singleton = 1",
              &impl_->reads);
  if (s.step() == SQLITE_ROW) {
    c.id = s.text(0);
    c.title = s.text(1);
    c.severity = s.text(2);
    c.status = s.text(3);
    c.created = s.time(4);
    c.updated = s.time(5);
    c.closed = s.time(6);
    c.close_reason = s.text(7);
  } else {
    c.id = case_id_of(impl_->dir);
  }
  auto* db = impl_->db;
  auto* sink = &impl_->reads;
  c.runs = sql::scalar(db, "SELECT count(*) FROM runs", 0, sink);
  c.findings = sql::scalar(
      db, "SELECT count(*) FROM findings WHERE run_id = (SELECT max(id) FROM runs)", 0, sink);
  c.notes = sql::scalar(db, "SELECT count(*) FROM notes", 0, sink);
  c.journal = sql::scalar(db, "SELECT count(*) FROM journal", 0, sink);
  if (impl_->version >= 4) c.pins = sql::scalar(db, "SELECT count(*) FROM pins", 0, sink);
  return c;
}

Status Case::close(std::string_view reason, TimeNs when) {
  if (when == kNoTime) when = util::now_ns();
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot close the case: " + tx.error());
  sql::Stmt s(impl_->db, "SELECT status, closed FROM case_meta WHERE singleton = 1");
  if (s.step() != SQLITE_ROW) return impl_->fail_db("cannot read the case header");
  if (s.text(0) == "closed")
    return impl_->fail("the case is already closed (since " + format_time(s.time(1)) + ")");
  sql::Stmt u(impl_->db,
              "UPDATE case_meta SET status = 'closed', closed = ?1, close_reason = ?2, "
              "updated = max(updated, ?1) WHERE singleton = 1");
  if (u.bind(1, when).bind(2, reason).step() != SQLITE_DONE)
    return impl_->fail_db("cannot close the case");
  if (!tx.commit()) return impl_->fail("cannot close the case: " + tx.error());
  return {};
}

Status Case::reopen() {
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot reopen the case: " + tx.error());
  sql::Stmt s(impl_->db, "SELECT status FROM case_meta WHERE singleton = 1");
  if (s.step() != SQLITE_ROW) return impl_->fail_db("cannot read the case header");
  if (s.text(0) != "closed") return impl_->fail("the case is not closed");
  sql::Stmt u(impl_->db,
              "UPDATE case_meta SET status = 'open', closed = NULL, close_reason = '', "
              "updated = max(updated, ?1) WHERE singleton = 1");
  if (u.bind(1, util::now_ns()).step() != SQLITE_DONE)
    return impl_->fail_db("cannot reopen the case");
  if (!tx.commit()) return impl_->fail("cannot reopen the case: " + tx.error());
  return {};
}

}  // namespace eksir::store
