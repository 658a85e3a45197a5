// Private to sources/: parsing one chunk of evidence into events, on a worker thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include "sources/input.h"
#include "sources/line_chain.h"
#include "sources/mapped.h"
#include "sources/prefilter.h"
#include "sources/sources.h"
#include "sources/unwrap.h"

namespace eksir::sources::detail {

enum class ChunkMode {
  Lines,  // independent lines of a large line-oriented file
  Auto,   // a whole small file: one document, concatenated documents or JSON lines
};

struct Chunk {
  uint64_t seq = 0;
  std::string_view file;
  uint64_t first_line = 1;
  uint64_t offset = 0;  // of the buffer's first byte in the file's content
  ChunkMode mode = ChunkMode::Lines;
  std::unique_ptr<Buffer> buf;
  // Instead of buf, a run of whole lines of a mapped file ([offset, offset + size) of it); the
  // file's bytes after it stand for simdjson's padding.
  std::shared_ptr<const MappedFile> map;
  size_t mapped_size = 0;
  // Set when first_line is not known yet: the chunk is number chain_index of this chain.
  std::shared_ptr<LineChain> chain;
  size_t chain_index = 0;
  std::vector<Skip> trailing_skips;  // file-level problems reported after the chunk's records

  std::string_view text() const { return map ? map->view(offset, mapped_size) : buf->view(); }
};

// What a chunk produced; merged into ScanStats in evidence order.
struct ChunkResult {
  ChunkOutput out;
  uint64_t events = 0, bytes = 0, skipped = 0, filtered = 0, samples = 0;
  uint64_t unparsed_lines = 0, unparsed_files = 0;  // passed over by the prefilter
  uint64_t by_source[kSourceCount] = {};
  std::vector<Skip> skips;
};

// The file of a mapped chunk became shorter while it was read, at or after this line.
Skip file_changed(std::string_view file, uint64_t line);

// Per-worker parsing state, reused across chunks so buffers stay allocated.
class ChunkParser {
 public:
  // prefilter: null, or the literals every line parsed must be able to hold (prefilter.h).
  ChunkParser(const ScanOptions& options, const EventFn& on_event,
              const Prefilter* prefilter = nullptr)
      : options_(options), on_event_(on_event), prefilter_(prefilter) {
    if (prefilter_) scratch_ = prefilter_->scratch();
  }
  void parse(Chunk& chunk, ChunkResult& result);

 private:
  // filter: lines that cannot hold a match are passed over (counted), when there is a prefilter.
  void parse_lines(const Chunk& chunk, std::string_view text, uint64_t first_line, ChunkResult& r,
                   bool filter = false);
  // A chunk whose first line is not known yet (Chunk::chain): its lines are counted, or walked
  // through the prefilter with what must be parsed put aside, before it is asked for.
  void parse_chained_lines(Chunk& chunk, std::string_view text, ChunkResult& r);
  // The lines of text from `line` on; returns the number of the line after them. first_record:
  // none of the file's records was seen before text.
  // The lines of text searched with the prefilter a block at a time; returns the line after them.
  uint64_t filter_lines(const Chunk& chunk, std::string_view text, uint64_t line, ChunkResult& r,
                        bool first_record, bool put_aside);
  uint64_t walk_lines(const Chunk& chunk, std::string_view text, uint64_t line, ChunkResult& r,
                      bool filter, bool& first_record, bool put_aside = false);
  // A whole small file the prefilter passes over: it holds no match and no mark of text the
  // literals cannot speak for, and reads as whole JSON (nothing cut short to report).
  bool pass_over_document(std::string_view text);
  // A whole chunk as a stream of documents; text is what is parsed, raw the evidence's own text
  // of the same length (they differ when wide integers were rewritten in text).
  bool parse_documents(const Chunk& chunk, std::string_view text, const char* raw, bool rewritten,
                       ChunkResult& r);
  void parse_line(const Chunk& chunk, const char* p, size_t n, uint64_t line, ChunkResult& r);
  // Parses text with parser_; a text that fails only on integers wider than 64 bits is parsed
  // again from a copy with them rewritten (wide_numbers.h), and `rewritten` is set.
  simdjson::error_code parse_one(std::string_view text, simdjson::dom::element& doc,
                                 bool& rewritten);
  // A copy of text in wide_ with its wide integers rewritten; false when it has none.
  bool widened_copy(std::string_view text);
  // record: the index of the next record on this line; carried across documents that share a
  // line (concatenated JSON), so that (file, line, record) names one record.
  void unwrap(const Chunk& chunk, std::string_view raw, simdjson::dom::element doc, uint64_t line,
              uint64_t& record, ChunkResult& r, bool rewritten = false);
  void skip(ChunkResult& r, Skip&& s);

  const ScanOptions& options_;
  const EventFn& on_event_;
  const Prefilter* prefilter_ = nullptr;
  std::unique_ptr<Prefilter::Scratch> scratch_;
  std::vector<PrefilterHit> hits_;
  struct AsideLine {
    const char* p;
    size_t n;
    uint64_t line;  // from the chunk's first, 0
  };
  std::vector<AsideLine> aside_;
  simdjson::dom::parser parser_;
  simdjson::dom::parser many_parser_;
  Unwrapper unwrapper_;
  std::string wide_;  // widened_copy(), with simdjson's padding after it
};

}  // namespace eksir::sources::detail
