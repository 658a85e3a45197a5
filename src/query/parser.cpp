// KQL parser: recursive descent over Kibana's grammar (see query.h for the syntax and the few
// deliberate deviations). Errors are thrown inside and returned as a ParseError value.
#include <algorithm>
#include <cctype>
#include <string>

#include "event/fields.h"
#include "query/query.h"
#include "util/cidr.h"

namespace eksir::query {

namespace {

struct Failure {
  size_t offset;
  std::string message;
};

bool is_special(char c) {
  switch (c) {
    case '\\':
    case '(':
    case ')':
    case ':':
    case '<':
    case '>':
    case '"':
    case '*':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

struct Literal {
  Pattern pattern;
  size_t start = 0;  // offset of the first character
};

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : s_(text), options_(options) {}

  Node parse_all() {
    skip_ws();
    if (at_end()) {
      Node all;
      all.kind = NodeKind::All;
      return all;
    }
    Node root = or_query();
    skip_ws();
    if (!at_end()) unexpected();
    return root;
  }

  uint32_t column(size_t offset) const {
    uint32_t col = 1;
    for (size_t k = 0; k < offset && k < s_.size(); ++k)
      if ((static_cast<unsigned char>(s_[k]) & 0xC0) != 0x80) ++col;
    return col;
  }

 private:
  std::string_view s_;
  ParseOptions options_;
  size_t pos_ = 0;
  size_t depth_ = 0;

  struct DepthGuard {
    Parser& p;
    DepthGuard(Parser& parser, size_t at) : p(parser) {
      if (++p.depth_ > p.options_.max_depth)
        throw Failure{at, "query nested too deeply (more than " +
                              std::to_string(p.options_.max_depth) +
                              " levels of parentheses, not, value lists or nested queries)"};
    }
    ~DepthGuard() { --p.depth_; }
  };

  [[noreturn]] void fail(size_t offset, std::string message) {
    throw Failure{offset, std::move(message)};
  }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }

  // Whitespace: space, tab, CR, LF and U+00A0; returns its length at offset p (0 if none).
  size_t ws_len(size_t p) const {
    if (p >= s_.size()) return 0;
    char c = s_[p];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
    if (static_cast<unsigned char>(c) == 0xC2 && p + 1 < s_.size() &&
        static_cast<unsigned char>(s_[p + 1]) == 0xA0)
      return 2;
    return 0;
  }
  size_t skip_ws_from(size_t p) const {
    while (size_t n = ws_len(p)) p += n;
    return p;
  }
  void skip_ws() { pos_ = skip_ws_from(pos_); }

  bool word_at(size_t p, std::string_view word) const {
    if (p + word.size() > s_.size()) return false;
    for (size_t k = 0; k < word.size(); ++k)
      if (lower(s_[p + k]) != word[k]) return false;
    return true;
  }
  // After a keyword: whitespace, end, or a character that cannot continue a word.
  bool boundary_at(size_t p) const {
    if (p >= s_.size() || ws_len(p)) return true;
    char c = s_[p];
    return c == '(' || c == ')' || c == '}' || c == '"';
  }
  // `and` / `or` at p (p is where the word starts; whitespace before it is the caller's job).
  size_t binary_keyword_at(size_t p, std::string_view word) const {
    if (word_at(p, word) && boundary_at(p + word.size())) return word.size();
    return 0;
  }
  // `not` at p: followed by whitespace, '(' or '"' (not by end: a lone `not` is a value).
  bool not_at(size_t p) const {
    if (!word_at(p, "not")) return false;
    size_t q = p + 3;
    if (q >= s_.size()) return false;
    return ws_len(q) || s_[q] == '(' || s_[q] == '"';
  }
  // `and`/`or` at p followed by whitespace and more query: a missing operand before it.
  bool operator_starts_at(size_t p) const {
    for (std::string_view w : {std::string_view("and"), std::string_view("or")}) {
      if (!word_at(p, w) || !ws_len(p + w.size())) continue;
      if (skip_ws_from(p + w.size()) < s_.size()) return true;
    }
    return false;
  }
  bool any_keyword_at(size_t p) const {
    return binary_keyword_at(p, "and") || binary_keyword_at(p, "or") || not_at(p);
  }

  // At whitespace followed by `word`: consumes both and the whitespace after.
  bool eat_binary(std::string_view word) {
    if (!ws_len(pos_)) return false;
    size_t q = skip_ws_from(pos_);
    size_t n = binary_keyword_at(q, word);
    if (!n) return false;
    pos_ = q + n;
    skip_ws();
    return true;
  }

  std::string next_word(size_t p) const {
    size_t e = p;
    while (e < s_.size() && !ws_len(e) && e - p < 24) ++e;
    return std::string(s_.substr(p, e - p));
  }

  [[noreturn]] void unexpected() {
    char c = peek();
    if (c == ')') fail(pos_, "unexpected ')' without a matching '('");
    if (c == '}') fail(pos_, "unexpected '}' without a matching '{'");
    if (not_at(pos_)) fail(pos_, "expected 'and' or 'or' before 'not'");
    if (c == ':') fail(pos_, "unexpected ':'");
    if (c == '<' || c == '>') fail(pos_, std::string("unexpected '") + c + "'");
    fail(pos_, "expected 'and' or 'or' before '" + next_word(pos_) + "'");
  }

  void need_operand(std::string_view after) {
    if (at_end() || peek() == ')' || peek() == '}')
      fail(pos_, "expected a query after '" + std::string(after) + "'");
  }

  // ---- queries ---------------------------------------------------------------------------

  // One level of a left-associative chain: operand (word operand)*, flattened into one node.
  // `after(keyword)` checks what follows the keyword before the next operand is read.
  template <class Operand, class After>
  Node chain(NodeKind kind, std::string_view word, Operand operand, After after) {
    Node first = operand();
    if (!peek_binary(word)) return first;
    Node n;
    n.kind = kind;
    n.column = first.column;
    n.children.push_back(std::move(first));
    while (true) {
      size_t kw = skip_ws_from(pos_);
      if (!eat_binary(word)) break;
      after(s_.substr(kw, word.size()));
      n.children.push_back(operand());
    }
    return n;
  }

  Node or_query() {
    return chain(
        NodeKind::Or, "or", [&] { return and_query(); },
        [&](std::string_view kw) { need_operand(kw); });
  }

  Node and_query() {
    return chain(
        NodeKind::And, "and", [&] { return not_query(); },
        [&](std::string_view kw) { need_operand(kw); });
  }

  bool peek_binary(std::string_view word) const {
    if (!ws_len(pos_)) return false;
    return binary_keyword_at(skip_ws_from(pos_), word) != 0;
  }

  Node not_query() {
    if (word_at(pos_, "not") && pos_ + 3 == s_.size())
      fail(pos_ + 3, "expected a query after 'not'");
    if (not_at(pos_)) {
      size_t at = pos_;
      DepthGuard guard(*this, at);
      pos_ += 3;
      skip_ws();
      need_operand(s_.substr(at, 3));
      Node n;
      n.kind = NodeKind::Not;
      n.column = column(at);
      n.children.push_back(not_query());
      return n;
    }
    return sub_query();
  }

  Node sub_query() {
    if (peek() == '(') {
      size_t open = pos_;
      DepthGuard guard(*this, open);
      ++pos_;
      skip_ws();
      if (peek() == ')') fail(pos_, "empty parentheses");
      if (at_end()) fail(pos_, "expected a query after '('");
      Node q = or_query();
      skip_ws();
      if (peek() != ')') {
        if (at_end())
          fail(pos_, "expected ')' to close the '(' at column " + std::to_string(column(open)));
        fail(pos_, "expected ')' to close the '(' at column " + std::to_string(column(open)) +
                       ", or 'and'/'or' before '" + next_word(pos_) + "'");
      }
      ++pos_;
      return q;
    }
    return expression();
  }

  Node expression() {
    if (at_end()) fail(pos_, "expected a query");
    char c = peek();
    if (c == ':') fail(pos_, "expected a field name before ':'");
    if (c == '<' || c == '>') fail(pos_, std::string("expected a field name before '") + c + "'");
    if (c == ')' || c == '}' || c == '{') fail(pos_, std::string("unexpected '") + c + "'");
    if (operator_starts_at(pos_)) fail(pos_, "expected a query before '" + next_word(pos_) + "'");
    Literal lit = literal();
    size_t after = pos_;
    skip_ws();
    c = peek();
    if (c == ':') {
      std::string field = field_name(lit);
      ++pos_;
      skip_ws();
      if (peek() == '{') return nested(std::move(field), lit.start);
      return list_of_values(field, lit.start, true);
    }
    if (c == '<' || c == '>') {
      std::string field = field_name(lit);
      return range(std::move(field), lit.start);
    }
    pos_ = after;
    Node n;
    n.kind = NodeKind::FreeText;
    n.column = column(lit.start);
    n.value = std::move(lit.pattern);
    return n;
  }

  std::string field_name(const Literal& lit) {
    if (lit.pattern.has_wildcards())
      fail(lit.start, "wildcards in field names are not supported ('" + lit.pattern.text + "')");
    if (lit.pattern.text.empty()) fail(lit.start, "empty field name");
    return lit.pattern.text;
  }

  Node nested(std::string field, size_t field_start) {
    size_t open = pos_;
    DepthGuard guard(*this, open);
    ++pos_;
    skip_ws();
    if (peek() == '}') fail(pos_, "empty nested query");
    if (at_end()) fail(pos_, "expected a query after '{'");
    Node q = or_query();
    skip_ws();
    if (peek() != '}') {
      if (at_end())
        fail(pos_, "expected '}' to close the '{' at column " + std::to_string(column(open)));
      fail(pos_, "expected '}' to close the '{' at column " + std::to_string(column(open)) +
                     ", or 'and'/'or' before '" + next_word(pos_) + "'");
    }
    ++pos_;
    Node n;
    n.kind = NodeKind::Nested;
    n.column = column(field_start);
    n.field = std::move(field);
    n.children.push_back(std::move(q));
    return n;
  }

  Node range(std::string field, size_t field_start) {
    size_t op_at = pos_;
    RangeOp op;
    if (s_.compare(pos_, 2, "<=") == 0)
      op = RangeOp::Le, pos_ += 2;
    else if (s_.compare(pos_, 2, ">=") == 0)
      op = RangeOp::Ge, pos_ += 2;
    else if (peek() == '<')
      op = RangeOp::Lt, ++pos_;
    else
      op = RangeOp::Gt, ++pos_;
    std::string op_text(range_op_text(op));
    skip_ws();
    if (at_end() || (is_special(peek()) && peek() != '"' && peek() != '\\' && peek() != '*'))
      fail(pos_, "expected a value after '" + op_text + "'");
    (void)op_at;
    Literal lit = literal();
    if (lit.pattern.has_wildcards()) fail(lit.start, "wildcards are not allowed in a range value");
    if (lit.pattern.text.empty()) fail(lit.start, "expected a value after '" + op_text + "'");
    check_value_end(lit);
    Node n;
    n.kind = NodeKind::Range;
    n.column = column(field_start);
    n.field = std::move(field);
    n.op = op;
    n.value = std::move(lit.pattern);
    return n;
  }

  // ---- value lists: field:(a or b and not c) ---------------------------------------------

  Node list_of_values(const std::string& field, size_t field_start, bool top) {
    if (peek() == '(') {
      size_t open = pos_;
      DepthGuard guard(*this, open);
      ++pos_;
      skip_ws();
      if (peek() == ')') fail(pos_, "empty value list");
      if (at_end()) fail(pos_, "expected a value after '('");
      Node q = or_values(field, field_start);
      skip_ws();
      if (peek() != ')') {
        if (at_end())
          fail(pos_, "expected ')' to close the '(' at column " + std::to_string(column(open)));
        fail(pos_, "expected ')' to close the '(' at column " + std::to_string(column(open)) +
                       ", or 'and'/'or' before '" + next_word(pos_) + "'");
      }
      ++pos_;
      return q;
    }
    return value(field, field_start, top);
  }

  // After 'and'/'or' in a value list, a value must follow.
  void need_value(std::string_view kw) {
    if (at_end() || peek() == ')') fail(pos_, "expected a value after '" + std::string(kw) + "'");
  }

  Node or_values(const std::string& field, size_t field_start) {
    return chain(
        NodeKind::Or, "or", [&] { return and_values(field, field_start); },
        [&](std::string_view kw) { need_value(kw); });
  }

  Node and_values(const std::string& field, size_t field_start) {
    return chain(
        NodeKind::And, "and", [&] { return not_values(field, field_start); },
        [&](std::string_view kw) { need_value(kw); });
  }

  Node not_values(const std::string& field, size_t field_start) {
    if (not_at(pos_)) {
      size_t at = pos_;
      DepthGuard guard(*this, at);
      pos_ += 3;
      skip_ws();
      if (at_end() || peek() == ')')
        fail(pos_, "expected a value after '" + std::string(s_.substr(at, 3)) + "'");
      Node n;
      n.kind = NodeKind::Not;
      n.column = column(at);
      n.children.push_back(not_values(field, field_start));
      return n;
    }
    return list_of_values(field, field_start, false);
  }

  Node value(const std::string& field, size_t field_start, bool top) {
    if (at_end()) fail(pos_, "expected a value after '" + field + ":'");
    char c = peek();
    if (c == ')')
      fail(pos_, top ? "expected a value after '" + field + ":'" : "expected a value before ')'");
    if (c == ':' || c == '<' || c == '>' || c == '{' || c == '}')
      fail(pos_, std::string("unexpected '") + c + "' in the value of '" + field + "'");
    if (top && not_at(pos_))
      fail(pos_, "'not' goes before the field: write 'not " + field + ":value' or '" + field +
                     ":(not value)'");
    if (operator_starts_at(pos_)) fail(pos_, "expected a value before '" + next_word(pos_) + "'");
    Literal lit = literal();
    check_value_end(lit);
    Node n;
    n.column = column(top ? field_start : lit.start);
    n.field = field;
    if (!lit.pattern.quoted && lit.pattern.text == "*" && lit.pattern.has_wildcards()) {
      n.kind = NodeKind::Exists;
    } else {
      n.kind = NodeKind::Match;
      n.value = std::move(lit.pattern);
      // On an address field, a prefix is a range of addresses (Kibana's ip type).
      if (!n.value.has_wildcards() && n.value.text.find('/') != std::string::npos &&
          util::parse_cidr(n.value.text) && is_ip_field(field))
        n.value.cidr = true;
    }
    return n;
  }

  // A value followed directly by ':' or a range operator means a missing `and`/`or`
  // (`a:b c:d`) or an unescaped colon (`a:b:c`).
  void check_value_end(const Literal& lit) {
    size_t q = skip_ws_from(pos_);
    if (q >= s_.size()) return;
    char c = s_[q];
    if (c != ':' && c != '<' && c != '>') return;
    if (lit.pattern.quoted) fail(q, std::string("unexpected '") + c + "' after a quoted value");
    std::string_view raw = s_.substr(lit.start, pos_ - lit.start);
    size_t last_ws = std::string_view::npos;
    for (size_t k = 0; k < raw.size(); ++k)
      if (ws_len(lit.start + k)) last_ws = k;
    if (last_ws != std::string_view::npos) {
      size_t word = skip_ws_from(lit.start + last_ws);
      fail(word, "expected 'and' or 'or' before '" + std::string(s_.substr(word, q - word)) + "'");
    }
    fail(q, std::string("unexpected '") + c + "' after '" + std::string(raw) +
                "': quote the value or escape the '" + c + "' as '\\" + c + "'");
  }

  // ---- literals --------------------------------------------------------------------------

  Literal literal() {
    Literal lit;
    lit.start = pos_;
    if (peek() == '"') {
      quoted(lit.pattern);
    } else {
      unquoted(lit.pattern);
      if (pos_ == lit.start) fail(pos_, "expected a value");
    }
    return lit;
  }

  bool hex4(size_t p, uint32_t& cp) const {
    if (p + 4 > s_.size()) return false;
    cp = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = s_[p + k];
      cp <<= 4;
      if (c >= '0' && c <= '9')
        cp |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        cp |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        cp |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  void quoted(Pattern& p) {
    size_t open = pos_;
    ++pos_;
    p.quoted = true;
    while (true) {
      if (at_end()) fail(open, "unterminated quoted string (no closing '\"')");
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c == '\\' && pos_ + 1 < s_.size()) {
        char d = s_[pos_ + 1];
        uint32_t cp = 0;
        if (d == '"' || d == '\\') {
          p.text.push_back(d);
          pos_ += 2;
          continue;
        }
        if (d == 't' || d == 'r' || d == 'n') {
          p.text.push_back(d == 't' ? '\t' : d == 'r' ? '\r' : '\n');
          pos_ += 2;
          continue;
        }
        if (d == 'u' && hex4(pos_ + 2, cp)) {
          append_utf8(p.text, cp);
          pos_ += 6;
          continue;
        }
      }
      p.text.push_back(c);  // any other backslash is kept as written
      ++pos_;
    }
  }

  void unquoted(Pattern& p) {
    while (!at_end()) {
      char c = s_[pos_];
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) fail(pos_, "'\\' at the end of the query escapes nothing");
        char d = s_[pos_ + 1];
        uint32_t cp = 0;
        if (d == 't' || d == 'r' || d == 'n') {
          p.text.push_back(d == 't' ? '\t' : d == 'r' ? '\r' : '\n');
          pos_ += 2;
        } else if (is_special(d) || d == ' ') {  // `\ `: a space that never ends the value
          p.text.push_back(d);
          pos_ += 2;
        } else if (d == 'u' && hex4(pos_ + 2, cp)) {
          append_utf8(p.text, cp);
          pos_ += 6;
        } else if (word_at(pos_ + 1, "and") || word_at(pos_ + 1, "not")) {
          p.text.append(s_.substr(pos_ + 1, 3));
          pos_ += 4;
        } else if (word_at(pos_ + 1, "or")) {
          p.text.append(s_.substr(pos_ + 1, 2));
          pos_ += 3;
        } else {
          fail(pos_,
               std::string("invalid escape '\\") + d +
                   "': escape only \\ ( ) : < > \" * { } and whitespace (\\t \\r \\n \\ ), or "
                   "write the value in quotes");
        }
        continue;
      }
      if (c == '*') {
        p.wildcards.push_back(static_cast<uint32_t>(p.text.size()));
        p.text.push_back('*');
        ++pos_;
        continue;
      }
      if (is_special(c)) break;
      if (size_t n = ws_len(pos_)) {
        // Whitespace belongs to the value unless what follows ends it.
        size_t q = skip_ws_from(pos_);
        if (q >= s_.size()) break;
        char e = s_[q];
        if (e != '*' && e != '\\' && is_special(e)) break;
        if (any_keyword_at(q)) break;
        (void)n;
        p.text.append(s_.substr(pos_, q - pos_));
        pos_ = q;
        continue;
      }
      p.text.push_back(c);
      ++pos_;
    }
  }
};

}  // namespace

ParseResult parse(std::string_view text, const ParseOptions& options) {
  Parser parser(text, options);
  Query q;
  q.text = std::string(text);
  try {
    q.root = parser.parse_all();
  } catch (const Failure& f) {
    ParseError e;
    e.column = parser.column(f.offset);
    e.message = "column " + std::to_string(e.column) + ": " + f.message;
    return e;
  }
  for (const std::string& name : fields(q.root)) {
    if (FieldRef(name).known()) continue;
    q.unknown_fields.push_back(name);
    std::string close = suggest_field(name);
    q.warnings.push_back("unknown field '" + name +
                         "': not an ECS name eksir maps nor a path under a top-level key of any "
                         "source's events (see `eksir fields`); it matches only events that carry "
                         "exactly that path" +
                         (close.empty() ? "" : "; did you mean '" + close + "'?"));
  }
  return q;
}

}  // namespace eksir::query
