// Private to sources/: the first line of each chunk of a mapped file, from the chunks' own counts.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace eksir::sources::detail {

// The reader hands out chunks of a mapped file without counting their lines (that would read the
// whole file once more, from memory); each worker counts its own chunk's lines as it walks it
// and learns where the chunk starts once every chunk before it was counted.
class LineChain {
 public:
  explicit LineChain(uint64_t first_line) : starts_{first_line} {}
  // Chunk i of the run (from 0) holds n lines. Every chunk handed out must be published, counted
  // or not (then with 0, when the scan stopped), or those after it wait for ever.
  void publish(size_t i, uint64_t n);
  // The first line of chunk i; waits until chunks 0..i-1 are published. first_line(chunks) is
  // the line after the run.
  uint64_t first_line(size_t i);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint64_t> starts_;  // of the chunks 0..k, k the first not yet published
  std::vector<uint64_t> counts_;
  std::vector<bool> published_;
};

}  // namespace eksir::sources::detail
