// Private to sources/: a progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <chrono>
#include <cstdint>

namespace eksir::sources::detail {

class Progress {
 public:
  void start(bool wanted, uint64_t total_bytes);
  void advance(uint64_t bytes);
  void finish();

 private:
  void draw();
  bool on_ = false;
  uint64_t total_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace eksir::sources::detail
