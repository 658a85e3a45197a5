// What a scan worker hands the output thread for one match: the record's time and identity ahead
// of the rendered row, so that the output side can sort and fold copies without parsing again.
// Internal to the hunt stage.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace eksir::hunt {

// 128 bits of the record's identity (source and event id): two copies of one record hash alike;
// two different records collide with odds of about n² / 2^129.
struct Identity {
  uint64_t a = 0, b = 0;
  bool operator==(const Identity&) const = default;
};
Identity identity_of(Source source, std::string_view event_id);

// [time 8][keyed 1][identity 16][cite length 8][match length 8][cite][match][row]. `cite` names
// this copy when it is folded into another (JSON output only); `match` is the encoded Match
// (HuntOptions::on_match only); `row` is the rendered output.
struct ItemHead {
  TimeNs time = kNoTime;
  bool keyed = false;  // the record has an event id: it can be a copy of another
  Identity id;
  std::string_view cite, match, row;
};

inline constexpr size_t kItemHeadBytes = 8 + 1 + 16 + 8 + 8;

inline std::string pack_item(TimeNs time, const Identity* id, std::string_view cite,
                             std::string_view match, std::string_view row) {
  std::string out(kItemHeadBytes, '\0');
  char* p = out.data();
  std::memcpy(p, &time, 8);
  p[8] = id ? 1 : 0;
  if (id) {
    std::memcpy(p + 9, &id->a, 8);
    std::memcpy(p + 17, &id->b, 8);
  }
  uint64_t nc = cite.size(), nm = match.size();
  std::memcpy(p + 25, &nc, 8);
  std::memcpy(p + 33, &nm, 8);
  out.append(cite);
  out.append(match);
  out.append(row);
  return out;
}

inline ItemHead unpack_item(std::string_view item) {
  ItemHead h;
  const char* p = item.data();
  std::memcpy(&h.time, p, 8);
  h.keyed = p[8] != 0;
  std::memcpy(&h.id.a, p + 9, 8);
  std::memcpy(&h.id.b, p + 17, 8);
  uint64_t nc = 0, nm = 0;
  std::memcpy(&nc, p + 25, 8);
  std::memcpy(&nm, p + 33, 8);
  h.cite = item.substr(kItemHeadBytes, nc);
  h.match = item.substr(kItemHeadBytes + nc, nm);
  h.row = item.substr(kItemHeadBytes + nc + nm);
  return h;
}

// The identities seen so far, 16 bytes each in an open-addressed table at most half full: the
// memory folding costs, about 32 bytes per distinct matching record with an id.
class IdentitySet {
 public:
  // True when id was not in the set (it is now); false for a copy. `first` gets the value stored
  // with the first copy.
  bool insert(const Identity& id, uint64_t value, uint64_t& first);
  uint64_t& value_at(const Identity& id);  // id must be in the set
  size_t size() const { return size_; }

 private:
  struct Slot {
    Identity id;
    uint64_t value = 0;
    bool used = false;
  };
  size_t find(const Identity& id) const;
  void grow();
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace eksir::hunt
