// ES|QL reader: splits the pipeline into commands at `|` and parses the commands eksir compiles
// (Elastic's ES|QL reference: source commands, processing commands, operators and their
// precedence). Commands and keywords are case-insensitive. Errors are thrown inside and returned
// as an Issue.
#include <cctype>
#include <string>

#include "rules/esql.h"

namespace eksir::rules::esql {
namespace {

struct Failure {
  uint32_t line;
  std::string message;
};

enum class Tok : uint8_t { Ident, Number, String, Op, End };

struct Token {
  Tok type = Tok::End;
  std::string text;
  size_t begin = 0, end = 0;
  uint32_t line = 1;
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '@';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '.';
}

class Lexer {
 public:
  Lexer(std::string_view t, uint32_t first_line) : t_(t), line_(first_line) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    for (;;) {
      skip_space();
      Token tok;
      tok.begin = i_;
      tok.line = line_;
      if (i_ >= t_.size()) {
        tok.end = i_;
        out.push_back(tok);
        return out;
      }
      char c = t_[i_];
      if (ident_start(c)) {
        while (i_ < t_.size() && ident_char(t_[i_])) ++i_;
        tok.type = Tok::Ident;
        tok.text = std::string(t_.substr(tok.begin, i_ - tok.begin));
      } else if (c == '`') {
        tok.type = Tok::Ident;
        tok.text = quoted_ident();
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        tok.type = Tok::Number;
        tok.text = number();
      } else if (c == '"') {
        tok.type = Tok::String;
        tok.text = string();
      } else {
        tok.type = Tok::Op;
        static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "::"};
        size_t n = 1;
        for (auto op : two)
          if (t_.substr(i_, 2) == op) n = 2;
        tok.text = std::string(t_.substr(i_, n));
        i_ += n;
      }
      tok.end = i_;
      out.push_back(std::move(tok));
    }
  }

 private:
  void skip_space() {
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (t_.substr(i_, 2) == "//") {
        while (i_ < t_.size() && t_[i_] != '\n') ++i_;
      } else if (t_.substr(i_, 2) == "/*") {
        uint32_t start = line_;
        size_t e = t_.find("*/", i_ + 2);
        if (e == std::string_view::npos) throw Failure{start, "unterminated /* comment"};
        for (size_t k = i_; k < e; ++k) line_ += t_[k] == '\n';
        i_ = e + 2;
      } else {
        return;
      }
    }
  }

  std::string quoted_ident() {
    std::string out;
    uint32_t start = line_;
    for (++i_; i_ < t_.size(); ++i_) {
      if (t_[i_] == '`') {
        if (t_.substr(i_, 2) != "``") {
          ++i_;
          return out;
        }
        ++i_;
      }
      if (t_[i_] == '\n') ++line_;
      out += t_[i_];
    }
    throw Failure{start, "unterminated `quoted` name"};
  }

  std::string number() {
    size_t b = i_;
    auto digits = [&] {
      while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_]))) ++i_;
    };
    digits();
    if (i_ + 1 < t_.size() && t_[i_] == '.' &&
        std::isdigit(static_cast<unsigned char>(t_[i_ + 1]))) {
      ++i_;
      digits();
    }
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      size_t k = i_ + 1;
      if (k < t_.size() && (t_[k] == '+' || t_[k] == '-')) ++k;
      if (k < t_.size() && std::isdigit(static_cast<unsigned char>(t_[k]))) {
        i_ = k;
        digits();
      }
    }
    return std::string(t_.substr(b, i_ - b));
  }

  std::string string() {
    uint32_t start = line_;
    if (t_.substr(i_, 3) == R"(""")") {
      size_t e = t_.find(R"(""")", i_ + 3);
      if (e == std::string_view::npos) throw Failure{start, "unterminated \"\"\" string"};
      // A run of more than three quotes ends with the last three.
      while (e + 3 < t_.size() && t_[e + 3] == '"') ++e;
      std::string out(t_.substr(i_ + 3, e - i_ - 3));
      for (char c : out) line_ += c == '\n';
      i_ = e + 3;
      return out;
    }
    std::string out;
    for (++i_; i_ < t_.size(); ++i_) {
      char c = t_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '\n') throw Failure{start, "unterminated string (a line break inside \"...\")"};
      if (c == '\\' && i_ + 1 < t_.size()) {
        char n = t_[++i_];
        switch (n) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          default:
            throw Failure{line_, std::string("unknown escape \\") + n + " in a string"};
        }
        continue;
      }
      out += c;
    }
    throw Failure{start, "unterminated string"};
  }

  std::string_view t_;
  size_t i_ = 0;
  uint32_t line_ = 1;
};

