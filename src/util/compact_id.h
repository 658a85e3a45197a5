// An event id as kept for millions of records or hits: a UUID in its usual lower-case form (what
// audit IDs and CloudTrail event ids are) as its 16 bytes, any other id as its text. 24 bytes,
// where a std::string of a UUID takes 32 and a 48-byte allocation. Reads back exactly as given.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/uuid.h"

namespace eksir::util {

class CompactId {
 public:
  CompactId() = default;
  explicit CompactId(std::string_view id);
  CompactId(const CompactId& other);
  CompactId& operator=(const CompactId& other);
  CompactId(CompactId&&) noexcept = default;
  CompactId& operator=(CompactId&&) noexcept = default;

  std::string str() const;
  bool empty() const;
  // Equal ids hash alike (the bytes of a UUID, else the text).
  uint64_t hash() const;

 private:
  // A UUID's bytes when other_ is null (all zero: no id; the zero UUID itself is kept as text).
  Uuid uuid_{};
  std::unique_ptr<std::string> other_;
};

}  // namespace eksir::util
