// Local evaluator: a query tree compiled against FieldRefs once, then matched against events
// without allocating (see query.h for the semantics).

#include <re2/re2.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <memory>

#include "query/query.h"
#include "util/cidr.h"
#include "util/time_math.h"

namespace eksir::query {

using simdjson::dom::element;

namespace {

char fold(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool parse_int(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  char c = s[0];
  if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  if (c == '-' &&
      (s.size() == 1 || !(std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.')))
    return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// ---- calendar helpers for date math ---------------------------------------------------------

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

constexpr int64_t kSec = 1000000000;
constexpr int64_t kDay = 86400 * kSec;
// Date math saturates at the instants a TimeNs holds (kNoTime, INT64_MIN, is not one of them):
// `now-999999999d` is "since the earliest time", never a wrapped-around future.
constexpr TimeNs kLatest = INT64_MAX, kEarliest = INT64_MIN + 1;

// count units of unit_ns (> 0) since the epoch, saturated.
TimeNs units(int64_t count, int64_t unit_ns) {
  int64_t t = 0;
  if (__builtin_mul_overflow(count, unit_ns, &t)) return count < 0 ? kEarliest : kLatest;
  return t == kNoTime ? kEarliest : t;
}

// `days` days since the epoch and `within` (>= 0) nanoseconds into that day, saturated.
TimeNs from_days(int64_t days, int64_t within) {
  int64_t t = 0;
  if (__builtin_mul_overflow(days, kDay, &t) || __builtin_add_overflow(t, within, &t))
    return days < 0 ? kEarliest : kLatest;
  return t == kNoTime ? kEarliest : t;
}

// t moved by n units of unit_ns (> 0), saturated.
TimeNs shift(TimeNs t, int64_t n, int64_t unit_ns) {
  int64_t d = 0;
  if (__builtin_mul_overflow(n, unit_ns, &d)) return n < 0 ? kEarliest : kLatest;
  return util::add_ns(t, d);
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

TimeNs add_months(TimeNs t, int64_t months) {
  int64_t days = floor_div(t, kDay);
  int64_t within = t % kDay;  // t - days * kDay, which overflows near the earliest time
  if (within < 0) within += kDay;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  int64_t total = y * 12 + (m - 1) + months;
  y = floor_div(total, 12);
  m = static_cast<unsigned>(total - y * 12) + 1;
  static constexpr unsigned kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned len = kLen[m - 1];
  if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) len = 29;
  if (d > len) d = len;
  return from_days(days_from_civil(y, m, d), within);
}

TimeNs round_down(TimeNs t, char unit) {
  int64_t days = floor_div(t, kDay);
  switch (unit) {
    case 's':
      return units(floor_div(t, kSec), kSec);
    case 'm':
      return units(floor_div(t, 60 * kSec), 60 * kSec);
    case 'h':
    case 'H':
      return units(floor_div(t, 3600 * kSec), 3600 * kSec);
    case 'd':
      return units(days, kDay);
    case 'w': {
      int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday; Monday = 0
      return units(days - weekday, kDay);
    }
    case 'M':
    case 'y': {
      int64_t y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      return units(days_from_civil(y, unit == 'y' ? 1 : m, 1), kDay);
    }
  }
  return t;
}

}  // namespace

TimeNs parse_date_math(std::string_view text, TimeNs now) {
  if (now == kNoTime || text.size() < 3 || fold(text[0]) != 'n' || fold(text[1]) != 'o' ||
      fold(text[2]) != 'w')
    return kNoTime;
  TimeNs t = now;
  size_t p = 3;
  while (p < text.size()) {
    char c = text[p];
    if (c == '+' || c == '-') {
      ++p;
      int64_t n = 0;
      size_t digits = 0;
      while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p])) && digits < 9) {
        n = n * 10 + (text[p] - '0');
        ++p;
        ++digits;
      }
      if (digits == 0) n = 1;
      if (p >= text.size()) return kNoTime;
      char unit = text[p++];
      if (c == '-') n = -n;
      switch (unit) {
        case 's':
          t = shift(t, n, kSec);
          break;
        case 'm':
          t = shift(t, n, 60 * kSec);
          break;
        case 'h':
        case 'H':
          t = shift(t, n, 3600 * kSec);
          break;
        case 'd':
          t = shift(t, n, kDay);
          break;
        case 'w':
          t = shift(t, n, 7 * kDay);
          break;
        case 'M':
          t = add_months(t, n);
          break;
        case 'y':
          t = add_months(t, n * 12);
          break;
        default:
          return kNoTime;
      }
    } else if (c == '/') {
      if (p + 1 >= text.size()) return kNoTime;
      char unit = text[p + 1];
      if (std::string_view("smhHdwMy").find(unit) == std::string_view::npos) return kNoTime;
      t = round_down(t, unit);
      p += 2;
    } else {
      return kNoTime;
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------

namespace {

// A value of the query, prepared for matching.
struct Matcher {
  std::string text;
  bool wildcard = false;
  std::vector<std::string> segs;  // wildcard: literal runs ("a*b*" → "a", "b", "")
  bool all_wild = false;          // only wildcards
  bool is_int = false;
  int64_t ival = 0;
  bool is_num = false;
  double num = 0;
  bool is_bool = false;
  bool bval = false;
  TimeNs time = kNoTime;  // value as an instant (timestamps, date math)
  std::string lower;      // free text: lower-cased text
  std::vector<std::string> lower_segs;
  bool icase = false;                     // Pattern::icase
  std::shared_ptr<const re2::RE2> regex;  // Pattern::regex (null when it does not compile)
  bool is_regex = false;
  std::shared_ptr<const FieldRef> ref;  // Pattern::fieldref: the other field
  bool objects = false;                 // Pattern::objects
  bool is_cidr = false;                 // Pattern::cidr
  std::optional<util::Cidr> cidr;       // none: a bad range, which matches nothing
};

struct CNode {
  NodeKind kind = NodeKind::All;
  RangeOp op = RangeOp::Lt;
  bool relative = false;    // field is a native path relative to the nested scope
  bool time_field = false;  // the field holds timestamps
  uint32_t field = 0;       // index into refs (or paths when relative)
  uint32_t matcher = 0;
  uint32_t matchers_count = 1;  // Match: matchers[matcher, matcher + matchers_count), any may match
  uint32_t first = 0;           // children: kids[first, first + count)
  uint32_t count = 0;
};

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k)
    if (fold(a[k]) != b[k]) return false;
  return true;
}

// Case-insensitive search of a lower-cased needle.
bool contains_fold(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  const char first = needle[0];
  const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(first)));
  const size_t last = hay.size() - needle.size();
  for (size_t k = 0; k <= last; ++k) {
    if (hay[k] != first && hay[k] != upper) continue;
    if (equal_fold(hay.substr(k, needle.size()), needle)) return true;
  }
  return false;
}

size_t find_seg(std::string_view hay, std::string_view seg, size_t from, bool icase) {
  if (!icase) return hay.find(seg, from);
  if (seg.empty()) return from;
  for (size_t k = from; k + seg.size() <= hay.size(); ++k)
    if (equal_fold(hay.substr(k, seg.size()), seg)) return k;
  return std::string_view::npos;
}

bool starts_with(std::string_view s, std::string_view p, bool icase) {
  if (s.size() < p.size()) return false;
  return icase ? equal_fold(s.substr(0, p.size()), p) : s.compare(0, p.size(), p) == 0;
}

bool ends_with(std::string_view s, std::string_view p, bool icase) {
  if (s.size() < p.size()) return false;
  return icase ? equal_fold(s.substr(s.size() - p.size()), p)
               : s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// segs has n+1 runs for n wildcards; icase: segs are lower-cased.
bool wild_match(const std::vector<std::string>& segs, std::string_view s, bool icase) {
  const std::string& head = segs.front();
  const std::string& tail = segs.back();
  if (s.size() < head.size() + tail.size()) return false;
  if (!starts_with(s, head, icase) || !ends_with(s, tail, icase)) return false;
  size_t pos = head.size();
  const size_t end = s.size() - tail.size();
  std::string_view mid = s.substr(0, end);
  for (size_t k = 1; k + 1 < segs.size(); ++k) {
    size_t at = find_seg(mid, segs[k], pos, icase);
    if (at == std::string_view::npos) return false;
    pos = at + segs[k].size();
  }
  return pos <= end;
}

// The JSON text of a number or boolean, for wildcard patterns.
std::string_view scalar_text(const FieldValue& v, char* buf, size_t size) {
  std::to_chars_result r{};
  switch (v.type) {
    case FieldValue::Type::Int:
      r = std::to_chars(buf, buf + size, v.i);
      break;
    case FieldValue::Type::Uint:
      r = std::to_chars(buf, buf + size, v.u);
      break;
    case FieldValue::Type::Double:
      r = std::to_chars(buf, buf + size, v.d);
      break;
    case FieldValue::Type::Bool:
      return v.b ? "true" : "false";
    default:
      return {};
  }
  if (r.ec != std::errc()) return {};
  return std::string_view(buf, static_cast<size_t>(r.ptr - buf));
}

bool numbers_equal(const Matcher& m, const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::Int:
      if (m.is_int) return v.i == m.ival;
      return m.is_num && v.d == m.num;
    case FieldValue::Type::Uint:
      if (m.is_int) return m.ival >= 0 && v.u == static_cast<uint64_t>(m.ival);
      return m.is_num && v.d == m.num;
    case FieldValue::Type::Double:
      return m.is_num && v.d == m.num;
    default:
      return false;
  }
}

bool match_value(const Matcher& m, bool time_field, const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::String:
      if (m.is_cidr) return m.cidr && util::cidr_contains(*m.cidr, v.str);
      if (m.is_regex) return m.regex && re2::RE2::PartialMatch(v.str, *m.regex);
      if (m.icase) {
        if (m.wildcard) return wild_match(m.lower_segs, v.str, true);
        if (equal_fold(v.str, m.lower)) return true;
      }
      if (m.wildcard) return wild_match(m.segs, v.str, false);
      if (v.str == m.text) return true;
      if (time_field && m.time != kNoTime) {
        TimeNs t = parse_time(v.str);
        return t != kNoTime && t == m.time;
      }
      return false;
    case FieldValue::Type::Int:
    case FieldValue::Type::Uint:
    case FieldValue::Type::Double:
    case FieldValue::Type::Bool: {
      if (m.is_cidr) return false;
      if (m.is_regex) {
        char buf[40];
        std::string_view t = scalar_text(v, buf, sizeof buf);
        return m.regex && re2::RE2::PartialMatch(t, *m.regex);
      }
      if (m.wildcard) {
        char buf[40];
        return wild_match(m.segs, scalar_text(v, buf, sizeof buf), false);
      }
      if (v.type == FieldValue::Type::Bool) return m.is_bool && v.b == m.bval;
      return numbers_equal(m, v);
    }
    case FieldValue::Type::Object: {
      if (!m.objects || !m.wildcard || !v.in_document) return false;
      std::string text = simdjson::minify(v.elem);
      return m.icase ? wild_match(m.lower_segs, text, true) : wild_match(m.segs, text, false);
    }
    default:
      return false;
  }
}

template <class T>
bool compare(const T& a, RangeOp op, const T& b) {
  switch (op) {
    case RangeOp::Lt:
      return a < b;
    case RangeOp::Le:
      return a <= b;
    case RangeOp::Gt:
      return a > b;
    case RangeOp::Ge:
      return a >= b;
  }
  return false;
}

bool range_value(const Matcher& m, RangeOp op, bool time_field, const FieldValue& v) {
  const bool numeric = m.is_num && !(time_field && m.time != kNoTime);
  switch (v.type) {
    case FieldValue::Type::Int:
      if (!numeric) return false;
      if (m.is_int) return compare(v.i, op, m.ival);
      return compare(v.d, op, m.num);
    case FieldValue::Type::Uint:
    case FieldValue::Type::Double:
      return numeric && compare(v.d, op, m.num);
    case FieldValue::Type::String: {
      if (numeric) {
        double d;
        if (parse_number(v.str, d)) return compare(d, op, m.num);
      } else if (m.time != kNoTime) {
        TimeNs t = parse_time(v.str);
        if (t != kNoTime) return compare(t, op, m.time);
      }
      return compare(v.str, op, std::string_view(m.text));
    }
    default:
      return false;
  }
}

bool free_text_value(const Matcher& m, const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::String:
      if (m.wildcard) return wild_match(m.lower_segs, v.str, true);
      return contains_fold(v.str, m.lower);
    case FieldValue::Type::Int:
    case FieldValue::Type::Uint:
    case FieldValue::Type::Double:
      return !m.wildcard && numbers_equal(m, v);
    default:
      return false;
  }
}

