// Falco's filter language parser (see falco_condition.h).
#include "rules/falco_condition.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace eksir::rules::falco {

namespace {

// Word operators, longest first where one is a prefix of another.
constexpr std::array<std::string_view, 13> kWordOps = {
    "intersects", "bstartswith", "startswith", "bcontains", "icontains", "contains", "endswith",
    "exists",     "pmatch",      "iglob",      "glob",      "regex",     "in"};
constexpr std::array<std::string_view, 7> kSymOps = {"==", "!=", "<=", ">=", "=", "<", ">"};

struct SyntaxError {
  std::string message;
};

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Expr parse() {
    Expr e = parse_or();
    blank();
    if (p_ < s_.size()) fail(fmt::format("unexpected '{}'", s_.substr(p_, 20)));
    return e;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) {
    throw SyntaxError{fmt::format("offset {}: {}", p_ + 1, msg)};
  }

  void blank() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }

  // The keyword at the cursor, as a whole word.
  bool keyword(std::string_view kw) {
    blank();
    if (s_.substr(p_, kw.size()) != kw) return false;
    size_t end = p_ + kw.size();
    if (end < s_.size() && ident_char(s_[end])) return false;
    p_ = end;
    return true;
  }

  static Expr combine(Expr::Kind kind, std::vector<Expr> kids) {
    if (kids.size() == 1) return std::move(kids[0]);
    Expr e;
    e.kind = kind;
    for (auto& k : kids) {
      if (k.kind == kind)
        for (auto& g : k.children) e.children.push_back(std::move(g));
      else
        e.children.push_back(std::move(k));
    }
    return e;
  }

  Expr parse_or() {
    std::vector<Expr> kids{parse_and()};
    while (keyword("or")) kids.push_back(parse_and());
    return combine(Expr::Kind::Or, std::move(kids));
  }
  Expr parse_and() {
    std::vector<Expr> kids{parse_not()};
    while (keyword("and")) kids.push_back(parse_not());
    return combine(Expr::Kind::And, std::move(kids));
  }
  Expr parse_not() {
    if (keyword("not")) {
      if (++nots_ > 1000) fail("too many 'not'");
      Expr e;
      e.kind = Expr::Kind::Not;
      e.children.push_back(parse_not());
      return e;
    }
    return parse_primary();
  }

  Expr parse_primary() {
    blank();
    if (++depth_ > 200) fail("nesting too deep");
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (p_ >= s_.size()) fail("unexpected end of condition");
    if (s_[p_] == '(') {
      ++p_;
      Expr e = parse_or();
      blank();
      if (p_ >= s_.size() || s_[p_] != ')') fail("expected ')'");
      ++p_;
      return e;
    }
    if (!ident_start(s_[p_])) fail(fmt::format("unexpected '{}'", s_.substr(p_, 20)));
    size_t start = p_;
    while (p_ < s_.size() && ident_char(s_[p_])) ++p_;
    std::string name(s_.substr(start, p_ - start));
    if (p_ < s_.size() && s_[p_] == '(')
      throw SyntaxError{fmt::format("transformer or function '{}(...)'", name)};
    if (p_ < s_.size() && s_[p_] == '[') {
      size_t close = s_.find(']', p_);
      if (close == std::string_view::npos) fail("expected ']'");
      name += std::string(s_.substr(p_, close + 1 - p_));
      p_ = close + 1;
    }
    blank();
    std::string op = read_operator();
    if (op.empty()) {
      if (name.find('[') != std::string::npos || name.find('.') != std::string::npos)
        fail(fmt::format("field '{}' without an operator", name));
      Expr e;
      e.kind = Expr::Kind::Macro;
      e.name = std::move(name);
      return e;
    }
    Expr e;
    e.kind = Expr::Kind::Check;
    e.field = std::move(name);
    e.op = op;
    if (op == "exists") return e;
    blank();
    if (p_ < s_.size() && s_[p_] == '(') {
      ++p_;
      e.list = true;
      blank();
      if (p_ < s_.size() && s_[p_] == ')') {
        ++p_;
        return e;
      }
      for (;;) {
        e.values.push_back(read_value(true));
        blank();
        if (p_ < s_.size() && s_[p_] == ',') {
          ++p_;
          continue;
        }
        if (p_ < s_.size() && s_[p_] == ')') {
          ++p_;
          break;
        }
        fail("expected ',' or ')' in a value list");
      }
      return e;
    }
    e.values.push_back(read_value(false));
    return e;
  }

  std::string read_operator() {
    for (auto op : kSymOps)
      if (s_.substr(p_, op.size()) == op) {
        p_ += op.size();
        return op == "==" ? std::string("=") : std::string(op);
      }
    for (auto op : kWordOps) {
      if (s_.substr(p_, op.size()) != op) continue;
      size_t end = p_ + op.size();
      if (end < s_.size() && ident_char(s_[end])) continue;
      p_ = end;
      return std::string(op);
    }
    return {};
  }

  Value read_value(bool in_list) {
    blank();
    if (p_ >= s_.size()) fail("expected a value");
    Value v;
    char q = s_[p_];
    if (q == '"' || q == '\'') {
      v.quoted = true;
      ++p_;
      while (p_ < s_.size() && s_[p_] != q) {
        if (s_[p_] == '\\' && p_ + 1 < s_.size()) {
          char c = s_[++p_];
          switch (c) {
            case 'n':
              v.text.push_back('\n');
              break;
            case 't':
              v.text.push_back('\t');
              break;
            case 'r':
              v.text.push_back('\r');
              break;
            default:
              v.text.push_back(c);
          }
          ++p_;
          continue;
        }
        v.text.push_back(s_[p_++]);
      }
      if (p_ >= s_.size()) fail("unterminated quoted string");
      ++p_;
      return v;
    }
    size_t start = p_;
    while (p_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[p_])) && s_[p_] != '(' &&
           s_[p_] != ')' && s_[p_] != ',' && s_[p_] != '"' && s_[p_] != '\'')
      ++p_;
    if (p_ == start) fail(in_list ? "expected a value in the list" : "expected a value");
    v.text = std::string(s_.substr(start, p_ - start));
    return v;
  }

  std::string_view s_;
  size_t p_ = 0;
  int depth_ = 0;
  int nots_ = 0;
};

}  // namespace

bool is_operator(std::string_view op) {
  return std::find(kWordOps.begin(), kWordOps.end(), op) != kWordOps.end() ||
         std::find(kSymOps.begin(), kSymOps.end(), op) != kSymOps.end();
}

bool parse_condition(std::string_view text, Expr& out, std::string& error) {
  try {
    out = Parser(text).parse();
    return true;
  } catch (const SyntaxError& e) {
    error = e.message;
    return false;
  }
}

}  // namespace eksir::rules::falco
