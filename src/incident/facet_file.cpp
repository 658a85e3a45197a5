#include "incident/facet_file.h"

#include "util/read_at.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace eksir::incident {

FacetFile::~FacetFile() {
  if (file_) std::fclose(file_);
}

FacetFile::FacetFile(FacetFile&& other) noexcept {
  *this = std::move(other);
}

FacetFile& FacetFile::operator=(FacetFile&& other) noexcept {
  if (this == &other) return *this;
  if (file_) std::fclose(file_);
  file_ = std::exchange(other.file_, nullptr);
  tried_ = other.tried_;
  in_file_ = other.in_file_;
  pending_ = std::move(other.pending_);
  memory_ = std::move(other.memory_);
  failed_ = other.failed_;
  block_ = std::move(other.block_);
  block_at_ = std::exchange(other.block_at_, UINT64_MAX);
  error_ = std::move(other.error_);
  return *this;
}

FacetFile::Ref FacetFile::append(std::string_view encoded) {
  if (!tried_) {
    tried_ = true;
    file_ = std::tmpfile();
    if (!file_) {
      failed_ = true;
      error_ = fmt::format("temporary file: {}", std::strerror(errno));
    }
  }
  Ref r{bytes(), static_cast<uint32_t>(encoded.size())};
  if (failed_) {
    memory_.append(encoded);
    return r;
  }
  pending_.append(encoded);
  if (pending_.size() >= kPiece) write_pending();
  return r;
}

void FacetFile::write_pending() {
  if (pending_.empty() || failed_) return;
  if (std::fwrite(pending_.data(), 1, pending_.size(), file_) == pending_.size() &&
      std::fflush(file_) == 0) {
    in_file_ += pending_.size();
    pending_.clear();
    return;
  }
  // What did not reach the file stays in memory, from where the file's last whole write ends.
  // A short write leaves bytes past in_file_ in the file: they are never read.
  failed_ = true;
  if (error_.empty()) error_ = fmt::format("temporary file: {}", std::strerror(errno));
  memory_ = std::move(pending_);
  std::string().swap(pending_);
}

void FacetFile::flush() {
  write_pending();
  std::string().swap(pending_);
}

std::string_view FacetFile::read(Ref r) const {
  if (r.length == 0) return {};
  if (r.offset >= in_file_) {
    const std::string& tail = failed_ ? memory_ : pending_;
    const uint64_t at = r.offset - in_file_;
    if (at + r.length > tail.size()) return {};
    return std::string_view(tail).substr(at, r.length);
  }
  const uint64_t block_end = block_at_ == UINT64_MAX ? UINT64_MAX : block_at_ + block_.size();
  if (block_at_ == UINT64_MAX || r.offset < block_at_ || r.offset + r.length > block_end) {
    // Reading on from the block: a whole block ahead. Elsewhere (the pivot jumping between
    // records): a page, not a block per record.
    const bool onward =
        block_end != UINT64_MAX && r.offset >= block_end && r.offset < block_end + kBlock;
    const uint64_t want = std::max<uint64_t>(onward ? kBlock : kPage, r.length);
    const uint64_t n = std::min<uint64_t>(want, in_file_ - r.offset);
    block_.resize(n);
    block_at_ = r.offset;
    if (std::string why = util::read_at(fileno(file_), r.offset, block_.data(), n); !why.empty()) {
      block_at_ = UINT64_MAX;
      if (error_.empty()) error_ = fmt::format("temporary file: {}", why);
      return {};
    }
  }
  return std::string_view(block_).substr(r.offset - block_at_, r.length);
}

void FacetFile::clear() {
  *this = FacetFile();
}

}  // namespace eksir::incident
