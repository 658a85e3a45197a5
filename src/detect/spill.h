// Private to detect/: correlation events past the memory budget, written to a temporary file in
// sorted runs and read back one rule at a time after the scan.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "detect/engine_impl.h"

namespace eksir::detect {

// Keys of correlation events are counted in so many buckets of their hash, so that a rule read
// back in parts by key gets parts of even size (engine.cpp).
inline constexpr size_t kKeyBuckets = 1024;
inline size_t key_bucket(std::string_view key) {
  return std::hash<std::string_view>()(key) % kKeyBuckets;
}

class TupleSpill {
 public:
  TupleSpill() = default;
  ~TupleSpill();
  TupleSpill(const TupleSpill&) = delete;
  TupleSpill& operator=(const TupleSpill&) = delete;

  // Writes tuples (sorted by rule) as one run; false, with error(), when the file fails.
  bool write(const std::vector<Tuple>& sorted);
  // Appends the tuples of `rule` whose key `keep` accepts (null: all) to out, their strings kept
  // in `strings`. A rule may be read any number of times.
  bool read(uint32_t rule, const std::function<bool(std::string_view key)>& keep, Interned& strings,
            std::vector<Tuple>& out);
  // Rules with tuples in some run, each with how many.
  const std::map<uint32_t, uint64_t>& rules() const { return rules_; }
  // A rule's tuples by key_bucket() of their key (kKeyBuckets counts), or null.
  const std::vector<uint32_t>* key_buckets(uint32_t rule) const {
    auto it = buckets_.find(rule);
    return it == buckets_.end() ? nullptr : &it->second;
  }
  uint64_t tuples() const { return tuples_; }
  size_t runs() const { return runs_.size(); }
  uint64_t bytes() const { return bytes_; }
  const std::string& error() const { return error_; }

 private:
  // Where each rule's records are in the file, per run.
  using Run = std::map<uint32_t, std::pair<uint64_t, uint64_t>>;
  bool fail(const std::string& what);

  std::FILE* file_ = nullptr;
  std::vector<Run> runs_;
  std::map<uint32_t, uint64_t> rules_;
  std::map<uint32_t, std::vector<uint32_t>> buckets_;
  uint64_t tuples_ = 0, bytes_ = 0;
  std::string buffer_, error_;
};

}  // namespace eksir::detect
