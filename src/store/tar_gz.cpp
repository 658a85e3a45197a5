#include "store/tar_gz.h"

#include <fmt/format.h>
#include <libdeflate.h>

#include <cstring>
#include <memory>

namespace eksir::store {

namespace {

constexpr size_t kBlock = 512;

void put(char* field, size_t width, std::string_view value) {
  std::memcpy(field, value.data(), std::min(width, value.size()));
}

// A number as ustar writes it: octal digits, zero-padded, ending with NUL.
void put_octal(char* field, size_t width, uint64_t value) {
  std::string digits = fmt::format("{:0{}o}", value, width - 1);
  put(field, width, digits);
}

// The name and prefix fields for path: the whole path when it fits the name, else split at a '/'.
bool split_path(const std::string& path, std::string& prefix, std::string& name) {
  if (path.size() <= 100) {
    prefix.clear();
    name = path;
    return true;
  }
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    if (slash > 155) break;
    if (path.size() - slash - 1 <= 100 && slash + 1 < path.size()) {
      prefix = path.substr(0, slash);
      name = path.substr(slash + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string ustar(const std::vector<TarFile>& files, TimeNs mtime, std::string& error) {
  std::string out;
  uint64_t seconds = mtime == kNoTime || mtime < 0 ? 0 : static_cast<uint64_t>(mtime / 1000000000);
  for (const auto& f : files) {
    std::string prefix, name;
    if (f.path.empty() || !split_path(f.path, prefix, name)) {
      error = "the path " + f.path + " does not fit a tar header";
      return {};
    }
    bool dir = f.path.back() == '/';
    char h[kBlock] = {};
    put(h, 100, name);
    put_octal(h + 100, 8, dir ? 0755 : 0644);
    put_octal(h + 108, 8, 0);
    put_octal(h + 116, 8, 0);
    put_octal(h + 124, 12, dir ? 0 : f.data.size());
    put_octal(h + 136, 12, seconds);
    std::memset(h + 148, ' ', 8);  // the checksum is computed with its own field as spaces
    h[156] = dir ? '5' : '0';
    put(h + 257, 6, std::string_view("ustar\0", 6));
    put(h + 263, 2, "00");
    put(h + 265, 32, "root");
    put(h + 297, 32, "root");
    put_octal(h + 329, 8, 0);
    put_octal(h + 337, 8, 0);
    put(h + 345, 155, prefix);
    unsigned sum = 0;
    for (char c : h) sum += static_cast<unsigned char>(c);
    put(h + 148, 8, fmt::format("{:06o}", sum) + std::string("\0 ", 2));
    out.append(h, kBlock);
    if (dir) continue;
    out += f.data;
    out.append((kBlock - f.data.size() % kBlock) % kBlock, '\0');
  }
  out.append(2 * kBlock, '\0');  // the end of the archive: two zero blocks
  return out;
}

std::string gzip(const std::string& data, std::string& error) {
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(
      libdeflate_alloc_compressor(6), &libdeflate_free_compressor);
  if (!c) {
    error = "cannot start the gzip compressor (out of memory)";
    return {};
  }
  std::string out(libdeflate_gzip_compress_bound(c.get(), data.size()), '\0');
  size_t n = libdeflate_gzip_compress(c.get(), data.data(), data.size(), out.data(), out.size());
  if (n == 0) {
    error = "gzip compression failed";
    return {};
  }
  out.resize(n);
  return out;
}

}  // namespace eksir::store
