#include "sources/chunk.h"

#include <fmt/format.h>

#include "sources/wide_numbers.h"

#include <algorithm>
#include <cstring>

namespace eksir::sources::detail {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

uint64_t count_lines(const char* p, size_t n) {
  return count_newlines(p, n);
}

// Brackets ({ and [) still open at the end of text, outside strings: a document cut short (a
// download or a copy interrupted, a disk that filled up) leaves some.
size_t open_brackets(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return depth;
}

}  // namespace

void ChunkParser::skip(ChunkResult& r, Skip&& s) {
  ++r.skipped;
  r.skips.push_back(std::move(s));
}

bool ChunkParser::widened_copy(std::string_view text) {
  wide_.assign(text);
  wide_.append(simdjson::SIMDJSON_PADDING, '\0');
  return widen_big_integers(wide_.data(), text.size()) > 0;
}

simdjson::error_code ChunkParser::parse_one(std::string_view text, simdjson::dom::element& doc,
                                            bool& rewritten) {
  rewritten = false;
  auto err = parser_.parse(text.data(), text.size(), false).get(doc);
  if (err != simdjson::NUMBER_ERROR || !widened_copy(text)) return err;
  auto again = parser_.parse(wide_.data(), text.size(), false).get(doc);
  if (again) return err;
  rewritten = true;
  return simdjson::SUCCESS;
}

void ChunkParser::unwrap(const Chunk& chunk, std::string_view raw, simdjson::dom::element doc,
                         uint64_t line, uint64_t& record, ChunkResult& r, bool rewritten) {
  Position pos{chunk.file, line};
  unwrapper_.unwrap(
      raw, doc, pos, record, rewritten,
      [&](const EventView& view) {
        if (options_.only && view.source != *options_.only) {
          ++r.filtered;
          return;
        }
        if ((options_.since != kNoTime && (view.time == kNoTime || view.time < options_.since)) ||
            (options_.until != kNoTime && (view.time == kNoTime || view.time >= options_.until))) {
          ++r.filtered;
          return;
        }
        EventView ev = view;
        const std::string_view text = chunk.text();
        const char* begin = text.data();
        if (ev.raw.data() >= begin && ev.raw.data() + ev.raw.size() <= begin + text.size())
          ev.offset = chunk.offset + static_cast<uint64_t>(ev.raw.data() - begin);
        ++r.events;
        ++r.by_source[static_cast<int>(ev.source)];
        if (ev.sample) ++r.samples;
        on_event_(ev, r.out);
      },
      [&](Skip&& s) { skip(r, std::move(s)); });
}

void ChunkParser::parse_line(const Chunk& chunk, const char* p, size_t n, uint64_t line,
                             ChunkResult& r) {
  std::string_view text = trim(std::string_view(p, n));
  if (text.empty()) return;
  simdjson::dom::element doc;
  bool rewritten = false;
  auto err = parse_one(text, doc, rewritten);
  if (!err) {
    uint64_t record = 0;
    unwrap(chunk, text, doc, line, record, r, rewritten);
    return;
  }
  // Concatenated documents on one line ({...}{...}, as Firehose writes CloudWatch payloads).
  if (text.front() == '{' || text.front() == '[') {
    simdjson::dom::document_stream stream;
    if (!many_parser_.parse_many(text.data(), text.size(), std::max<size_t>(text.size(), 1 << 16))
             .get(stream)) {
      size_t docs = 0;
      bool ok = true;
      for (auto it = stream.begin(); it != stream.end(); ++it) {
        simdjson::dom::element d;
        if ((*it).get(d)) {
          ok = false;
          break;
        }
        ++docs;
      }
      // A document_stream is single-pass: validate with one, emit from a fresh one.
      if (ok && docs > 1 && stream.truncated_bytes() == 0 &&
          !many_parser_.parse_many(text.data(), text.size(), std::max<size_t>(text.size(), 1 << 16))
               .get(stream)) {
        uint64_t record = 0;
        for (auto it = stream.begin(); it != stream.end(); ++it)
          unwrap(chunk, it.source(), *it, line, record, r);
        return;
      }
    }
  }
  if (text.front() != '{' && text.front() != '[') {
    skip(r, Skip{std::string(chunk.file), line, 0, "not a JSON line",
                 "text among JSON lines (a banner or a log message): " + excerpt(text)});
    return;
  }
  skip(r, Skip{std::string(chunk.file), line, 0, "invalid JSON", simdjson::error_message(err)});
}

