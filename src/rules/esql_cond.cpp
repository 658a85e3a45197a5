// ES|QL WHERE conditions (before STATS) into the query tree, with ES|QL's three-valued logic:
// each condition compiles to the events where it is true and those where it is false; where
// neither holds it is null (a field is missing), and WHERE drops the row, also under NOT.
#include "rules/esql_cond.h"

#include <fmt/format.h>

#include <cctype>

namespace eksir::rules::esql {
namespace {

using Kind = Expr::Kind;

query::Node never() {
  return query::negate(query::Node{});
}

query::Node match(const std::string& field, query::Pattern p) {
  query::Node n;
  n.kind = query::NodeKind::Match;
  n.field = field;
  n.value = std::move(p);
  return n;
}

query::Node both(query::Node a, query::Node b) {
  return query::combine(query::NodeKind::And, {std::move(a), std::move(b)});
}

// True where the test holds, false where the field has a value and the test fails.
Cond on_field(const std::string& field, query::Node test) {
  query::Node f = both(query::exists_node(field), query::negate(test));
  return {std::move(test), std::move(f)};
}

Cond swapped(Cond c) {
  return {std::move(c.f), std::move(c.t)};
}

bool has_upper(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}
bool has_lower(std::string_view s) {
  for (char c : s)
    if (c >= 'a' && c <= 'z') return true;
  return false;
}
bool ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool literal(const Expr& e) {
  return e.kind == Kind::String || e.kind == Kind::Number || e.kind == Kind::Bool;
}

std::string kind_name(const Expr& e) {
  switch (e.kind) {
    case Kind::Call:
      return "`" + e.text + "()`";
    case Kind::Arith:
      return "arithmetic";
    case Kind::Span:
      return "a time span";
    default:
      return "this expression";
  }
}

// A regular expression in Lucene's syntax (RLIKE) as RE2, anchored at both ends; an empty
// result with `why` set when the pattern uses what the two read differently.
std::string lucene_regex(const std::string& re, std::string& why) {
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) {
        why = "ends with `\\`";
        return "";
      }
      char n = re[++i];
      bool alnum = std::isalnum(static_cast<unsigned char>(n));
      if (alnum && std::string_view("dDsSwW").find(n) == std::string_view::npos) {
        why = fmt::format("uses `\\{}`", n);
        return "";
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      if (c == '[' && i + 1 < re.size() && re[i + 1] == ':') {
        why = "uses a `[:class:]`";
        return "";
      }
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < re.size() && re[i + 1] == '^') ++i;
      if (i + 1 < re.size() && re[i + 1] == ']') ++i;  // a leading ']' is literal
      continue;
    }
    // Lucene's optional operators (@ & ~ < > #), its quoting ("), and what RE2 reads as anchors
    // or group options.
    if (std::string_view("@&~<>#\"^$").find(c) != std::string_view::npos ||
        (c == '(' && i + 1 < re.size() && re[i + 1] == '?')) {
      why = fmt::format("uses `{}{}`", c, c == '(' ? "?" : "");
      return "";
    }
  }
  return "^(?:" + re + ")$";
}

}  // namespace

Cond CondCompiler::operator()(const Expr& e) {
  switch (e.kind) {
    case Kind::And: {
      Cond a = (*this)(e.args[0]), b = (*this)(e.args[1]);
      return {both(std::move(a.t), std::move(b.t)),
              query::combine(query::NodeKind::Or, {std::move(a.f), std::move(b.f)})};
    }
    case Kind::Or: {
      Cond a = (*this)(e.args[0]), b = (*this)(e.args[1]);
      return {query::combine(query::NodeKind::Or, {std::move(a.t), std::move(b.t)}),
              both(std::move(a.f), std::move(b.f))};
    }
    case Kind::Not:
      return swapped((*this)(e.args[0]));
    case Kind::Bool:
      return e.text == "true" ? Cond{query::Node{}, never()} : Cond{never(), query::Node{}};
    case Kind::Field: {
      Operand o = operand(e);
      query::Pattern t, f;
      t.text = "true";
      f.text = "false";
      return {match(o.field, t), match(o.field, f)};
    }
    case Kind::Compare:
      return compare(e);
    case Kind::In:
      return in(e);
    case Kind::Like:
    case Kind::RLike:
      return like(e);
    case Kind::IsNull: {
      Operand o = operand(e.args[0]);
      Cond c{query::negate(query::exists_node(o.field)), query::exists_node(o.field)};
      return e.negated ? swapped(std::move(c)) : c;
    }
    case Kind::Call:
      return call(e);
    default:
      throw Unsupported{e.line, fmt::format("{} as a condition is not supported", kind_name(e))};
  }
}