Matcher make_matcher(const Pattern& p, TimeNs now) {
  Matcher m;
  m.text = p.text;
  m.icase = p.icase;
  m.objects = p.objects;
  if (p.cidr) {
    m.is_cidr = true;
    m.cidr = util::parse_cidr(p.text);
    return m;
  }
  if (p.fieldref) {
    m.ref = std::make_shared<const FieldRef>(p.text);
    return m;
  }
  if (p.regex) {
    m.is_regex = true;
    // RE2: linear time whatever the pattern, so a rule cannot stall a scan on a crafted value.
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_case_sensitive(!p.icase);
    opts.set_dot_nl(true);
    auto re = std::make_shared<const re2::RE2>(p.text, opts);
    if (re->ok()) m.regex = std::move(re);
    return m;
  }
  m.wildcard = p.has_wildcards();
  if (m.wildcard) {
    m.segs = p.segments();
    m.all_wild =
        std::all_of(m.segs.begin(), m.segs.end(), [](const std::string& s) { return s.empty(); });
  }
  if (!m.wildcard) {
    m.is_int = parse_int(p.text, m.ival);
    m.is_num = parse_number(p.text, m.num);
    if (p.text == "true" || p.text == "false") {
      m.is_bool = true;
      m.bval = p.text == "true";
    }
    m.time = parse_date_math(p.text, now);
    if (m.time == kNoTime && !m.is_num) m.time = parse_time(p.text);
  }
  m.lower.reserve(p.text.size());
  for (char c : p.text) m.lower.push_back(fold(c));
  for (const std::string& s : m.segs) {
    std::string l;
    for (char c : s) l.push_back(fold(c));
    m.lower_segs.push_back(std::move(l));
  }
  return m;
}