void ChunkParser::parse_lines(const Chunk& chunk, std::string_view text, uint64_t first_line,
                              ChunkResult& r, bool filter) {
  // The file's first record is always read: its format, and whether it holds events at all, is
  // then known as without the prefilter.
  bool first_record = first_line == 1;
  if (!filter || !prefilter_)
    walk_lines(chunk, text, first_line, r, false, first_record);
  else
    filter_lines(chunk, text, first_line, r, first_record, false);
}

uint64_t ChunkParser::filter_lines(const Chunk& chunk, std::string_view text, uint64_t line,
                                   ChunkResult& r, bool first_record, bool put_aside) {
  // Searched, then walked, a block of whole lines at a time: the walk finds the block still in
  // the core's cache instead of reading the chunk from memory a second time.
  constexpr size_t kBlock = 256 * 1024;
  while (!text.empty()) {
    size_t n = text.size();
    if (n > kBlock) {
      const void* nl = memrchr(text.data(), '\n', kBlock);
      if (!nl) nl = std::memchr(text.data() + kBlock, '\n', n - kBlock);
      if (nl) n = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
    }
    line = walk_lines(chunk, text.substr(0, n), line, r, true, first_record, put_aside);
    text.remove_prefix(n);
  }
  return line;
}

void ChunkParser::parse_chained_lines(Chunk& chunk, std::string_view text, ChunkResult& r) {
  LineChain& chain = *chunk.chain;
  if (!prefilter_) {
    chain.publish(chunk.chain_index, count_lines(text.data(), text.size()));
    chunk.first_line = chain.first_line(chunk.chain_index);
    parse_lines(chunk, text, chunk.first_line, r);
    return;
  }
  // A mapped chunk ends with a newline: its lines are its newlines.
  aside_.clear();
  const uint64_t lines = filter_lines(chunk, text, 0, r, chunk.offset == 0, true);
  chain.publish(chunk.chain_index, lines);
  chunk.first_line = chain.first_line(chunk.chain_index);
  for (const AsideLine& l : aside_) parse_line(chunk, l.p, l.n, chunk.first_line + l.line, r);
}

uint64_t ChunkParser::walk_lines(const Chunk& chunk, std::string_view text, uint64_t line,
                                 ChunkResult& r, bool filter, bool& first_record, bool put_aside) {
  const char* p = text.data();
  size_t n = text.size();
  size_t pos = 0;
  if (filter) prefilter_->find(text, *scratch_, hits_);
  const PrefilterHit* hit = hits_.data();
  const PrefilterHit* const hits_end = hits_.data() + (filter ? hits_.size() : 0);
  while (pos < n) {
    const char* nl = static_cast<const char*>(std::memchr(p + pos, '\n', n - pos));
    size_t end = nl ? static_cast<size_t>(nl - p) : n;
    if (filter) {
      const PrefilterHit* from = hit;
      while (hit != hits_end && hit->end <= end) ++hit;
      std::string_view t = trim(std::string_view(p + pos, end - pos));
      // Only a line that reads as one JSON object is passed over: a banner or a line cut short
      // is still parsed and reported.
      if (!t.empty() && !first_record && t.front() == '{' && t.back() == '}' &&
          !must_parse(*prefilter_, from, hit)) {
        ++r.unparsed_lines;
        pos = end + 1;
        ++line;
        continue;
      }
      if (!t.empty()) first_record = false;
    }
    if (put_aside)
      aside_.push_back({p + pos, end - pos, line});
    else
      parse_line(chunk, p + pos, end - pos, line, r);
    pos = end + 1;
    ++line;
  }
  return line;
}

bool ChunkParser::pass_over_document(std::string_view text) {
  if (!prefilter_) return false;
  std::string_view t = trim(text);
  if (t.empty() ||
      !((t.front() == '{' && t.back() == '}') || (t.front() == '[' && t.back() == ']')))
    return false;
  prefilter_->find(text, *scratch_, hits_);
  return !must_parse(*prefilter_, hits_.data(), hits_.data() + hits_.size());
}

