// Private to sources/: the literal prefilter. Before a chunk is parsed, its text is searched once
// for the query's literals (ScanOptions::prefilter) and for the marks of text it must never pass
// over; a line (or a whole small file) is then parsed only when it may hold a match.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "util/literals.h"

namespace eksir::sources::detail {

struct PrefilterHit {
  uint64_t end = 0;  // offset just past the hit
  uint32_t id = 0;   // a literal's index, or kGuard
};

class Prefilter {
 public:
  static constexpr uint32_t kGuard = 64;

  // Null when the clauses require nothing (or no literal could be compiled). portable: memmem
  // even where Hyperscan is built in (tests compare the two).
  static std::unique_ptr<Prefilter> make(const util::LiteralClauses& clauses,
                                         bool portable = false);
  virtual ~Prefilter() = default;

  // Per worker: what a search needs besides the compiled literals.
  class Scratch {
   public:
    virtual ~Scratch() = default;
  };
  virtual std::unique_ptr<Scratch> scratch() const = 0;

  // Every hit in text, by increasing end. A guard hit marks text that may be a record the
  // literals do not speak for: a "\u" escape (which could spell a literal's characters) or a key
  // of a vulnerability report or a Security Hub finding (whose events are rebuilt from several
  // values, not the raw text).
  virtual void find(std::string_view text, Scratch& scratch,
                    std::vector<PrefilterHit>& hits) const = 0;

  // True when the literals found (a set of literal indexes) meet every clause.
  bool satisfied(uint64_t found) const {
    for (uint64_t c : clauses_)
      if (!(found & c)) return false;
    return true;
  }

 protected:
  std::vector<uint64_t> clauses_;  // each a set of literal indexes
};

// What the prefilter decides for one unit of text (a line, or a whole small file) given the hits
// inside it: true when it must be parsed.
inline bool must_parse(const Prefilter& p, const PrefilterHit* begin, const PrefilterHit* end) {
  uint64_t found = 0;
  for (const PrefilterHit* h = begin; h != end; ++h) {
    if (h->id == Prefilter::kGuard) return true;
    found |= uint64_t{1} << h->id;
  }
  return p.satisfied(found);
}

}  // namespace eksir::sources::detail
