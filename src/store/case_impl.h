// What a Case holds, shared by the files that implement its parts. Internal to the store.
#pragma once

#include <sqlite3.h>

#include <string>

#include "store/sqlite.h"
#include "store/store.h"

namespace eksir::store {

struct Case::Impl {
  std::string dir, path;
  sqlite3* db = nullptr;
  int version = 0;
  mutable sql::ErrorSink reads;  // the first failed read (Case::read_status)

  ~Impl() { sqlite3_close_v2(db); }
  Status fail(std::string_view what) const {
    return Status{false, path + ": " + std::string(what)};
  }
  Status fail_db(std::string_view what) const {
    return fail(std::string(what) + ": " + sql::last_error(db));
  }
  // Marks the case as changed now; inside the caller's transaction.
  bool touch(TimeNs when) const;
};

// One write transaction: BEGIN IMMEDIATE takes the write lock up front (waiting out other
// writers for the busy timeout), and the destructor rolls back unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { error_ = sql::exec(db, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (error_.empty() && !done_) sql::exec(db_, "ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const std::string& error() const { return error_; }
  bool commit() {
    error_ = sql::exec(db_, "COMMIT");
    done_ = error_.empty();
    return done_;
  }

 private:
  sqlite3* db_;
  std::string error_;
  bool done_ = false;
};

}  // namespace eksir::store
