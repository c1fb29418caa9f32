#pragma once
// Parses a request's `ksql` text into statements, the way ksqlDB does it first: the whole text at
// once, so a syntax error anywhere rejects the request before any statement runs.
#include "core/result.h"
#include "serve/ksql/sql_ast.h"

#include <string_view>
#include <vector>

namespace konform::serve::ksql {

// How deeply expressions and types may nest (parentheses, NOT, unary minus, ARRAY[...],
// STRUCT<...>) and how tall an expression tree may grow (a left-deep `1+1+...`, `a OR b OR ...` or
// an IN list adds one level per operand; an IN list is kept balanced, so long lists stay well
// inside it). Deeper input is a syntax error naming the limit rather than a stack overflow in the
// parser or in the recursive walks over the tree. One level of parentheses costs the recursive
// descent about 17 KB of stack in a debug build (more under ASan), so the limit keeps a deep
// statement within a couple of MB of a server thread's 8 MB.
inline constexpr int max_expression_height = 100;

// The most tokens one request's text may have: the lexer reads it all before parsing, and a
// 64 MB body of "((((" held about 150 bytes per character (1.5 GB for 10 MB) without a bound.
inline constexpr std::size_t max_request_tokens = 250000;

using ParseResult = Result<std::vector<Statement>, SyntaxError>;

ParseResult parse_statements(std::string_view text);

} // namespace konform::serve::ksql
