// EQL parser: recursive descent over the tokens of eql_lex, building query::Node trees.
#include "rules/eql.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "event/fields.h"
#include "rules/eql_lex.h"
#include "rules/rules.h"

namespace eksir::rules::eql {
namespace {

using query::Node;
using query::NodeKind;
using query::Pattern;

constexpr size_t kMaxSteps = 31;  // a step mask of 32 bits, one for `until`

// Parse failure carried up the recursion; the caller turns it into an Error value.
struct Fail {
  Error e;
};

bool keyword(const Token& t, std::string_view word) {
  if (t.kind != Tok::Ident || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  return true;
}

bool reserved(const Token& t) {
  for (auto w : {"and", "or", "not", "where", "by", "with", "until", "in", "like", "regex",
                 "sequence", "sample", "join", "true", "false", "null"})
    if (keyword(t, w)) return true;
  return false;
}

// A string pattern where `*` matches any run and `?` one character, `\` making the next
// character literal (as Elasticsearch's wildcard queries read them).
Pattern wildcard_pattern(const std::string& text, bool icase) {
  Pattern p;
  p.quoted = true;
  p.icase = icase;
  bool single = false;
  std::string plain;
  std::vector<uint32_t> stars;
  std::string re = "^(?:";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      char n = text[++i];
      plain += n;
      re += (std::isalnum(static_cast<unsigned char>(n)) ? "" : "\\") + std::string(1, n);
    } else if (c == '*') {
      stars.push_back(static_cast<uint32_t>(plain.size()));
      plain += '*';
      re += ".*";
    } else if (c == '?') {
      single = true;
      re += '.';
    } else {
      plain += c;
      re += (std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80) ? "" : "\\") +
            std::string(1, c);
    }
  }
  if (single) {
    p.text = re + ")$";
    p.regex = true;
  } else {
    p.text = std::move(plain);
    p.wildcards = std::move(stars);
  }
  return p;
}

Node match(const std::string& field, Pattern p, uint32_t column) {
  Node n;
  n.kind = NodeKind::Match;
  n.field = field;
  n.value = std::move(p);
  n.column = column;
  return n;
}

// stringContains/startsWith/endsWith with a field as the value: true when some string value of
// `field` holds some string value of `other` (compared per value, as Elasticsearch's script does).
class FieldAffix : public query::Predicate {
 public:
  enum Kind : uint8_t { Contains, Starts, Ends };
  FieldAffix(std::string field, std::string other, Kind kind, bool icase)
      : field_(std::move(field)), other_(std::move(other)), kind_(kind), icase_(icase) {}

  bool matches(const EventView& ev) const override {
    bool hit = false;
    other_.any(ev, [&](const FieldValue& o) {
      if (o.type != FieldValue::Type::String) return false;
      field_.any(ev, [&](const FieldValue& v) {
        hit = v.type == FieldValue::Type::String && holds(v.str, o.str);
        return hit;
      });
      return hit;
    });
    return hit;
  }
  bool applies_to(Source s) const override { return field_.applies_to(s) && other_.applies_to(s); }
  std::string text() const override {
    static constexpr std::string_view kNames[] = {"stringContains", "startsWith", "endsWith"};
    return fmt::format("{}{}({}, {})", kNames[kind_], icase_ ? "~" : "", field_.name(),
                       other_.name());
  }

 private:
  bool holds(std::string_view s, std::string_view part) const {
    if (part.size() > s.size()) return false;
    auto eq = [&](std::string_view a, std::string_view b) {
      if (!icase_) return a == b;
      for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
          return false;
      return true;
    };
    if (kind_ == Starts) return eq(s.substr(0, part.size()), part);
    if (kind_ == Ends) return eq(s.substr(s.size() - part.size()), part);
    for (size_t i = 0; i + part.size() <= s.size(); ++i)
      if (eq(s.substr(i, part.size()), part)) return true;
    return false;
  }

  FieldRef field_, other_;
  Kind kind_;
  bool icase_;
};

struct Value {
  enum Kind { Str, Num, Bool, Null } kind = Str;
  std::string text;
  uint32_t line = 1, column = 1;
};

Pattern exact(const Value& v, bool icase) {
  Pattern p;
  p.text = v.text;
  p.quoted = v.kind == Value::Str;
  p.icase = icase && v.kind == Value::Str;
  return p;
}

class Parser {
 public:
  Parser(std::vector<Token> toks, const Options& o) : t_(std::move(toks)), o_(o) {}

