#include "store/migrations.h"

#include <fmt/format.h>

#include "store/sqlite.h"

namespace eksir::store {

std::string migrate(sqlite3* db, std::span<const Migration> list) {
  int target = list.empty() ? 0 : list.back().version;
  int64_t app_id = sql::scalar(db, "PRAGMA application_id", -1);
  int64_t version = sql::scalar(db, "PRAGMA user_version", -1);
  if (version < 0 || app_id < 0) return sql::last_error(db);
  if (app_id != 0 && app_id != kApplicationId)
    return "not an eksir case database (another program's SQLite file)";
  if (version > target)
    return fmt::format(
        "the case was written by a newer eksir (schema version {}, this eksir reads up to {}); "
        "upgrade eksir to open it",
        version, target);
  if (version == target) return {};
  if (version == 0 && sql::scalar(db, "SELECT count(*) FROM sqlite_master", 0) > 0 &&
      app_id != kApplicationId)
    return "not an eksir case database (it has tables but no eksir schema version)";

  for (const auto& m : list) {
    // Another process may be migrating the same case: the version is read again under the
    // write lock, and a step already applied is skipped.
    if (auto e = sql::exec(db, "BEGIN IMMEDIATE"); !e.empty()) return "migration: " + e;
    int64_t current = sql::scalar(db, "PRAGMA user_version", -1);
    if (current >= m.version) {
      sql::exec(db, "ROLLBACK");
      continue;
    }
    if (current != m.version - 1) {
      sql::exec(db, "ROLLBACK");
      return fmt::format("migration to schema version {}: the database is at version {}", m.version,
                         current);
    }
    std::string e = sql::exec(db, m.sql);
    if (e.empty())
      e = sql::exec(db, fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}",
                                    kApplicationId, m.version));
    if (e.empty()) e = sql::exec(db, "COMMIT");
    if (!e.empty()) {
      sql::exec(db, "ROLLBACK");
      return fmt::format("migration to schema version {}: {}", m.version, e);
    }
  }
  return {};
}

}  // namespace eksir::store
