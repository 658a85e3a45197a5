// Private to detect/: the fingerprints that tell copies of one matched event apart (hits.cpp),
// past a worker's share of the memory budget: written to a temporary file in sorted runs, and
// merged with every other worker's after the scan. One print is 32 bytes on disk.
#pragma once

#include <compare>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "event/event.h"

namespace eksir::detect {

// A match of a single-event rule: its group (two independent hashes of the dedup key: two keys
// taken for one about 2^-128), and the event (time, and a hash of source and event id).
struct Print {
  uint64_t key1 = 0, key2 = 0;
  TimeNs time = kNoTime;
  uint64_t id = 0;
  auto operator<=>(const Print&) const = default;
};

class PrintSpill {
 public:
  PrintSpill() = default;
  ~PrintSpill();
  PrintSpill(const PrintSpill&) = delete;
  PrintSpill& operator=(const PrintSpill&) = delete;

  // Starts a run; prints must then come in order. False, with error(), when the file fails: the
  // run is then given up (none of its prints counted) and the spill takes no more.
  bool begin_run();
  bool add(const Print& p);
  bool end_run();

  uint64_t prints() const { return prints_; }
  uint64_t bytes() const { return prints_ * sizeof(Print); }
  size_t runs() const { return runs_.size(); }
  const std::string& error() const { return error_; }

  // Every print of every run of the spills, and those of `in_memory` (sorted), in order: a
  // k-way merge that reads each run through a small buffer. False, with the error in `error`,
  // when a run could not be read back.
  static bool merge(std::span<PrintSpill* const> spills, std::span<const Print> in_memory,
                    const std::function<void(const Print&)>& each, std::string& error);

 private:
  bool fail(const std::string& what);
  bool flush();
  struct Run {
    uint64_t at = 0, count = 0;
  };
  std::FILE* file_ = nullptr;
  std::vector<Run> runs_;
  std::vector<Print> buffer_;
  uint64_t prints_ = 0, end_ = 0;
  bool open_ = false;
  std::string error_;
};

}  // namespace eksir::detect
