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
  static constexpr uint32_t kMark = 65;  // the caller's marks: kMark + their index

  // Null when the clauses require nothing (or no literal could be compiled). portable: memmem
  // even where Hyperscan is built in (tests compare the two).
  // marks: text that meets every clause of one of them is parsed whatever the clauses say
  // (ScanOptions::prefilter_guards). Null too when they cannot all be searched (more than 64
  // literals, an empty one or an empty clause): never a record passed over that a mark names.
  static std::unique_ptr<Prefilter> make(const util::LiteralClauses& clauses,
                                         const std::vector<util::LiteralClauses>& marks = {},
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
  bool satisfied(uint64_t found) const { return meets(clauses_, found); }
  // True when the caller's marks found (a set of kMark + index ids) meet one of its alternatives.
  bool marked(uint64_t found) const {
    for (const auto& alt : marks_)
      if (meets(alt, found)) return true;
    return false;
  }

 protected:
  static bool meets(const std::vector<uint64_t>& clauses, uint64_t found) {
    for (uint64_t c : clauses)
      if (!(found & c)) return false;
    return true;
  }
  std::vector<uint64_t> clauses_;             // each a set of literal indexes
  std::vector<std::vector<uint64_t>> marks_;  // the caller's: alternatives of clauses
};

// What the prefilter decides for one unit of text (a line, or a whole small file) given the hits
// inside it: true when it must be parsed.
inline bool must_parse(const Prefilter& p, const PrefilterHit* begin, const PrefilterHit* end) {
  uint64_t found = 0, marks = 0;
  for (const PrefilterHit* h = begin; h != end; ++h) {
    if (h->id == Prefilter::kGuard) return true;
    if (h->id >= Prefilter::kMark)
      marks |= uint64_t{1} << (h->id - Prefilter::kMark);
    else
      found |= uint64_t{1} << h->id;
  }
  return (marks && p.marked(marks)) || p.satisfied(found);
}

}  // namespace eksir::sources::detail
