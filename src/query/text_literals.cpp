// text_literals(): the literals the raw text of every record a query can match must contain, for
// the readers' prefilter (query.h). Each step only ever weakens what it derives: a node that
// cannot promise a literal gives "nothing required".
#include <algorithm>
#include <cctype>
#include <charconv>

#include "query/query.h"

namespace eksir::query {

namespace {

using util::Literal;
using util::LiteralClauses;

// Shorter literals occur nearly everywhere: they would cost more than they save.
constexpr size_t kMinLiteral = 3;
constexpr size_t kMaxLiterals = 64;  // the prefilter tracks them in a 64-bit set

// Characters that stand for themselves in any JSON text that holds them: printable ASCII that no
// encoder escapes (not '"' or '\\'; not '/', which some write as "\/"; not < > & ', which
// HTML-safe encoders write as \u003c...). The prefilter still parses any text holding a "\u"
// escape, so these are found however deeply a record is embedded in JSON strings.
bool literal_safe(char c) {
  if (c < 0x20 || c > 0x7e) return false;
  return std::string_view("\"\\/<>&'").find(c) == std::string_view::npos;
}

std::string longest_safe_run(std::string_view s) {
  std::string best;
  size_t start = 0;
  for (size_t k = 0; k <= s.size(); ++k) {
    if (k < s.size() && literal_safe(s[k])) continue;
    if (k - start > best.size()) best = std::string(s.substr(start, k - start));
    start = k + 1;
  }
  return best;
}

// A value the evaluator may compare as a number or a boolean (whose JSON text can be spelled
// several ways: 1e3, 1000.0), read loosely so that nothing it accepts is missed.
bool may_be_scalar(std::string_view s) {
  if (s == "true" || s == "false") return true;
  double d;
  const char* b = s.data();
  if (!s.empty() && (s[0] == '+')) ++b;
  auto r = std::from_chars(b, s.data() + s.size(), d);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A wildcard pattern whose literal runs could all be part of a number's text (the evaluator
// renders numbers to match them: 1000 for a JSON 1e3).
bool may_match_number_text(const std::vector<std::string>& segs) {
  for (const std::string& s : segs)
    for (char c : s)
      if (!std::isdigit(static_cast<unsigned char>(c)) &&
          std::string_view(".eE+-infa").find(c) == std::string_view::npos)
        return false;
  return true;
}

// The longest safe run of each literal run of a pattern; one clause each (all are required).
LiteralClauses runs_of(const Pattern& p, bool icase) {
  LiteralClauses out;
  const std::vector<std::string> segs =
      p.has_wildcards() ? p.segments() : std::vector<std::string>{p.text};
  for (const std::string& seg : segs) {
    std::string run = longest_safe_run(seg);
    if (run.size() >= kMinLiteral) out.push_back({Literal{std::move(run), icase}});
  }
  return out;
}

// The field's values are strings of the parsed record on every source it applies to (not
// computed, not constants, not rebuilt from other values).
bool verbatim_field(const std::string& name) {
  FieldRef ref(name);
  for (int s = 0; s < kSourceCount; ++s)
    if (ref.applies_to(static_cast<Source>(s)) && !ref.verbatim(static_cast<Source>(s)))
      return false;
  return true;
}

bool time_field(const std::string& name) {
  return FieldRef(name).is_time();
}

LiteralClauses match_literals(const Node& n, bool relative) {
  const Pattern& p = n.value;
  if (p.regex || p.fieldref || p.cidr || p.objects) return {};
  if (!relative && !verbatim_field(n.field)) return {};
  if (p.has_wildcards()) {
    if (may_match_number_text(p.segments())) return {};
    return runs_of(p, p.icase);
  }
  if (may_be_scalar(p.text)) return {};
  // On a time field a timestamp matches the same instant spelled otherwise; date math too.
  if (!relative && time_field(n.field) &&
      (parse_time(p.text) != kNoTime || parse_date_math(p.text, 0) != kNoTime))
    return {};
  return runs_of(p, p.icase);
}

LiteralClauses free_text_literals(const Pattern& p) {
  // Free text ignores case; without wildcards a number also matches equal numbers.
  if (!p.has_wildcards() && may_be_scalar(p.text)) return {};
  return runs_of(p, true);
}

size_t shortest(const std::vector<Literal>& clause) {
  size_t n = SIZE_MAX;
  for (const Literal& l : clause) n = std::min(n, l.text.size());
  return n;
}

LiteralClauses derive(const Node& n, bool relative);

// a or b: one clause of each side joined (the most selective one: its shortest literal longest);
// a side that requires nothing makes the whole requires nothing.
LiteralClauses any_of(const Node& n, bool relative) {
  std::vector<Literal> joined;
  for (const Node& c : n.children) {
    LiteralClauses side = derive(c, relative);
    if (side.empty()) return {};
    auto best = std::max_element(side.begin(), side.end(), [](const auto& a, const auto& b) {
      return shortest(a) < shortest(b);
    });
    for (Literal& l : *best)
      if (std::find(joined.begin(), joined.end(), l) == joined.end()) joined.push_back(l);
  }
  return {joined};
}

LiteralClauses derive(const Node& n, bool relative) {
  switch (n.kind) {
    case NodeKind::And: {
      LiteralClauses all;
      for (const Node& c : n.children)
        for (auto& clause : derive(c, relative)) all.push_back(std::move(clause));
      return all;
    }
    case NodeKind::Or:
      return any_of(n, relative);
    case NodeKind::Match:
      return match_literals(n, relative);
    case NodeKind::FreeText:
      return free_text_literals(n.value);
    case NodeKind::Nested:
      // Objects of the record: the subquery's fields are native paths inside them.
      return n.children.empty() ? LiteralClauses{} : derive(n.children[0], true);
    default:
      return {};  // All, Not, Exists, Range, Custom: nothing the text must hold
  }
}

}  // namespace

LiteralClauses text_literals(const Node& root) {
  LiteralClauses clauses = derive(root, false);
  // Drop repeated clauses, and stay within what the prefilter tracks (fewer clauses: weaker, so
  // still sound), most selective first.
  std::stable_sort(clauses.begin(), clauses.end(),
                   [](const auto& a, const auto& b) { return shortest(a) > shortest(b); });
  LiteralClauses out;
  size_t literals = 0;
  for (auto& c : clauses) {
    if (std::find(out.begin(), out.end(), c) != out.end()) continue;
    if (literals + c.size() > kMaxLiterals) continue;
    literals += c.size();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace eksir::query
