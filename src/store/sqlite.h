// Thin RAII over the SQLite C API for the case store: a connection, prepared statements, and
// errors as text. Internal to the store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "event/event.h"

namespace eksir::store::sql {

// The first failure of the reads made through it (a damaged page, an I/O error), kept so that a
// read that stops early is not taken for a table that ends there.
class ErrorSink {
 public:
  void set(std::string error) {
    std::lock_guard lock(mu_);
    if (first_.empty()) first_ = std::move(error);
  }
  std::string get() const {
    std::lock_guard lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  std::string first_;
};

class Stmt {
 public:
  // A statement that cannot be prepared, or a step() that fails, is reported to sink when given.
  Stmt(sqlite3* db, std::string_view sql, ErrorSink* sink = nullptr);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  // Binds 1-based parameters; an empty optional time (kNoTime) binds NULL.
  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, int64_t v);
  Stmt& bind_time(int i, TimeNs t);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  void reset();

  std::string text(int col) const;
  int64_t integer(int col) const;
  TimeNs time(int col) const;  // NULL reads as kNoTime
  bool is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  ErrorSink* sink_ = nullptr;
};

// Runs one or more statements without results; "" on success, else SQLite's message.
std::string exec(sqlite3* db, std::string_view sql);
// SQLite's message for the last failure on db.
std::string last_error(sqlite3* db);
// The first column of the first row of a one-value query as an integer; fallback when none.
int64_t scalar(sqlite3* db, std::string_view sql, int64_t fallback = 0, ErrorSink* sink = nullptr);

}  // namespace eksir::store::sql
