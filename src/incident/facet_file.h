// Private to incident/: the encoded facets of a scan worker's scope records, written to a
// temporary file as the scan goes, so that the records of weeks of evidence do not each hold
// their facets in memory. Written by one worker; read after the scan, mostly in the order
// written (the scope's index reads every record once), through a block buffer.
//
// Nothing is dropped: when no temporary file can be made, or a write to it fails, what is left is
// kept in memory (and the reason is in error()).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace eksir::incident {

class FacetFile {
 public:
  struct Ref {
    uint64_t offset = 0;
    uint32_t length = 0;
  };

  FacetFile() = default;
  ~FacetFile();
  FacetFile(const FacetFile&) = delete;
  FacetFile& operator=(const FacetFile&) = delete;
  FacetFile(FacetFile&& other) noexcept;
  FacetFile& operator=(FacetFile&& other) noexcept;

  Ref append(std::string_view encoded);
  // Writes what is buffered; call before reading.
  void flush();
  // The encoding at r: a view valid until the next read() or flush(). Not thread-safe. Empty
  // when it could not be read back (error() says why).
  std::string_view read(Ref r) const;

  uint64_t bytes() const { return in_file_ + pending_.size() + memory_.size(); }
  uint64_t bytes_in_file() const { return in_file_; }
  const std::string& error() const { return error_; }
  // Closes the file and frees the memory.
  void clear();

  // Appends are written a piece of this size at a time; reads in the order written fetch a block
  // of kBlock, others a page.
  static constexpr size_t kPiece = 1u << 20;
  static constexpr size_t kBlock = 256u << 10;
  static constexpr size_t kPage = 4u << 10;

 private:
  void write_pending();

  std::FILE* file_ = nullptr;
  bool tried_ = false;  // whether a temporary file was asked for
  uint64_t in_file_ = 0;
  std::string pending_;  // appended, not yet written (offsets from in_file_)
  // Past the file: what could not be written (offsets from in_file_ once the file failed).
  std::string memory_;
  bool failed_ = false;
  mutable std::string block_;
  mutable uint64_t block_at_ = UINT64_MAX;
  mutable std::string error_;
};

}  // namespace eksir::incident
