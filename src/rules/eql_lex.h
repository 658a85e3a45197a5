// EQL tokens (internal to rules/eql.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eksir::rules::eql {

enum class Tok : uint8_t { End, Ident, Field, String, Number, Op };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // Ident/Field: the name; String: escapes resolved; Op: the operator
  uint32_t line = 1, column = 1;
  size_t end = 0;  // byte offset just past the token (adjacency: `in~`, `15m`)
  size_t begin = 0;
};

struct LexError {
  uint32_t line = 0, column = 0;
  std::string message;
};

// Whole text into tokens, ending with one End; comments and white space dropped. Identifiers may
// hold dots and `@`; `?name` and backquoted names are Field tokens. On bad input: error.line > 0.
std::vector<Token> lex(std::string_view text, LexError& error);

}  // namespace eksir::rules::eql