  Query run() {
    Query q;
    const Token& first = peek();
    if (keyword(first, "sample") || keyword(first, "join"))
      unsupported(first, fmt::format("EQL `{}` queries are not supported", first.text));
    if (keyword(first, "sequence")) {
      sequence(q);
    } else {
      q.steps.push_back(event_query());
    }
    if (peek().kind == Tok::Op && peek().text == "|") {
      const Token& pipe = peek();
      std::string name = t_[std::min(pos_ + 1, t_.size() - 1)].text;
      unsupported(pipe, fmt::format("EQL pipe `| {}` is not supported", name));
    }
    if (peek().kind != Tok::End) fail(peek(), fmt::format("unexpected {}", describe(peek())));
    return q;
  }

 private:
  const Token& peek(size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  const Token& take() {
    const Token& t = peek();
    if (pos_ + 1 < t_.size()) ++pos_;
    return t;
  }
  bool is_op(std::string_view op, size_t ahead = 0) const {
    return peek(ahead).kind == Tok::Op && peek(ahead).text == op;
  }
  bool accept_op(std::string_view op) {
    if (!is_op(op)) return false;
    take();
    return true;
  }
  bool accept_kw(std::string_view w) {
    if (!keyword(peek(), w)) return false;
    take();
    return true;
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::End:
        return "end of query";
      case Tok::String:
        return fmt::format("string \"{}\"", t.text);
      case Tok::Op:
        return fmt::format("'{}'", t.text);
      default:
        return fmt::format("'{}'", t.text);
    }
  }

  [[noreturn]] void fail(const Token& at, std::string msg) {
    throw Fail{{at.line, at.column, std::move(msg), false}};
  }
  [[noreturn]] void unsupported(const Token& at, std::string msg) {
    throw Fail{{at.line, at.column, std::move(msg), true}};
  }
  void expect_op(std::string_view op, std::string_view what) {
    if (!accept_op(op))
      fail(peek(), fmt::format("expected '{}' {}, found {}", op, what, describe(peek())));
  }
  // `~` directly after the previous token (in~, like~, startsWith~).
  bool tilde() {
    if (!is_op("~") || peek().begin != t_[pos_ - 1].end) return false;
    take();
    return true;
  }

  void sequence(Query& q) {
    const Token& seq = take();
    q.sequence = true;
    for (int round = 0; round < 2; ++round) {
      if (accept_kw("by")) {
        if (!q.by.empty()) fail(peek(), "`by` given twice");
        q.by = fields();
      } else if (keyword(peek(), "with")) {
        take();
        if (!accept_kw("maxspan")) fail(peek(), "expected `maxspan` after `with`");
        expect_op("=", "after maxspan");
        q.maxspan = duration();
      }
    }
    while (is_op("[") || is_op("!")) {
      if (is_op("!")) unsupported(peek(), "EQL missing-event steps `![...]` are not supported");
      Step s = step();
      uint64_t runs = 1;
      if (keyword(peek(), "with")) {
        take();
        if (!accept_kw("runs")) fail(peek(), "expected `runs` after a step's `with`");
        expect_op("=", "after runs");
        const Token& n = take();
        if (n.kind != Tok::Number || n.text.find_first_not_of("0123456789") != std::string::npos ||
            n.text.size() > 3 || std::stoul(n.text) < 1)
          fail(n, "runs needs a whole number >= 1");
        runs = std::stoul(n.text);
      }
      for (uint64_t r = 0; r < runs; ++r) {
        if (q.steps.size() >= kMaxSteps) fail(seq, fmt::format("more than {} steps", kMaxSteps));
        q.steps.push_back(s);
      }
    }
    if (q.steps.size() < 2)
      fail(peek(), fmt::format("a sequence needs two or more [steps], found {}", describe(peek())));
    if (accept_kw("until")) {
      if (!is_op("[")) fail(peek(), "expected '[' after until");
      q.until = step();
      q.has_until = true;
    }
    size_t n = q.steps.front().by.size();
    for (const auto& s : q.steps)
      if (s.by.size() != n) {
        Token at;
        at.line = s.line;
        fail(at, "every step of a sequence needs the same number of `by` fields");
      }
    if (q.has_until && q.until.by.size() != n) {
      Token at;
      at.line = q.until.line;
      fail(at, "`until` needs as many `by` fields as the steps");
    }
    if (q.by.empty() && n == 0)
      unsupported(seq, "a sequence without `by` fields (no join key) is not supported");
  }

  Step step() {
    expect_op("[", "to open a step");
    Step s = event_query();
    expect_op("]", "to close the step");
    if (accept_kw("by")) s.by = fields();
    return s;
  }

