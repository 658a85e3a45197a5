#include "sources/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace eksir::sources::detail {

void Progress::start(bool wanted, uint64_t total_bytes) {
  on_ = wanted && ::isatty(STDERR_FILENO) && total_bytes > (64u << 20);
  total_ = total_bytes;
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::advance(uint64_t bytes) {
  done_ += bytes;
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  draw();
}

void Progress::draw() {
  double frac =
      total_ ? std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)) : 1.0;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double mbps = secs > 0 ? static_cast<double>(done_) / 1e6 / secs : 0;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(frac * kWidth);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = 0;
  std::fprintf(stderr, "\r[%s] %3d%%  %.0f/%.0f MB  %.0f MB/s ", bar, static_cast<int>(frac * 100),
               static_cast<double>(done_) / 1e6, static_cast<double>(total_) / 1e6, mbps);
}

void Progress::finish() {
  if (!on_) return;
  std::fprintf(stderr, "\r\033[K");
}

}  // namespace eksir::sources::detail
