// The schema's history: an ordered list of migrations, each taking the database from
// version - 1 to version, and the runner that applies the missing ones. Internal to the store.
#pragma once

#include <sqlite3.h>

#include <span>
#include <string>

namespace eksir::store {

struct Migration {
  int version;      // PRAGMA user_version after it runs
  const char* sql;  // statements run in one transaction with the version bump
};

// Every migration of this binary, in order; the last one's version is kSchemaVersion.
std::span<const Migration> migrations();

// 'EKSR': PRAGMA application_id of a case database.
inline constexpr int kApplicationId = 0x454b5352;

// Brings db to the last version in list, one transaction per migration. A database newer than
// that, or one that is not a case database, is an error. Returns "" or the error (without
// the path).
std::string migrate(sqlite3* db, std::span<const Migration> list);

}  // namespace eksir::store
