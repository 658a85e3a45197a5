// SHA-256 (FIPS 180-4): digests for the evidence manifest and the case store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace eksir {

// Incremental digest: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::array<uint8_t, 32> digest();  // finishes the digest; the object must not be updated after
  std::string hex();                 // digest() as 64 lower-case hex digits

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t used_ = 0;
  uint64_t total_ = 0;
};

// The SHA-256 of data as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

struct FileDigest {
  std::string hex;    // empty when the file could not be read
  uint64_t size = 0;  // bytes read
  std::string error;  // why the file could not be read
  bool ok() const { return error.empty(); }
};
// The SHA-256 and size of a file, read in blocks (any size, constant memory).
FileDigest sha256_file(const std::string& path);

}  // namespace eksir