  std::vector<std::string> fields() {
    std::vector<std::string> out;
    do {
      const Token& f = take();
      if ((f.kind != Tok::Ident || reserved(f)) && f.kind != Tok::Field)
        fail(f, fmt::format("expected a field name, found {}", describe(f)));
      if (is_op("("))
        unsupported(f, fmt::format("EQL function `{}` in `by` is not supported", f.text));
      out.push_back(f.text);
    } while (accept_op(","));
    return out;
  }

  TimeNs duration() {
    const Token& d = take();
    std::string_view text = d.text;
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    std::string_view unit = text.substr(digits);
    if (d.kind != Tok::Number || digits == 0 || digits > 9)
      fail(d, "maxspan needs a duration such as 15m");
    int64_t n = std::stoll(std::string(text.substr(0, digits)));
    int64_t scale = unit == "ms"  ? 1'000'000
                    : unit == "s" ? 1'000'000'000
                    : unit == "m" ? 60'000'000'000
                    : unit == "h" ? 3'600'000'000'000
                    : unit == "d" ? 86'400'000'000'000
                                  : 0;
    if (!scale) fail(d, fmt::format("bad maxspan unit '{}' (ms, s, m, h, d)", unit));
    if (n > INT64_MAX / scale) fail(d, "maxspan too long");
    if (n == 0) fail(d, "maxspan must be longer than 0");
    return n * scale;
  }

  Step event_query() {
    Step s;
    const Token& cat = take();
    s.line = cat.line;
    if (cat.kind == Tok::String || (cat.kind == Tok::Ident && !reserved(cat)))
      s.category = cat.text;
    else
      fail(cat, fmt::format("expected an event category (or `any`), found {}", describe(cat)));
    if (!accept_kw("where"))
      fail(peek(), fmt::format("expected `where` after the category, found {}", describe(peek())));
    Node cond = expr(0);
    if (cat.kind == Tok::Ident && keyword(cat, "any")) {
      s.category = "any";
      s.match = std::move(cond);
    } else {
      Pattern p;
      p.text = s.category;
      p.quoted = true;
      s.match = query::combine(
          NodeKind::And, {match(o_.category_field, std::move(p), cat.column), std::move(cond)});
    }
    return s;
  }

  Node expr(size_t depth) {
    if (depth > o_.max_depth) fail(peek(), "expression nested too deeply");
    std::vector<Node> ors{and_expr(depth)};
    while (accept_kw("or")) ors.push_back(and_expr(depth));
    return query::combine(NodeKind::Or, std::move(ors));
  }
  Node and_expr(size_t depth) {
    std::vector<Node> ands{not_expr(depth)};
    while (accept_kw("and")) ands.push_back(not_expr(depth));
    return query::combine(NodeKind::And, std::move(ands));
  }
  Node not_expr(size_t depth) {
    if (depth > o_.max_depth) fail(peek(), "expression nested too deeply");
    if (keyword(peek(), "not") && !keyword(peek(1), "in")) {
      take();
      return query::negate(not_expr(depth + 1));
    }
    return primary(depth);
  }

  Node primary(size_t depth) {
    const Token& t = peek();
    if (accept_op("(")) {
      Node n = expr(depth + 1);
      expect_op(")", "to close the '('");
      return n;
    }
    if (keyword(t, "true") || keyword(t, "false")) {
      take();
      Node all;
      if (is_comparison()) unsupported(t, "a comparison of two constants is not supported");
      return keyword(t, "true") ? all : query::negate(all);
    }
    if (t.kind == Tok::Ident && !reserved(t) && is_op("(", 1)) return function(depth);
    if (t.kind == Tok::Field || (t.kind == Tok::Ident && !reserved(t))) {
      take();
      return comparison(t);
    }
    if (t.kind == Tok::String || t.kind == Tok::Number || keyword(t, "null"))
      unsupported(t,
                  "a value on the left of a comparison is not supported (write the field "
                  "first)");
    fail(t, fmt::format("expected a condition, found {}", describe(t)));
  }

  bool is_comparison() const {
    for (auto op : {"==", "!=", "<", "<=", ">", ">=", ":"})
      if (is_op(op)) return true;
    return keyword(peek(), "in") || keyword(peek(), "like") || keyword(peek(), "regex") ||
           (keyword(peek(), "not") && keyword(peek(1), "in"));
  }