// Printable ASCII that no JSON encoder escapes.
bool literal_safe(char c) {
  if (c < 0x20 || c > 0x7e) return false;
  switch (c) {
    case '"':
    case '\\':
    case '/':
    case '<':
    case '>':
    case '&':
    case '\'':
      return false;
    default:
      return true;
  }
}

void longest_safe_run(std::string_view s, std::string& best) {
  size_t start = 0;
  for (size_t k = 0; k <= s.size(); ++k) {
    if (k < s.size() && literal_safe(s[k])) continue;
    if (k - start > best.size()) best = std::string(s.substr(start, k - start));
    start = k + 1;
  }
}

}  // namespace

struct CompiledQuery::Impl {
  Node root;
  std::vector<CNode> nodes;  // nodes[0] is the root
  std::vector<uint32_t> kids;
  std::vector<FieldRef> refs;
  std::vector<std::string> paths;
  std::vector<Matcher> matchers;
  std::vector<std::shared_ptr<const Predicate>> predicates;  // Custom: CNode::matcher indexes
  std::vector<std::string> literals;
  std::array<bool, kSourceCount> may{};
  TimeNs now = kNoTime;

  // `field:(a or b or c)`: an Or of Matches on one field is one Match with several matchers, so
  // the field is walked once, not once per value.
  static bool same_field_matches(const Node& n) {
    if (n.kind != NodeKind::Or || n.children.size() < 2) return false;
    for (const Node& c : n.children)
      if (c.kind != NodeKind::Match || c.field != n.children[0].field || c.value.fieldref)
        return false;
    return true;
  }

