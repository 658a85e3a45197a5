// The matches of a hunt in time order, in bounded memory: held up to a budget, then sorted in runs
// written to temporary files and merged at the end. With a limit only the first `limit` are kept.
// Internal to the hunt stage.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace eksir::hunt {

class TimeOrder {
 public:
  // budget: bytes of items held before a run is written out; limit: 0 = keep every item.
  TimeOrder(size_t budget, uint64_t limit) : budget_(budget), limit_(limit) {}
  ~TimeOrder();
  TimeOrder(const TimeOrder&) = delete;
  TimeOrder& operator=(const TimeOrder&) = delete;

  // seq: the item's place in evidence order (ties in time keep it). False once a run could not
  // be written (error() says why): the caller stops.
  bool add(TimeNs time, uint64_t seq, std::string item);
  // Every item kept, oldest first (no time last); stops when fn returns false. False on a read
  // error of a run (error() says why).
  bool drain(const std::function<bool(std::string_view item)>& fn);

  const std::string& error() const { return error_; }
  size_t runs() const { return runs_.size(); }
  uint64_t spilled_bytes() const { return spilled_; }

 private:
  struct Held {
    TimeNs time;
    uint64_t seq;
    std::string item;
  };
  static bool before(TimeNs ta, uint64_t sa, TimeNs tb, uint64_t sb);
  void trim();  // with a limit: only the first `limit` held, and a cut-off for later adds
  bool spill();

  size_t budget_;
  uint64_t limit_;
  std::vector<Held> held_;
  size_t held_bytes_ = 0;
  bool have_cutoff_ = false;
  TimeNs cutoff_time_ = kNoTime;
  uint64_t cutoff_seq_ = 0;
  std::vector<std::FILE*> runs_;
  std::vector<std::unique_ptr<char[]>> buffers_;  // each run's stdio buffer
  uint64_t spilled_ = 0;
  std::string error_;
};

}  // namespace eksir::hunt