// A whole small file: first as a stream of documents (one pretty-printed document, JSON lines
// or concatenated objects). Returns false when that fails, so the caller reads line by line.
bool ChunkParser::parse_documents(const Chunk& chunk, std::string_view text, const char* raw,
                                  bool rewritten, ChunkResult& r) {
  simdjson::dom::document_stream stream;
  size_t batch = std::max<size_t>(text.size(), 1 << 16);
  if (many_parser_.parse_many(text.data(), text.size(), batch).get(stream)) return false;
  // Validate first, so a file that fails halfway is not half-emitted and then re-read.
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    simdjson::dom::element d;
    if ((*it).get(d)) return false;
  }
  if (stream.truncated_bytes() != 0) return false;
  // A document_stream is single-pass: emit from a fresh one.
  if (many_parser_.parse_many(text.data(), text.size(), batch).get(stream)) return false;
  uint64_t line = chunk.first_line;
  size_t counted_to = 0;
  uint64_t record = 0;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    size_t at = it.current_index();
    uint64_t lines = count_lines(raw + counted_to, at - counted_to);
    line += lines;
    if (lines) record = 0;  // documents sharing a line share its record numbering
    counted_to = at;
    std::string_view source = it.source();
    unwrap(chunk, std::string_view(raw + (source.data() - text.data()), source.size()), *it, line,
           record, r, rewritten);
  }
  return true;
}

void ChunkParser::parse(Chunk& chunk, ChunkResult& r) {
  std::string_view text = chunk.text();
  r.bytes = text.size();
  if (chunk.chain) {
    parse_chained_lines(chunk, text, r);
  } else if (chunk.mode == ChunkMode::Lines) {
    parse_lines(chunk, text, chunk.first_line, r, true);
  } else if (pass_over_document(text)) {
    ++r.unparsed_files;
  } else if (!parse_documents(chunk, text, text.data(), false, r) &&
             !(widened_copy(text) &&
               parse_documents(chunk, std::string_view(wide_.data(), text.size()), text.data(),
                               true, r))) {
    // Not a clean stream of documents. If some line holds a whole JSON object or array, the file
    // is line-oriented with bad lines; otherwise it is one document that is broken.
    bool line_oriented = false;
    size_t pos = 0;
    while (pos < text.size() && !line_oriented) {
      const char* nl =
          static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
      size_t end = nl ? static_cast<size_t>(nl - text.data()) : text.size();
      std::string_view l = trim(text.substr(pos, end - pos));
      simdjson::dom::element d;
      bool rewritten = false;
      if (!l.empty() && (l.front() == '{' || l.front() == '[') && !parse_one(l, d, rewritten))
        line_oriented = true;
      pos = end + 1;
    }
    if (line_oriented) {
      parse_lines(chunk, text, chunk.first_line, r);
    } else {
      simdjson::dom::element d;
      auto err = parser_.parse(text.data(), text.size(), false).get(d);
      size_t lead = text.find_first_not_of(" \t\r\n");
      uint64_t line =
          chunk.first_line + count_lines(text.data(), lead == std::string_view::npos ? 0 : lead);
      std::string detail = std::string("the file is not valid JSON as a whole nor line by line (") +
                           simdjson::error_message(err) + ")";
      if (size_t open = open_brackets(text); open > 0)
        detail += fmt::format(
            "; it ends at line {} with {} bracket{} still open: cut short, or a bracket is "
            "missing",
            chunk.first_line + count_lines(text.data(), text.size()) -
                (!text.empty() && text.back() == '\n' ? 1 : 0),
            open, open == 1 ? "" : "s");
      skip(r, Skip{std::string(chunk.file), line, 0, "invalid JSON", std::move(detail)});
    }
  }
  // Past its end, the chunk's padding was read too.
  if (chunk.map && chunk.map->claim_damage(chunk.offset, text.size() + simdjson::SIMDJSON_PADDING))
    skip(r, file_changed(chunk.file, chunk.first_line));
  for (auto& s : chunk.trailing_skips) skip(r, std::move(s));
  chunk.trailing_skips.clear();
}

Skip file_changed(std::string_view file, uint64_t line) {
  return Skip{std::string(file), line, 0, "read error",
              "the file became shorter while it was read; records before this point were read"};
}

}  // namespace eksir::sources::detail