  Value value() {
    const Token& t = take();
    Value v;
    v.line = t.line;
    v.column = t.column;
    v.text = t.text;
    if (t.kind == Tok::String) return v;
    if (keyword(t, "null")) {
      v.kind = Value::Null;
      return v;
    }
    if (keyword(t, "true") || keyword(t, "false")) {
      v.kind = Value::Bool;
      v.text = keyword(t, "true") ? "true" : "false";
      return v;
    }
    if (t.kind == Tok::Number) {
      char* end = nullptr;
      std::strtod(t.text.c_str(), &end);
      if (end && *end == '\0') {
        v.kind = Value::Num;
        return v;
      }
      fail(t, fmt::format("bad number '{}'", t.text));
    }
    if (t.kind == Tok::Field || (t.kind == Tok::Ident && !reserved(t)))
      unsupported(t, fmt::format("comparing two fields (`{}`) is not supported", t.text));
    fail(t, fmt::format("expected a value, found {}", describe(t)));
  }

  std::vector<Value> values() {
    std::vector<Value> out;
    if (!accept_op("(")) {
      out.push_back(value());
      return out;
    }
    do out.push_back(value());
    while (accept_op(","));
    expect_op(")", "to close the list");
    return out;
  }

  Node comparison(const Token& f) {
    const std::string& field = f.text;
    const Token& op = peek();
    auto strings_only = [&](const std::vector<Value>& vs, std::string_view what) {
      for (const auto& v : vs)
        if (v.kind != Value::Str) {
          Token at;
          at.line = v.line;
          at.column = v.column;
          fail(at, fmt::format("{} needs strings, found {}", what, v.text));
        }
    };
    if (is_op("==") || is_op("!=")) {
      bool eq = take().text == "==";
      Value v = value();
      Node n = v.kind == Value::Null ? query::exists_node(field)
                                     : match(field, exact(v, false), f.column);
      n.column = f.column;
      // `== null` is absence; `!= value` holds when the field is absent too.
      if (v.kind == Value::Null) return eq ? query::negate(std::move(n)) : n;
      return eq ? n : query::negate(std::move(n));
    }
    for (auto [text, rop] : {std::pair{"<", query::RangeOp::Lt},
                             {"<=", query::RangeOp::Le},
                             {">", query::RangeOp::Gt},
                             {">=", query::RangeOp::Ge}})
      if (is_op(text)) {
        take();
        Value v = value();
        if (v.kind == Value::Null || v.kind == Value::Bool)
          fail(op, fmt::format("'{}' needs a number or a string", text));
        Node n;
        n.kind = NodeKind::Range;
        n.field = field;
        n.op = rop;
        n.value = exact(v, false);
        n.column = f.column;
        return n;
      }
    if (accept_op(":")) {
      std::vector<Value> vs = values();
      std::vector<Node> any;
      for (const auto& v : vs) {
        if (v.kind == Value::Null) {
          any.push_back(query::negate(query::exists_node(field)));
        } else {
          any.push_back(
              match(field, v.kind == Value::Str ? wildcard_pattern(v.text, true) : exact(v, false),
                    f.column));
        }
      }
      return query::combine(NodeKind::Or, std::move(any));
    }
    bool negated = false;
    if (keyword(peek(), "not") && keyword(peek(1), "in")) {
      take();
      negated = true;
    }
    if (accept_kw("in")) {
      bool icase = tilde();
      if (!is_op("(")) fail(peek(), "expected '(' and a list after `in`");
      std::vector<Node> any;
      for (const auto& v : values())
        any.push_back(v.kind == Value::Null ? query::negate(query::exists_node(field))
                                            : match(field, exact(v, icase), f.column));
      Node n = query::combine(NodeKind::Or, std::move(any));
      return negated ? query::negate(std::move(n)) : n;
    }
    if (accept_kw("like")) {
      bool icase = tilde();
      auto vs = values();
      strings_only(vs, "like");
      std::vector<Node> any;
      for (const auto& v : vs)
        any.push_back(match(field, wildcard_pattern(v.text, icase), f.column));
      return query::combine(NodeKind::Or, std::move(any));
    }
    if (accept_kw("regex")) {
      bool icase = tilde();
      auto vs = values();
      strings_only(vs, "regex");
      std::vector<Node> any;
      for (const auto& v : vs) any.push_back(match(field, regex_pattern(v, icase), f.column));
      return query::combine(NodeKind::Or, std::move(any));
    }
    if (op.kind == Tok::End || is_op(")") || is_op("]") || keyword(op, "and") || keyword(op, "or"))
      unsupported(f,
                  fmt::format("a field on its own (`{}`) as a condition is not supported", field));
    fail(op, fmt::format("expected an operator after `{}`, found {}", field, describe(op)));
  }

