// Pins: hunt results the analyst adds to the case's timeline. Like notes, never touched by a
// later investigation run.
#include <fmt/format.h>

#include <set>

#include "store/case_impl.h"
#include "util/time_math.h"

namespace eksir::store {

std::string pin_key(const Pin& pin) {
  if (!pin.event_id.empty()) return pin.source + '\x1f' + pin.event_id;
  return fmt::format("{}\x1f{}\x1f{}\x1f{}", pin.source, pin.file, pin.line, pin.record);
}

Status Case::add_pins(std::vector<Pin>& pins, size_t* already) {
  if (already) *already = 0;
  if (impl_->version < 4) return impl_->fail("the case's schema has no pins (migrate it first)");
  TimeNs now = util::now_ns();
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot pin: " + tx.error());
  sql::Stmt find(impl_->db, "SELECT id FROM pins WHERE record_key = ?");
  sql::Stmt add(impl_->db,
                "INSERT INTO pins (pinned, author, query, note, time, source, event_id, file, "
                "line, record, text, raw, copies, record_key) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (auto& p : pins) {
    std::string key = pin_key(p);
    find.reset();
    find.bind(1, key);
    if (int rc = find.step(); rc == SQLITE_ROW) {
      p.id = find.integer(0);
      if (already) ++*already;
      continue;
    } else if (rc != SQLITE_DONE) {
      return impl_->fail_db("cannot pin");
    }
    if (p.pinned == kNoTime) p.pinned = now;
    if (p.author.empty()) p.author = operator_name();
    add.reset();
    add.bind(1, p.pinned).bind(2, p.author).bind(3, p.query).bind(4, p.note).bind_time(5, p.time);
    add.bind(6, p.source).bind(7, p.event_id).bind(8, p.file);
    add.bind(9, static_cast<int64_t>(p.line)).bind(10, static_cast<int64_t>(p.record));
    add.bind(11, p.text).bind(12, p.raw).bind(13, static_cast<int64_t>(p.copies)).bind(14, key);
    if (add.step() != SQLITE_DONE) return impl_->fail_db("cannot pin");
    p.id = sqlite3_last_insert_rowid(impl_->db);
  }
  if (!impl_->touch(now)) return impl_->fail_db("cannot pin");
  if (!tx.commit()) return impl_->fail("cannot pin: " + tx.error());
  return {};
}

std::vector<Pin> Case::pins() const {
  std::vector<Pin> out;
  if (impl_->version < 4) return out;
  sql::Stmt s(impl_->db,
              "SELECT id, pinned, author, query, note, time, source, event_id, file, line, "
              "record, text, raw, copies FROM pins ORDER BY id",
              &impl_->reads);
  while (s.step() == SQLITE_ROW) {
    Pin p;
    p.id = s.integer(0);
    p.pinned = s.time(1);
    p.author = s.text(2);
    p.query = s.text(3);
    p.note = s.text(4);
    p.time = s.time(5);
    p.source = s.text(6);
    p.event_id = s.text(7);
    p.file = s.text(8);
    p.line = static_cast<uint64_t>(s.integer(9));
    p.record = static_cast<uint64_t>(s.integer(10));
    p.text = s.text(11);
    p.raw = s.text(12);
    p.copies = static_cast<uint64_t>(s.integer(13));
    out.push_back(std::move(p));
  }
  return out;
}

Status Case::remove_pins(const std::vector<int64_t>& ids) {
  if (impl_->version < 4) return impl_->fail("the case has no pins");
  Transaction tx(impl_->db);
  if (!tx.error().empty()) return impl_->fail("cannot unpin: " + tx.error());
  sql::Stmt del(impl_->db, "DELETE FROM pins WHERE id = ?");
  for (int64_t id : std::set<int64_t>(ids.begin(), ids.end())) {
    del.reset();
    if (del.bind(1, id).step() != SQLITE_DONE) return impl_->fail_db("cannot unpin");
    if (sqlite3_changes(impl_->db) == 0)
      return impl_->fail(fmt::format("no pin {} in the case (`eksir case show` lists them)", id));
  }
  if (!impl_->touch(util::now_ns())) return impl_->fail_db("cannot unpin");
  if (!tx.commit()) return impl_->fail("cannot unpin: " + tx.error());
  return {};
}

}  // namespace eksir::store