CondCompiler::Operand CondCompiler::operand(const Expr& e) {
  if (e.kind == Kind::Field) return {field_(e.text, e.line), 0};
  if (e.kind == Kind::Call && e.args.size() == 1 && e.args[0].kind == Kind::Field) {
    // TO_STRING of a keyword or an address is its text, which is how eksir compares values.
    if (e.text == "TO_STRING") return {field_(e.args[0].text, e.line), 0};
    if (e.text == "TO_LOWER") return {field_(e.args[0].text, e.line), 'l'};
    if (e.text == "TO_UPPER") return {field_(e.args[0].text, e.line), 'u'};
  }
  throw Unsupported{e.line, fmt::format("{} in a condition is not supported", kind_name(e))};
}

// A literal compared with a TO_LOWER / TO_UPPER operand: case-insensitive when the literal is in
// that case already, and a comparison that is never true when it is not (`lit_ok` false).
query::Pattern CondCompiler::literal_pattern(const Operand& o, const Expr& v, bool& lit_ok) {
  if (!literal(v)) {
    if (v.kind == Kind::Null)
      throw Unsupported{v.line, "a comparison with null (always null: IS NULL is meant)"};
    throw Unsupported{v.line, fmt::format("a comparison with {} is not supported", kind_name(v))};
  }
  query::Pattern p;
  p.text = v.text;
  p.quoted = v.kind == Kind::String;
  lit_ok = true;
  if (o.fold) {
    if (!ascii(v.text))
      throw Unsupported{v.line, "TO_LOWER / TO_UPPER with a value outside ASCII is not supported"};
    lit_ok = o.fold == 'l' ? !has_upper(v.text) : !has_lower(v.text);
    p.icase = true;
  }
  return p;
}

Cond CondCompiler::compare(const Expr& e) {
  const Expr* a = &e.args[0];
  const Expr* b = &e.args[1];
  std::string op = e.text;
  if (literal(*a) && !literal(*b)) {
    std::swap(a, b);
    if (op.size() && (op[0] == '<' || op[0] == '>')) op = (op[0] == '<' ? ">" : "<") + op.substr(1);
  }
  Operand o = operand(*a);
  if (b->kind == Kind::Field || (b->kind == Kind::Call && !literal(*b))) {
    Operand o2 = operand(*b);
    if ((op != "==" && op != "!=") || o.fold || o2.fold)
      throw Unsupported{e.line, fmt::format("comparing two fields with `{}` is not supported", op)};
    query::Pattern ref;
    ref.text = o2.field;
    ref.fieldref = true;
    query::Node m = match(o.field, ref);
    query::Node present = both(query::exists_node(o.field), query::exists_node(o2.field));
    Cond c{m, both(present, query::negate(m))};
    return op == "==" ? c : swapped(std::move(c));
  }
  bool lit_ok = true;
  query::Pattern p = literal_pattern(o, *b, lit_ok);
  if (op == "==" || op == "!=") {
    Cond c =
        lit_ok ? on_field(o.field, match(o.field, p)) : Cond{never(), query::exists_node(o.field)};
    return op == "==" ? c : swapped(std::move(c));
  }
  if (o.fold)
    throw Unsupported{e.line, fmt::format("`{}` on TO_LOWER / TO_UPPER is not supported", op)};
  query::Node r;
  r.kind = query::NodeKind::Range;
  r.field = o.field;
  r.value = p;
  r.op = op == "<"    ? query::RangeOp::Lt
         : op == "<=" ? query::RangeOp::Le
         : op == ">"  ? query::RangeOp::Gt
                      : query::RangeOp::Ge;
  return on_field(o.field, std::move(r));
}

Cond CondCompiler::in(const Expr& e) {
  const Expr& left = e.args[0];
  if (left.kind == Kind::Bool) {
    // `true IN (cond, ...)`: true when one of them is true, false when all are false.
    std::vector<query::Node> ts, fs;
    for (size_t i = 1; i < e.args.size(); ++i) {
      Cond c = (*this)(e.args[i]);
      if (left.text == "false") c = swapped(std::move(c));
      ts.push_back(std::move(c.t));
      fs.push_back(std::move(c.f));
    }
    Cond c{query::combine(query::NodeKind::Or, std::move(ts)),
           query::combine(query::NodeKind::And, std::move(fs))};
    return e.negated ? swapped(std::move(c)) : c;
  }
  Operand o = operand(left);
  std::vector<query::Node> any;
  for (size_t i = 1; i < e.args.size(); ++i) {
    if (e.args[i].kind == Kind::Null)
      throw Unsupported{e.args[i].line, "null in an IN list is not supported"};
    bool lit_ok = true;
    query::Pattern p = literal_pattern(o, e.args[i], lit_ok);
    if (lit_ok) any.push_back(match(o.field, std::move(p)));
  }
  Cond c = any.empty() ? Cond{never(), query::exists_node(o.field)}
                       : on_field(o.field, query::combine(query::NodeKind::Or, std::move(any)));
  return e.negated ? swapped(std::move(c)) : c;
}