  uint32_t add(const Node& n, bool relative) {
    uint32_t idx = static_cast<uint32_t>(nodes.size());
    nodes.emplace_back();
    CNode c;
    if (same_field_matches(n)) {
      c.kind = NodeKind::Match;
      c.relative = relative;
      if (relative) {
        c.field = static_cast<uint32_t>(paths.size());
        paths.push_back(n.children[0].field);
      } else {
        c.field = static_cast<uint32_t>(refs.size());
        refs.emplace_back(n.children[0].field);
        c.time_field = refs.back().is_time();
      }
      c.matcher = static_cast<uint32_t>(matchers.size());
      c.matchers_count = static_cast<uint32_t>(n.children.size());
      for (const Node& child : n.children) matchers.push_back(make_matcher(child.value, now));
      nodes[idx] = c;
      return idx;
    }
    c.kind = n.kind;
    c.op = n.op;
    c.relative = relative;
    switch (n.kind) {
      case NodeKind::Match:
      case NodeKind::Exists:
      case NodeKind::Range:
      case NodeKind::Nested:
        if (relative) {
          c.field = static_cast<uint32_t>(paths.size());
          paths.push_back(n.field);
        } else {
          c.field = static_cast<uint32_t>(refs.size());
          refs.emplace_back(n.field);
          c.time_field = refs.back().is_time();
        }
        break;
      default:
        break;
    }
    if (n.kind == NodeKind::Match || n.kind == NodeKind::Range || n.kind == NodeKind::FreeText) {
      c.matcher = static_cast<uint32_t>(matchers.size());
      matchers.push_back(make_matcher(n.value, now));
    }
    if (n.kind == NodeKind::Custom) {
      c.matcher = static_cast<uint32_t>(predicates.size());
      predicates.push_back(n.predicate);
    }
    std::vector<uint32_t> children;
    for (const Node& child : n.children)
      children.push_back(add(child, relative || n.kind == NodeKind::Nested));
    c.first = static_cast<uint32_t>(kids.size());
    c.count = static_cast<uint32_t>(children.size());
    kids.insert(kids.end(), children.begin(), children.end());
    nodes[idx] = c;
    return idx;
  }