using Kind = Expr::Kind;

class Parser {
 public:
  Parser(const std::vector<Token>& toks, size_t begin, size_t end)
      : t_(toks), i_(begin), end_(end) {}

  bool done() const { return i_ >= end_; }
  const Token& peek(size_t k = 0) const {
    static const Token none;
    return i_ + k < end_ ? t_[i_ + k] : (end_ < t_.size() ? t_[end_] : none);
  }
  bool is_kw(std::string_view kw, size_t k = 0) const {
    return i_ + k < end_ && peek(k).type == Tok::Ident && upper(peek(k).text) == kw;
  }
  bool is_op(std::string_view op, size_t k = 0) const {
    return i_ + k < end_ && peek(k).type == Tok::Op && peek(k).text == op;
  }
  [[noreturn]] void fail(std::string what) const {
    std::string at = done() ? std::string("the end of the command") : "`" + peek().text + "`";
    throw Failure{peek().line, what + ", found " + at};
  }
  void expect_op(std::string_view op) {
    if (!is_op(op)) fail(std::string("expected `") + std::string(op) + "`");
    ++i_;
  }

  Expr expr() { return or_expr(); }

  // `[name =] expr`, then an optional `WHERE cond` when `filtered`.
  Assign assign(bool filtered) {
    Assign a;
    a.line = peek().line;
    if (peek().type == Tok::Ident && is_op("=", 1)) {
      a.name = peek().text;
      i_ += 2;
    }
    a.value = expr();
    if (filtered && is_kw("WHERE")) {
      ++i_;
      a.where = std::make_unique<Expr>(expr());
    }
    return a;
  }

  std::vector<Assign> assign_list(bool filtered, std::string_view stop) {
    std::vector<Assign> out;
    if (done() || is_kw(stop)) return out;
    for (;;) {
      out.push_back(assign(filtered));
      if (!is_op(",")) break;
      ++i_;
    }
    return out;
  }

  void stats(Command& c) {
    c.assigns = assign_list(true, "BY");
    if (is_kw("BY")) {
      ++i_;
      c.by = assign_list(false, "");
      if (c.by.empty()) fail("expected a grouping after BY");
    }
    if (!done()) fail("expected `,` or BY");
  }

 private:
  Expr node(Kind k, uint32_t line, std::vector<Expr> args, std::string text = "") {
    // A long chain of `and` / `or` is a deep tree: bounded so that compiling it cannot exhaust
    // the stack.
    if (++nodes_ > 1000) fail("expression too long (over 1000 terms)");
    Expr e;
    e.kind = k;
    e.line = line;
    e.args = std::move(args);
    e.text = std::move(text);
    return e;
  }

  Expr or_expr() {
    Expr left = and_expr();
    while (is_kw("OR")) {
      uint32_t line = peek().line;
      ++i_;
      left = node(Kind::Or, line, {std::move(left), and_expr()});
    }
    return left;
  }
  Expr and_expr() {
    Expr left = not_expr();
    while (is_kw("AND")) {
      uint32_t line = peek().line;
      ++i_;
      left = node(Kind::And, line, {std::move(left), not_expr()});
    }
    return left;
  }
  Expr not_expr() {
    if (is_kw("NOT")) {
      uint32_t line = peek().line;
      ++i_;
      if (++depth_ > 200) fail("expression nested too deeply");
      Expr inner = not_expr();
      --depth_;
      return node(Kind::Not, line, {std::move(inner)});
    }
    return predicate();
  }