  // Lucene's regular expressions (what `regex` runs in Elasticsearch) match the whole value;
  // RE2 searches, so the pattern is anchored. Lucene's own operators have no RE2 meaning.
  Pattern regex_pattern(const Value& v, bool icase) {
    for (size_t i = 0; i < v.text.size(); ++i) {
      char c = v.text[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (std::string_view("@&~#<>\"").find(c) != std::string_view::npos) {
        Token at;
        at.line = v.line;
        at.column = v.column;
        unsupported(at, fmt::format("Lucene regular-expression operator `{}` in \"{}\" is not "
                                    "supported",
                                    c, v.text));
      }
    }
    Pattern p;
    p.text = "^(?:" + v.text + ")$";
    p.regex = true;
    p.icase = icase;
    p.quoted = true;
    std::string why = query::regex_error(p.text, icase);
    if (!why.empty()) {
      Token at;
      at.line = v.line;
      at.column = v.column;
      unsupported(at, fmt::format("regular expression \"{}\": {}", v.text, why));
    }
    return p;
  }

  Node function(size_t depth) {
    const Token& name = take();
    take();  // (
    (void)depth;
    std::string fn = name.text;
    const bool icase = fn.back() == '~';  // startsWith~(...): ignoring case
    if (icase) fn.pop_back();
    const bool contains = fn == "stringContains", starts = fn == "startsWith",
               ends = fn == "endsWith", cidr = fn == "cidrMatch", wild = fn == "wildcard";
    if (!contains && !starts && !ends && !cidr && !wild)
      unsupported(name, fmt::format("EQL function `{}` is not supported", fn));
    if (icase && (cidr || wild))
      fail(name, fmt::format("EQL function `{}` has no case-insensitive form", fn));
    const Token& ft = take();
    if (ft.kind != Tok::Field && (ft.kind != Tok::Ident || reserved(ft)))
      unsupported(ft, fmt::format("EQL function `{}` needs a field as its first argument", fn));
    std::vector<Node> any;
    while (accept_op(",")) {
      const Token& a = peek();
      if (a.kind == Tok::Field || (a.kind == Tok::Ident && !reserved(a))) {
        if (!(contains || starts || ends) || !any.empty() || !is_op(")", 1))
          unsupported(a, fmt::format("EQL function `{}` with a field (`{}`) as a value is not "
                                     "supported",
                                     fn, a.text));
        take();
        Node n;
        n.kind = NodeKind::Custom;
        n.column = name.column;
        n.predicate = std::make_shared<FieldAffix>(ft.text, a.text,
                                                   contains ? FieldAffix::Contains
                                                   : starts ? FieldAffix::Starts
                                                            : FieldAffix::Ends,
                                                   icase);
        any.push_back(std::move(n));
        continue;
      }
      Value v = value();
      if (v.kind != Value::Str) fail(a, fmt::format("`{}` needs strings, found {}", fn, v.text));
      Pattern p;
      if (cidr) {
        p.text = v.text;
        p.cidr = true;
        p.quoted = true;
      } else {
        std::string text = v.text;
        if (contains || ends) text.insert(0, "*");
        if (contains || starts) text += '*';
        p = wildcard_pattern(text, icase);
      }
      any.push_back(match(ft.text, std::move(p), ft.column));
    }
    expect_op(")", fmt::format("to close `{}(`", fn));
    if (any.empty()) fail(name, fmt::format("`{}` needs a value after the field", fn));
    if ((contains || starts || ends) && any.size() > 1)
      fail(name, fmt::format("`{}` takes one value after the field", fn));
    if (is_comparison())
      unsupported(peek(), fmt::format("comparing the result of `{}` is not supported", fn));
    return query::combine(NodeKind::Or, std::move(any));
  }

  std::vector<Token> t_;
  const Options& o_;
  size_t pos_ = 0;
};

}  // namespace

bool is_endpoint_category(std::string_view category) {
  for (auto c : {"process", "file", "network", "registry", "library", "driver", "dns"})
    if (category == c) return true;
  return false;
}

Result parse(std::string_view text, const Options& options) {
  LexError le;
  std::vector<Token> toks = lex(text, le);
  if (le.line) return Error{le.line, le.column, le.message, false};
  // `name~(` : the tilde of a case-insensitive function belongs to the name.
  std::vector<Token> merged;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i].kind == Tok::Op && toks[i].text == "~" && !merged.empty() &&
        merged.back().kind == Tok::Ident && !reserved(merged.back()) &&
        merged.back().end == toks[i].begin && i + 1 < toks.size() && toks[i + 1].kind == Tok::Op &&
        toks[i + 1].text == "(") {
      merged.back().text += "~";
      merged.back().end = toks[i].end;
      continue;
    }
    merged.push_back(std::move(toks[i]));
  }
  try {
    Parser p(std::move(merged), options);
    return p.run();
  } catch (const Fail& f) {
    return f.e;
  }
}

}  // namespace eksir::rules::eql
