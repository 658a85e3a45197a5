#include "util/sha256.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "test_paths.h"

namespace {

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * 7 + 3) % 256));
  return s;
}

TEST(Sha256, NistVectors) {
  EXPECT_EQ(eksir::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(eksir::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(eksir::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(eksir::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the padding boundaries (55/56 bytes, block multiples), checked against
// Python's hashlib.
TEST(Sha256, PaddingBoundaries) {
  const std::map<size_t, std::string> expected = {
      {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
      {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
      {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
      {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
      {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
      {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
      {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
      {127, "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07"},
      {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
      {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"}};
  for (const auto& [n, hex] : expected) EXPECT_EQ(eksir::sha256_hex(pattern(n)), hex) << n;
}

TEST(Sha256, IncrementalEqualsOneShot) {
  std::string data = pattern(1000);
  for (size_t chunk : {1, 3, 63, 64, 65, 200}) {
    eksir::Sha256 h;
    for (size_t i = 0; i < data.size(); i += chunk)
      h.update(std::string_view(data).substr(i, chunk));
    EXPECT_EQ(h.hex(), eksir::sha256_hex(data)) << chunk;
  }
}

TEST(Sha256, FileDigestAndSize) {
  auto dir = eksir::test::temp_dir();
  std::string path = dir + "/f.bin";
  std::string data = pattern(3 * 1024 * 1024 + 17);  // several read blocks
  std::ofstream(path, std::ios::binary) << data;
  auto d = eksir::sha256_file(path);
  ASSERT_TRUE(d.ok()) << d.error;
  EXPECT_EQ(d.size, data.size());
  EXPECT_EQ(d.hex, eksir::sha256_hex(data));

  auto missing = eksir::sha256_file(dir + "/missing");
  EXPECT_FALSE(missing.ok());
  EXPECT_TRUE(missing.hex.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
