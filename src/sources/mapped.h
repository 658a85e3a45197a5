// Private to sources/: a plain file mapped into memory whole, read in place instead of copied.
//
// A mapped page past the end of a file that was truncated after it was mapped raises SIGBUS when
// touched. A handler installed with the first mapping replaces such pages with zeros (so the read
// goes on) and marks the mapping damaged; the scan then reports the file as changed while it was
// read instead of crashing. SIGBUS outside any mapping made here keeps its previous action.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace eksir::sources::detail {

class MappedFile {
 public:
  // The first `size` bytes of fd (a regular file at least that long), or nullptr when it cannot
  // be mapped (the caller reads it instead).
  static std::shared_ptr<MappedFile> map(int fd, uint64_t size);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  uint64_t size() const { return size_; }
  std::string_view view(uint64_t offset, size_t n) const { return {data_ + offset, n}; }
  // Whether some page was found missing (the file became shorter) and read as zeros; then
  // damaged_from() is the offset of the first such page.
  bool damaged() const;
  uint64_t damaged_from() const;
  // True once, for the first caller after damage within [offset, offset + n): who reports it.
  bool claim_damage(uint64_t offset, uint64_t n) const;
  // Drops the pages of [offset, offset + n) from this process (they stay in the page cache):
  // keeps resident memory to what is in flight. Reading them again maps them again.
  void done_with(uint64_t offset, size_t n) const;

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  int slot_ = -1;  // in the SIGBUS handler's table
  mutable std::atomic<bool> reported_{false};
};

}  // namespace eksir::sources::detail