  template <class Fn>
  bool values(const CNode& c, const EventView& ev, const element* scope, Fn&& fn) const {
    if (c.relative) return FieldRef::any_in(*scope, paths[c.field], fn);
    return refs[c.field].any(ev, fn);
  }

  // Pattern::fieldref: some value of the field equals (as text) some value of the other.
  bool field_equal(const CNode& c, const EventView& ev, const element* scope) const {
    const Matcher& m = matchers[c.matcher];
    if (!m.ref->applies_to(ev.source)) return false;
    return values(c, ev, scope, [&](const FieldValue& v) {
      char buf[40];
      std::string_view a =
          v.type == FieldValue::Type::String ? v.str : scalar_text(v, buf, sizeof buf);
      if (a.empty() && v.type != FieldValue::Type::String) return false;
      return m.ref->any(ev, [&](const FieldValue& w) {
        char buf2[40];
        std::string_view b =
            w.type == FieldValue::Type::String ? w.str : scalar_text(w, buf2, sizeof buf2);
        if (b.empty() && w.type != FieldValue::Type::String) return false;
        if (!m.icase) return a == b;
        if (a.size() != b.size()) return false;
        for (size_t k = 0; k < a.size(); ++k)
          if (fold(a[k]) != fold(b[k])) return false;
        return true;
      });
    });
  }

  bool eval(uint32_t idx, const EventView& ev, const element* scope) const {
    const CNode& c = nodes[idx];
    switch (c.kind) {
      case NodeKind::All:
        return true;
      case NodeKind::And:
        for (uint32_t k = 0; k < c.count; ++k)
          if (!eval(kids[c.first + k], ev, scope)) return false;
        return true;
      case NodeKind::Or:
        for (uint32_t k = 0; k < c.count; ++k)
          if (eval(kids[c.first + k], ev, scope)) return true;
        return false;
      case NodeKind::Not:
        return !eval(kids[c.first], ev, scope);
      case NodeKind::Match: {
        if (!c.relative && !refs[c.field].applies_to(ev.source)) return false;
        if (c.matchers_count == 1 && matchers[c.matcher].ref) return field_equal(c, ev, scope);
        if (c.matchers_count == 1) {
          const Matcher& m = matchers[c.matcher];
          return values(c, ev, scope,
                        [&](const FieldValue& v) { return match_value(m, c.time_field, v); });
        }
        return values(c, ev, scope, [&](const FieldValue& v) {
          for (uint32_t k = 0; k < c.matchers_count; ++k)
            if (match_value(matchers[c.matcher + k], c.time_field, v)) return true;
          return false;
        });
      }
      case NodeKind::Exists:
        if (!c.relative && !refs[c.field].applies_to(ev.source)) return false;
        return values(c, ev, scope,
                      [](const FieldValue& v) { return v.type != FieldValue::Type::Null; });
      case NodeKind::Range: {
        if (!c.relative && !refs[c.field].applies_to(ev.source)) return false;
        const Matcher& m = matchers[c.matcher];
        return values(c, ev, scope,
                      [&](const FieldValue& v) { return range_value(m, c.op, c.time_field, v); });
      }
      case NodeKind::Nested: {
        if (!c.relative && !refs[c.field].applies_to(ev.source)) return false;
        const uint32_t child = kids[c.first];
        return values(c, ev, scope, [&](const FieldValue& v) {
          if (v.type != FieldValue::Type::Object || !v.in_document) return false;
          element e = v.elem;
          return eval(child, ev, &e);
        });
      }
      case NodeKind::FreeText: {
        const Matcher& m = matchers[c.matcher];
        if (m.all_wild) return true;
        auto fn = [&](const FieldValue& v) { return free_text_value(m, v); };
        ValueSink sink(fn);
        return walk_leaves(scope ? *scope : ev.doc, sink);
      }
      case NodeKind::Custom: {
        const auto& p = predicates[c.matcher];
        return p && p->matches(ev);
      }
    }
    return false;
  }

