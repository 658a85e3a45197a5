#include "sources/prefilter.h"

#include <algorithm>
#include <cstring>
#include <string>

#ifdef EKSIR_HAVE_HYPERSCAN
#include <hs/hs.h>
#endif

namespace eksir::sources::detail {

namespace {

struct Pattern {
  std::string text;
  bool icase = false;
  uint32_t id = 0;
};

// Text the literals cannot speak for. A "\u" escape may spell any character of a literal
// (JSON lets an encoder write "a" as \u0061, at any depth of embedding); the other escapes
// spell only characters no literal holds. Vulnerability reports and Security Hub (ASFF) findings
// (the keys their shapes are known by, first letter in either case) become events rebuilt from
// several values (an ASFF AwsEksCluster is a GuardDuty EKSCluster).
std::vector<Pattern> guards() {
  std::vector<Pattern> g{{"\\u", false, Prefilter::kGuard}};
  for (const char* key :
       {"findingArn", "imageScanFindings", "artifactName", "matches", "productArn"})
    g.push_back({key, true, Prefilter::kGuard});
  return g;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The portable search: memmem for each pattern, over a lower-cased copy for those ignoring case.
class MemmemPrefilter final : public Prefilter {
 public:
  MemmemPrefilter(std::vector<Pattern> patterns, std::vector<uint64_t> clauses)
      : patterns_(std::move(patterns)) {
    clauses_ = std::move(clauses);
    for (Pattern& p : patterns_)
      if (p.icase)
        for (char& c : p.text) c = lower(c);
  }
  struct Buffers : Scratch {
    std::string lowered;
  };
  std::unique_ptr<Scratch> scratch() const override { return std::make_unique<Buffers>(); }

  void find(std::string_view text, Scratch& scratch,
            std::vector<PrefilterHit>& hits) const override {
    auto& lowered = static_cast<Buffers&>(scratch).lowered;
    bool folded = false;
    hits.clear();
    for (const Pattern& p : patterns_) {
      std::string_view hay = text;
      if (p.icase) {
        if (!folded) {
          lowered.resize(text.size());
          std::transform(text.begin(), text.end(), lowered.begin(), lower);
          folded = true;
        }
        hay = lowered;
      }
      const char* at = hay.data();
      const char* end = hay.data() + hay.size();
      while (const void* f =
                 memmem(at, static_cast<size_t>(end - at), p.text.data(), p.text.size())) {
        const char* found = static_cast<const char*>(f);
        hits.push_back({static_cast<uint64_t>(found - hay.data()) + p.text.size(), p.id});
        at = found + 1;
      }
    }
    std::sort(hits.begin(), hits.end(),
              [](const PrefilterHit& a, const PrefilterHit& b) { return a.end < b.end; });
  }

 private:
  std::vector<Pattern> patterns_;
};

#ifdef EKSIR_HAVE_HYPERSCAN
// Hyperscan's literal API: every pattern found in one pass over the text.
class HyperscanPrefilter final : public Prefilter {
 public:
  static std::unique_ptr<Prefilter> make(const std::vector<Pattern>& patterns,
                                         std::vector<uint64_t> clauses) {
    std::vector<const char*> texts;
    std::vector<size_t> lens;
    std::vector<unsigned> flags, ids;
    for (const Pattern& p : patterns) {
      texts.push_back(p.text.data());
      lens.push_back(p.text.size());
      flags.push_back(p.icase ? HS_FLAG_CASELESS : 0);
      ids.push_back(p.id);
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(texts.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(texts.size()), HS_MODE_BLOCK, nullptr, &db,
                             &error) != HS_SUCCESS) {
      hs_free_compile_error(error);
      return nullptr;
    }
    hs_scratch_t* proto = nullptr;
    if (hs_alloc_scratch(db, &proto) != HS_SUCCESS) {
      hs_free_database(db);
      return nullptr;
    }
    auto p = std::unique_ptr<HyperscanPrefilter>(new HyperscanPrefilter(db, proto));
    p->clauses_ = std::move(clauses);
    return p;
  }
  ~HyperscanPrefilter() override {
    hs_free_scratch(proto_);
    hs_free_database(db_);
  }

  struct HsScratch : Scratch {
    hs_scratch_t* s = nullptr;
    ~HsScratch() override { hs_free_scratch(s); }
  };
  std::unique_ptr<Scratch> scratch() const override {
    auto s = std::make_unique<HsScratch>();
    if (hs_clone_scratch(proto_, &s->s) != HS_SUCCESS) s->s = nullptr;
    return s;
  }

  void find(std::string_view text, Scratch& scratch,
            std::vector<PrefilterHit>& hits) const override {
    hits.clear();
    hs_scratch_t* s = static_cast<HsScratch&>(scratch).s;
    // A block larger than Hyperscan takes, or no scratch: every unit is a guard hit, so parsed.
    if (!s || text.size() > UINT32_MAX) {
      hits.push_back({text.size(), kGuard});
      return;
    }
    auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                       void* ctx) -> int {
      static_cast<std::vector<PrefilterHit>*>(ctx)->push_back({to, id});
      return 0;
    };
    if (hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, s, on_match, &hits) !=
        HS_SUCCESS) {
      hits.clear();
      hits.push_back({text.size(), kGuard});
    }
  }

 private:
  HyperscanPrefilter(hs_database_t* db, hs_scratch_t* proto) : db_(db), proto_(proto) {}
  hs_database_t* db_;
  hs_scratch_t* proto_;
};
#endif

}  // namespace

std::unique_ptr<Prefilter> Prefilter::make(const util::LiteralClauses& clauses,
                                           const std::vector<util::LiteralClauses>& marks,
                                           bool portable) {
  std::vector<Pattern> patterns;
  std::vector<uint64_t> sets;
  for (const auto& clause : clauses) {
    uint64_t set = 0;
    for (const util::Literal& l : clause) {
      if (l.text.empty() || patterns.size() >= kGuard) {
        set = 0;  // a clause that cannot be searched in full requires nothing
        break;
      }
      set |= uint64_t{1} << patterns.size();
      patterns.push_back({l.text, l.icase, static_cast<uint32_t>(patterns.size())});
    }
    if (set) sets.push_back(set);
  }
  if (sets.empty()) return nullptr;
  for (Pattern& g : guards()) patterns.push_back(std::move(g));
  std::vector<std::vector<uint64_t>> mark_sets;
  uint32_t mark_literals = 0;
  for (const util::LiteralClauses& alt : marks) {
    std::vector<uint64_t> alt_sets;
    for (const auto& clause : alt) {
      uint64_t set = 0;
      for (const util::Literal& l : clause) {
        // A mark that cannot be searched would pass its records over: no prefilter at all.
        if (l.text.empty() || mark_literals >= 64) return nullptr;
        set |= uint64_t{1} << mark_literals;
        patterns.push_back({l.text, l.icase, kMark + mark_literals++});
      }
      if (!set) return nullptr;  // an empty clause: nothing could ever meet it
      alt_sets.push_back(set);
    }
    if (alt.empty()) return nullptr;  // marks every text: every record is parsed anyway
    mark_sets.push_back(std::move(alt_sets));
  }
#ifdef EKSIR_HAVE_HYPERSCAN
  std::unique_ptr<Prefilter> p;
  if (!portable) p = HyperscanPrefilter::make(patterns, sets);
#else
  (void)portable;
#endif
  if (!p) p = std::make_unique<MemmemPrefilter>(std::move(patterns), std::move(sets));
  p->marks_ = std::move(mark_sets);
  return p;
}

}  // namespace eksir::sources::detail