  Expr predicate() {
    Expr left = additive();
    uint32_t line = peek().line;
    bool neg = false;
    if (is_kw("NOT") && (is_kw("IN", 1) || is_kw("LIKE", 1) || is_kw("RLIKE", 1))) {
      neg = true;
      ++i_;
    }
    Expr out;
    if (is_kw("IN")) {
      ++i_;
      expect_op("(");
      std::vector<Expr> args{std::move(left)};
      for (;;) {
        args.push_back(additive());
        if (!is_op(",")) break;
        ++i_;
      }
      expect_op(")");
      out = node(Kind::In, line, std::move(args));
    } else if (is_kw("LIKE") || is_kw("RLIKE")) {
      Kind k = is_kw("LIKE") ? Kind::Like : Kind::RLike;
      ++i_;
      out = node(k, line, {std::move(left), additive()});
    } else if (is_kw("IS")) {
      ++i_;
      if (is_kw("NOT")) {
        neg = true;
        ++i_;
      }
      if (!is_kw("NULL")) fail("expected NULL after IS");
      ++i_;
      out = node(Kind::IsNull, line, {std::move(left)});
    } else if (peek().type == Tok::Op && !done() &&
               (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                peek().text == "<=" || peek().text == ">" || peek().text == ">=")) {
      std::string op = peek().text;
      ++i_;
      return node(Kind::Compare, line, {std::move(left), additive()}, op);
    } else {
      return left;
    }
    out.negated = neg;
    return out;
  }

  Expr additive() {
    Expr left = multiplicative();
    while (is_op("+") || is_op("-")) {
      std::string op = peek().text;
      uint32_t line = peek().line;
      ++i_;
      left = node(Kind::Arith, line, {std::move(left), multiplicative()}, op);
    }
    return left;
  }
  Expr multiplicative() {
    Expr left = unary();
    while (is_op("*") || is_op("/") || is_op("%")) {
      std::string op = peek().text;
      uint32_t line = peek().line;
      ++i_;
      left = node(Kind::Arith, line, {std::move(left), unary()}, op);
    }
    return left;
  }
  Expr unary() {
    if (is_op("-")) {
      uint32_t line = peek().line;
      ++i_;
      if (++depth_ > 200) fail("expression nested too deeply");
      Expr inner = unary();
      --depth_;
      return node(Kind::Arith, line, {std::move(inner)}, "-");
    }
    Expr e = primary();
    if (is_op("::")) fail("`::` casts are not supported");
    return e;
  }

  Expr primary() {
    if (done()) fail("expected a value");
    const Token& t = peek();
    uint32_t line = t.line;
    if (t.type == Tok::Number) {
      ++i_;
      Expr e = node(Kind::Number, line, {}, t.text);
      if (peek().type == Tok::Ident && !done() && !is_keyword(peek().text)) {
        e.kind = Kind::Span;
        e.unit = peek().text;
        ++i_;
      }
      return e;
    }
    if (t.type == Tok::String) {
      ++i_;
      return node(Kind::String, line, {}, t.text);
    }
    if (is_op("(")) {
      ++i_;
      if (++depth_ > 200) fail("expression nested too deeply");
      Expr e = expr();
      --depth_;
      expect_op(")");
      return e;
    }
    if (t.type != Tok::Ident) fail("expected a value");
    std::string up = upper(t.text);
    if (up == "TRUE" || up == "FALSE") {
      ++i_;
      return node(Kind::Bool, line, {}, up == "TRUE" ? "true" : "false");
    }
    if (up == "NULL") {
      ++i_;
      return node(Kind::Null, line, {});
    }
    ++i_;
    if (!is_op("(")) return node(Kind::Field, line, {}, t.text);
    ++i_;
    Expr call = node(Kind::Call, line, {}, up);
    if (is_op("*") && is_op(")", 1)) {
      call.args.push_back(node(Kind::Star, line, {}));
      ++i_;
    } else if (!is_op(")")) {
      if (++depth_ > 200) fail("expression nested too deeply");
      for (;;) {
        call.args.push_back(expr());
        if (!is_op(",")) break;
        ++i_;
      }
      --depth_;
    }
    expect_op(")");
    return call;
  }

