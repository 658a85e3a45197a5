// Private to backend/: the connection to the tables, the column layout and the text codec of
// ClickHouse's TabSeparated format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backend/backend.h"
#include "backend/http.h"
#include "event/event.h"
#include "event/fields.h"

namespace eksir::backend {

// A field kept in its own column `f_<name>` as Array(String): the field's string values as the
// local engine reads them. Bit `bit` of `present` is set when the field has any non-null value,
// of `irregular` when some value is not a string (number, boolean, object).
struct TypedField {
  const char* column;
  const char* field;  // ECS name
  unsigned bit;
};
const std::vector<TypedField>& typed_fields();
// The typed field a query field reaches the same values as (same steps on every source).
const TypedField* typed_field_for(const FieldRef& field);

class Store {
 public:
  explicit Store(Target target) : t_(std::move(target)) {}
  const Target& target() const { return t_; }
  // The table queries read: the Distributed table, or the single server's table.
  std::string events_table() const { return t_.database + ".events"; }
  std::string files_table() const { return t_.database + ".files"; }

  // Runs one statement on a shard; the reply body goes to on_body. Returns "" or the error.
  std::string exec(std::string_view sql, size_t shard = 0, const BodyFn& on_body = {}) const;
  // INSERT ... FORMAT TabSeparated with `rows` as data, on a shard. Returns "" or the error.
  std::string insert(std::string_view table, std::string_view rows, size_t shard = 0) const;
  // Runs a query and returns its whole reply (small results only).
  std::string query(std::string_view sql, std::string& error, size_t shard = 0) const;

  // Creates the database and tables where missing, checks the columns of existing ones.
  std::string ensure_schema() const;

 private:
  Target t_;
};

// The columns of an event row, in insert order.
const std::vector<std::pair<std::string, std::string>>& event_columns();

// TabSeparated text: escapes one value (also valid inside a quoted array element).
void append_tsv(std::string& out, std::string_view value);
// Reads one TabSeparated field in place: unescapes and returns it.
std::string unescape_tsv(std::string_view field);
// Quotes a string for SQL: 'it\'s'.
std::string sql_string(std::string_view text);

// FNV-1a 64-bit: stable across runs and machines (row routing, file keys).
uint64_t stable_hash(std::string_view text);

}  // namespace eksir::backend
