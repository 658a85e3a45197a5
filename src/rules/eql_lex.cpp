// EQL lexer: strings with EQL's escapes, raw """strings""", `//` and `/* */` comments.
#include "rules/eql_lex.h"

#include <fmt/format.h>

namespace eksir::rules::eql {
namespace {

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@';
}
bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  Lexer(std::string_view t, LexError& e) : t_(t), err_(e) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (true) {
      if (!skip_space()) return out;
      Token tok;
      tok.line = line_;
      tok.column = col();
      tok.begin = i_;
      if (i_ >= t_.size()) {
        tok.end = i_;
        out.push_back(std::move(tok));
        return out;
      }
      if (!next(tok)) return out;
      tok.end = i_;
      out.push_back(std::move(tok));
    }
  }

 private:
  uint32_t col() const { return static_cast<uint32_t>(i_ - line_start_ + 1); }

  bool fail(uint32_t line, uint32_t column, std::string msg) {
    err_.line = line;
    err_.column = column;
    err_.message = std::move(msg);
    return false;
  }

  void advance() {
    if (t_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  bool skip_space() {
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (t_.substr(i_, 2) == "//") {
        while (i_ < t_.size() && t_[i_] != '\n') advance();
      } else if (t_.substr(i_, 2) == "/*") {
        uint32_t l = line_, c0 = col();
        size_t close = t_.find("*/", i_ + 2);
        if (close == std::string_view::npos) return fail(l, c0, "unterminated /* comment");
        while (i_ < close + 2) advance();
      } else {
        break;
      }
    }
    return true;
  }

  bool next(Token& tok) {
    char c = t_[i_];
    if (c == '"') return string(tok);
    if (c == '\'')
      return fail(tok.line, tok.column, "single-quoted strings are not EQL (use double quotes)");
    if (c == '`') return backquoted(tok);
    if (c == '?' && i_ + 1 < t_.size() && (ident_start(t_[i_ + 1]) || t_[i_ + 1] == '`')) {
      advance();
      if (t_[i_] == '`') return backquoted(tok);
      tok.kind = Tok::Field;
      while (i_ < t_.size() && ident_char(t_[i_])) tok.text += t_[i_++];
      return true;
    }
    if (ident_start(c)) {
      tok.kind = Tok::Ident;
      while (i_ < t_.size() && ident_char(t_[i_])) tok.text += t_[i_++];
      return true;
    }
    if (digit(c) || (c == '-' && i_ + 1 < t_.size() && digit(t_[i_ + 1]))) {
      tok.kind = Tok::Number;
      tok.text += t_[i_++];
      while (i_ < t_.size() && (digit(t_[i_]) || t_[i_] == '.' || ident_start(t_[i_])))
        tok.text += t_[i_++];
      return true;
    }
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">="};
    for (auto op : kTwo)
      if (t_.substr(i_, 2) == op) {
        tok.kind = Tok::Op;
        tok.text = std::string(op);
        i_ += 2;
        return true;
      }
    if (std::string_view("<>:()[],~|=!").find(c) != std::string_view::npos) {
      tok.kind = Tok::Op;
      tok.text = c;
      ++i_;
      return true;
    }
    return fail(tok.line, tok.column,
                c >= 0x20 && c < 0x7f ? fmt::format("unexpected character '{}'", c)
                                      : fmt::format("unexpected byte 0x{:02x}", c & 0xff));
  }

  bool backquoted(Token& tok) {
    tok.kind = Tok::Field;
    advance();  // `
    while (true) {
      if (i_ >= t_.size()) return fail(tok.line, tok.column, "unterminated backquoted field name");
      if (t_[i_] == '`') {
        if (i_ + 1 < t_.size() && t_[i_ + 1] == '`') {  // `` is one backquote
          tok.text += '`';
          i_ += 2;
          continue;
        }
        ++i_;
        break;
      }
      if (t_[i_] == '\n') return fail(tok.line, tok.column, "unterminated backquoted field name");
      tok.text += t_[i_++];
    }
    if (tok.text.empty()) return fail(tok.line, tok.column, "empty backquoted field name");
    return true;
  }

  bool string(Token& tok) {
    tok.kind = Tok::String;
    if (t_.substr(i_, 3) == "\"\"\"") {  // raw: no escapes
      size_t close = t_.find("\"\"\"", i_ + 3);
      if (close == std::string_view::npos)
        return fail(tok.line, tok.column, "unterminated \"\"\" string");
      tok.text = t_.substr(i_ + 3, close - i_ - 3);
      while (i_ < close + 3) advance();
      return true;
    }
    advance();
    while (true) {
      if (i_ >= t_.size() || t_[i_] == '\n')
        return fail(tok.line, tok.column, "unterminated string");
      char c = t_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c != '\\') {
        tok.text += c;
        ++i_;
        continue;
      }
      uint32_t ecol = col();
      if (i_ + 1 >= t_.size()) return fail(tok.line, ecol, "unterminated string");
      char e = t_[i_ + 1];
      i_ += 2;
      switch (e) {
        case 'n':
          tok.text += '\n';
          break;
        case 'r':
          tok.text += '\r';
          break;
        case 't':
          tok.text += '\t';
          break;
        case '"':
          tok.text += '"';
          break;
        case '\'':
          tok.text += '\'';
          break;
        case '\\':
          tok.text += '\\';
          break;
        case 'u': {
          if (i_ >= t_.size() || t_[i_] != '{')
            return fail(tok.line, ecol, "bad escape: \\u needs {hex digits}");
          size_t close = t_.find('}', i_);
          std::string_view hex = close == std::string_view::npos
                                     ? std::string_view()
                                     : t_.substr(i_ + 1, close - i_ - 1);
          uint32_t cp = 0;
          bool ok = !hex.empty() && hex.size() <= 8;
          for (char h : hex) {
            int v = digit(h)                 ? h - '0'
                    : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                             : -1;
            if (v < 0 || cp > 0x10FFFF) ok = false;
            cp = cp * 16 + static_cast<uint32_t>(v < 0 ? 0 : v);
          }
          if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(tok.line, ecol, "bad escape: \\u{...} needs a Unicode code point in hex");
          append_utf8(tok.text, cp);
          i_ = close + 1;
          break;
        }
        default:
          return fail(
              tok.line, ecol,
              fmt::format("bad escape '\\{}' (EQL has \\n \\r \\t \\\" \\' \\\\ \\u{{...}})",
                          e >= 0x20 && e < 0x7f ? std::string(1, e) : std::string("?")));
      }
    }
  }

  std::string_view t_;
  LexError& err_;
  size_t i_ = 0, line_start_ = 0;
  uint32_t line_ = 1;
};

}  // namespace

std::vector<Token> lex(std::string_view text, LexError& error) {
  return Lexer(text, error).run();
}

}  // namespace eksir::rules::eql