  static bool is_keyword(const std::string& s) {
    static const char* kws[] = {"AND", "OR", "NOT",   "IN",  "LIKE", "RLIKE",
                                "IS",  "BY", "WHERE", "ASC", "DESC", "NULLS"};
    std::string up = upper(s);
    for (const char* k : kws)
      if (up == k) return true;
    return false;
  }

  const std::vector<Token>& t_;
  size_t i_, end_;
  int depth_ = 0;
  size_t nodes_ = 0;
};

// Raw text of a command's arguments without comments, split at top-level commas, trimmed and
// unquoted (FROM's index patterns and KEEP/DROP's column patterns hold `-`, `*`, `.`).
std::vector<std::string> raw_list(std::string_view raw) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    size_t b = cur.find_first_not_of(" \t\r\n");
    size_t e = cur.find_last_not_of(" \t\r\n");
    std::string item = b == std::string::npos ? "" : cur.substr(b, e - b + 1);
    if (item.size() >= 2 && (item.front() == '`' || item.front() == '"') &&
        item.back() == item.front())
      item = item.substr(1, item.size() - 2);
    if (!item.empty()) out.push_back(item);
    cur.clear();
  };
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw.substr(i, 2) == "//") {
      while (i < raw.size() && raw[i] != '\n') ++i;
    } else if (raw.substr(i, 2) == "/*") {
      size_t e = raw.find("*/", i + 2);
      i = e == std::string_view::npos ? raw.size() : e + 1;
    } else if (raw[i] == ',') {
      flush();
    } else {
      cur += raw[i];
    }
  }
  flush();
  return out;
}

}  // namespace

std::vector<Command> parse(std::string_view text, Issue& error, uint32_t first_line) {
  std::vector<Command> out;
  error = {};
  try {
    std::vector<Token> toks = Lexer(text, first_line).run();
    if (toks.size() >= 2 && toks[toks.size() - 2].type == Tok::Op &&
        toks[toks.size() - 2].text == "|")
      throw Failure{toks[toks.size() - 2].line, "a `|` with no command after it"};
    size_t b = 0;
    while (b + 1 < toks.size()) {
      size_t e = b;
      while (e + 1 < toks.size() && !(toks[e].type == Tok::Op && toks[e].text == "|")) ++e;
      if (e == b) throw Failure{toks[b].line, "an empty command (two `|` in a row)"};
      Command c;
      c.name = upper(toks[b].text);
      c.line = toks[b].line;
      if (toks[b].type != Tok::Ident) throw Failure{c.line, "expected a command name"};
      size_t raw_end = toks[e].begin;
      std::string_view raw = text.substr(toks[b].end, raw_end - toks[b].end);
      Parser p(toks, b + 1, e);
      if (c.name == "FROM") {
        size_t meta = std::string::npos;
        for (size_t k = b + 1; k < e; ++k)
          if (toks[k].type == Tok::Ident && upper(toks[k].text) == "METADATA") {
            meta = toks[k].begin;
            break;
          }
        if (meta != std::string::npos) raw = text.substr(toks[b].end, meta - toks[b].end);
        c.indices = raw_list(raw);
        if (c.indices.empty()) throw Failure{c.line, "FROM names no index"};
      } else if (c.name == "WHERE") {
        c.cond = p.expr();
        if (!p.done()) p.fail("expected the end of the condition");
      } else if (c.name == "EVAL") {
        c.assigns = p.assign_list(false, "");
        if (c.assigns.empty()) throw Failure{c.line, "EVAL without an expression"};
        if (!p.done()) p.fail("expected `,`");
      } else if (c.name == "STATS") {
        p.stats(c);
      } else if (c.name == "KEEP" || c.name == "DROP") {
        c.columns = raw_list(raw);
        if (c.columns.empty()) throw Failure{c.line, c.name + " names no column"};
      }
      out.push_back(std::move(c));
      b = e + 1;
      if (toks[e].type == Tok::End) break;
    }
    if (out.empty()) throw Failure{first_line, "an empty query"};
  } catch (const Failure& f) {
    error = {f.line, f.message};
  }
  return out;
}

}  // namespace eksir::rules::esql