Cond CondCompiler::like(const Expr& e) {
  bool rlike = e.kind == Kind::RLike;
  const char* name = rlike ? "RLIKE" : "LIKE";
  Operand o = operand(e.args[0]);
  const Expr& v = e.args[1];
  if (v.kind != Kind::String)
    throw Unsupported{v.line, fmt::format("{} with {} is not supported", name, kind_name(v))};
  if (o.fold && !ascii(v.text))
    throw Unsupported{v.line, "TO_LOWER / TO_UPPER with a value outside ASCII is not supported"};
  query::Pattern p;
  p.quoted = true;
  p.icase = o.fold != 0;
  bool lit_ok = true;
  if (rlike) {
    std::string why;
    p.text = lucene_regex(v.text, why);
    if (p.text.empty())
      throw Unsupported{v.line, fmt::format("the RLIKE pattern {} (Lucene and RE2 differ)", why)};
    // Letters in the other case never match a lower- or upper-cased value.
    std::string letters;
    for (size_t i = 0; i < v.text.size(); ++i) {
      if (v.text[i] == '\\') {
        ++i;
        continue;
      }
      letters += v.text[i];
    }
    if (o.fold) lit_ok = o.fold == 'l' ? !has_upper(letters) : !has_lower(letters);
    p.regex = true;
    std::string err = query::regex_error(p.text, p.icase);
    if (!err.empty()) throw Invalid{v.line, fmt::format("bad RLIKE pattern: {}", err)};
  } else {
    // `*` any run, `?` one character, `\` makes the next one literal.
    bool question = false;
    std::string re;
    for (size_t i = 0; i < v.text.size(); ++i) {
      char c = v.text[i];
      if (c == '\\' && i + 1 < v.text.size()) {
        char n = v.text[++i];
        p.text += n;
        re += std::string(std::isalnum(static_cast<unsigned char>(n)) ? "" : "\\") + n;
      } else if (c == '*') {
        p.wildcards.push_back(static_cast<uint32_t>(p.text.size()));
        p.text += c;
        re += ".*";
      } else if (c == '?') {
        question = true;
        p.text += c;
        re += ".";
      } else {
        p.text += c;
        re += std::string(std::isalnum(static_cast<unsigned char>(c)) ? "" : "\\") + c;
      }
    }
    if (o.fold) {
      std::string lit;
      for (size_t i = 0; i < p.text.size(); ++i)
        if (!p.is_wildcard(i)) lit += p.text[i];
      lit_ok = o.fold == 'l' ? !has_upper(lit) : !has_lower(lit);
    }
    if (question) {
      p.text = "^(?:" + re + ")$";
      p.wildcards.clear();
      p.regex = true;
    }
    p.quoted = !p.has_wildcards();
  }
  Cond c = lit_ok ? on_field(o.field, match(o.field, std::move(p)))
                  : Cond{never(), query::exists_node(o.field)};
  return e.negated ? swapped(std::move(c)) : c;
}

Cond CondCompiler::call(const Expr& e) {
  if (e.text == "KQL" && e.args.size() == 1 && e.args[0].kind == Kind::String) {
    auto parsed = query::parse(e.args[0].text);
    if (!parsed)
      throw Invalid{e.line, fmt::format("KQL(): bad KQL at column {}: {}", parsed.error().column,
                                        parsed.error().message)};
    for (const auto& f : query::fields(parsed->root)) field_(f, e.line);
    // KQL() is true or false, never null.
    query::Node n = std::move(parsed->root);
    return {n, query::negate(n)};
  }
  if ((e.text == "STARTS_WITH" || e.text == "ENDS_WITH") && e.args.size() == 2 &&
      e.args[1].kind == Kind::String) {
    Operand o = operand(e.args[0]);
    if (o.fold) throw Unsupported{e.line, fmt::format("`{}` of TO_LOWER / TO_UPPER", e.text)};
    query::Pattern p;
    p.quoted = true;
    if (e.text == "ENDS_WITH") p.wildcards.push_back(0), p.text = "*";
    p.text += e.args[1].text;
    if (e.text == "STARTS_WITH") {
      p.wildcards.push_back(static_cast<uint32_t>(p.text.size()));
      p.text += "*";
    }
    p.quoted = false;
    return on_field(o.field, match(o.field, std::move(p)));
  }
  throw Unsupported{e.line, fmt::format("ES|QL function `{}` in WHERE is not supported", e.text)};
}

}  // namespace eksir::rules::esql