  bool may_match(uint32_t idx, Source s) const {
    const CNode& c = nodes[idx];
    switch (c.kind) {
      case NodeKind::And:
        for (uint32_t k = 0; k < c.count; ++k)
          if (!may_match(kids[c.first + k], s)) return false;
        return true;
      case NodeKind::Or:
        for (uint32_t k = 0; k < c.count; ++k)
          if (may_match(kids[c.first + k], s)) return true;
        return false;
      case NodeKind::Match:
      case NodeKind::Exists:
      case NodeKind::Range:
      case NodeKind::Nested:
        return c.relative || refs[c.field].applies_to(s);
      case NodeKind::Custom:
        return predicates[c.matcher] && predicates[c.matcher]->applies_to(s);
      default:
        return true;  // All, Not, FreeText
    }
  }

  void collect_literals(uint32_t idx, std::vector<std::string>& out) const {
    const CNode& c = nodes[idx];
    switch (c.kind) {
      case NodeKind::And:
        for (uint32_t k = 0; k < c.count; ++k) collect_literals(kids[c.first + k], out);
        return;
      case NodeKind::Nested:
        collect_literals(kids[c.first], out);
        return;
      case NodeKind::Match: {
        if (c.matchers_count != 1) return;  // one of several values: none is required
        const Matcher& m = matchers[c.matcher];
        if (m.is_num || m.is_bool) return;  // numbers may be written differently; bools too
        if (m.icase || m.is_regex || m.ref || m.is_cidr) return;  // not matched as bytes
        if (c.time_field) return;  // instants match in other spellings
        if (!c.relative) {
          const FieldRef& ref = refs[c.field];
          for (int s = 0; s < kSourceCount; ++s) {
            Source src = static_cast<Source>(s);
            if (ref.applies_to(src) && !ref.verbatim(src)) return;
          }
        }
        // Each literal run of the value must appear; keep the longest safe part of each.
        const std::vector<std::string> whole{m.text};
        for (const std::string& seg : m.wildcard ? m.segs : whole) {
          std::string best;
          longest_safe_run(seg, best);
          if (best.size() >= 3) out.push_back(std::move(best));
        }
        return;
      }
      default:
        return;  // Or, Not, Exists, Range, FreeText, All: nothing every match must contain
    }
  }
};

CompiledQuery::CompiledQuery() : impl_(compile(Node{}).impl_) {}

bool CompiledQuery::matches(const EventView& ev) const {
  return impl_->eval(0, ev, nullptr);
}

bool CompiledQuery::may_match(Source s) const {
  return impl_->may[static_cast<size_t>(s)];
}

const std::vector<std::string>& CompiledQuery::required_literals() const {
  return impl_->literals;
}

const Node& CompiledQuery::root() const {
  return impl_->root;
}

CompiledQuery compile(const Node& root, const CompileOptions& options) {
  auto impl = std::make_shared<CompiledQuery::Impl>();
  impl->root = root;
  impl->now = options.now != kNoTime ? options.now : util::now_ns();
  impl->add(root, false);
  for (int s = 0; s < kSourceCount; ++s) impl->may[s] = impl->may_match(0, static_cast<Source>(s));
  std::vector<std::string> lits;
  impl->collect_literals(0, lits);
  // Longest first; drop repeats and literals contained in a longer one.
  std::sort(lits.begin(), lits.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  for (const std::string& l : lits) {
    bool redundant = false;
    for (const std::string& kept : impl->literals)
      if (kept.find(l) != std::string::npos) redundant = true;
    if (!redundant) impl->literals.push_back(l);
  }
  return CompiledQuery(std::move(impl));
}

}  // namespace eksir::query

namespace eksir::query {

std::string regex_error(const std::string& pattern, bool icase) {
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(!icase);
  re2::RE2 re(pattern, opts);
  return re.ok() ? std::string() : re.error();
}

}  // namespace eksir::query
