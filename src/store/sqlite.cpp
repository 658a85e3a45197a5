#include "store/sqlite.h"

#include <cstring>

namespace eksir::store::sql {

namespace {
// SQLite's message; for an I/O failure, with the system's reason ("disk I/O error (No space left
// on device)").
std::string with_os_error(sqlite3* db, std::string message) {
  int code = db ? sqlite3_errcode(db) : SQLITE_OK;
  int os = db ? sqlite3_system_errno(db) : 0;
  if (os != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN))
    message += std::string(" (") + std::strerror(os) + ")";
  return message;
}
}  // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql, ErrorSink* sink) : db_(db), sink_(sink) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    if (sink_) sink_->set(last_error(db));
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

Stmt::~Stmt() {
  sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int i, std::string_view text) {
  if (stmt_) sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
  if (stmt_) sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

Stmt& Stmt::bind_time(int i, TimeNs t) {
  if (!stmt_) return *this;
  if (t == kNoTime)
    sqlite3_bind_null(stmt_, i);
  else
    sqlite3_bind_int64(stmt_, i, t);
  return *this;
}

int Stmt::step() {
  if (!stmt_) return SQLITE_ERROR;
  int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE && sink_) sink_->set(last_error(db_));
  return rc;
}

void Stmt::reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

int64_t Stmt::integer(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

TimeNs Stmt::time(int col) const {
  return is_null(col) ? kNoTime : sqlite3_column_int64(stmt_, col);
}

bool Stmt::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string exec(sqlite3* db, std::string_view sql) {
  std::string text(sql);
  char* msg = nullptr;
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return {};
  std::string error = msg ? with_os_error(db, msg) : last_error(db);
  sqlite3_free(msg);
  return error.empty() ? "unknown SQLite error" : error;
}

std::string last_error(sqlite3* db) {
  const char* m = db ? sqlite3_errmsg(db) : nullptr;
  if (!m) return "out of memory";
  return with_os_error(db, m);
}

int64_t scalar(sqlite3* db, std::string_view sql, int64_t fallback, ErrorSink* sink) {
  Stmt s(db, sql, sink);
  if (s.step() != SQLITE_ROW || s.is_null(0)) return fallback;
  return s.integer(0);
}

}  // namespace eksir::store::sql
