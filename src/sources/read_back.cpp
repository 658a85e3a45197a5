#include <isa-l.h>

#include <algorithm>
#include <numeric>

#include "sources/input.h"
#include "sources/sources.h"

namespace eksir::sources {

uint32_t checksum(std::string_view text) {
  return crc32_gzip_refl(0, reinterpret_cast<const unsigned char*>(text.data()),
                         static_cast<uint64_t>(text.size()));
}

namespace {

void verify(const Slice& s, std::string& text) {
  if (checksum(text) != s.checksum) text.clear();
}

}  // namespace

std::string read_back(const std::string& path, const std::vector<Slice>& slices,
                      std::vector<std::string>& texts) {
  texts.assign(slices.size(), {});
  if (slices.empty()) return {};
  std::string error;
  auto in = detail::Input::open(path, error);
  if (!in) return error;
  if (!in->gzip()) {
    for (size_t i = 0; i < slices.size(); ++i) {
      texts[i].resize(slices[i].length);
      if (!in->read_at(slices[i].offset, texts[i].data(), slices[i].length)) return in->error();
      verify(slices[i], texts[i]);
    }
    return {};
  }
  // Inflated from the start, in order of offset: what lies before a slice is dropped as it goes.
  std::vector<size_t> order(slices.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return slices[a].offset < slices[b].offset; });
  constexpr size_t kBlock = 1u << 20;
  detail::Buffer buf;
  uint64_t base = 0;  // content offset of buf's first byte
  for (size_t i : order) {
    const Slice& s = slices[i];
    while (base + buf.size() < s.offset + s.length) {
      // Drop what lies before the slice, so the buffer holds about a block at a time.
      if (s.offset >= base + buf.size()) {
        base += buf.size();
        buf.clear();
      } else if (s.offset > base && buf.size() >= kBlock) {
        buf.consume(static_cast<size_t>(s.offset - base));
        base = s.offset;
      }
      if (!in->read(buf, kBlock)) {
        if (base + buf.size() >= s.offset + s.length) break;
        return in->error().empty() ? "the content is shorter than when it was read" : in->error();
      }
    }
    texts[i].assign(buf.data() + (s.offset - base), s.length);
    verify(s, texts[i]);
  }
  return {};
}

}  // namespace eksir::sources
