// SHA-256 (FIPS 180-4): digests for the evidence manifest and the case store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace eksir {

// Incremental digest: update() any number of times, then hex() once. libcrypto's SHA-256, which
// uses the CPU's SHA extensions where present (evidence is hashed at disk speed).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::array<uint8_t, 32> digest();  // finishes the digest; the object must not be updated after
  std::string hex();                 // digest() as 64 lower-case hex digits

 private:
  void* ctx_;  // EVP_MD_CTX
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
