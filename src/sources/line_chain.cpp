#include "sources/line_chain.h"

namespace eksir::sources::detail {

void LineChain::publish(size_t i, uint64_t n) {
  std::lock_guard lock(mu_);
  if (counts_.size() <= i) {
    counts_.resize(i + 1, 0);
    published_.resize(i + 1, false);
  }
  counts_[i] = n;
  published_[i] = true;
  bool advanced = false;
  for (size_t k = starts_.size() - 1; k < published_.size() && published_[k]; ++k) {
    starts_.push_back(starts_[k] + counts_[k]);
    advanced = true;
  }
  if (advanced) cv_.notify_all();
}

uint64_t LineChain::first_line(size_t i) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return starts_.size() > i; });
  return starts_[i];
}

}  // namespace eksir::sources::detail
