#pragma once
// Parses a request's `ksql` text into statements, the way ksqlDB does it first: the whole text at
// once, so a syntax error anywhere rejects the request before any statement runs.
#include "serve/ksql/sql_ast.h"

#include <string_view>
#include <variant>
#include <vector>

namespace konform::serve::ksql {

using ParseResult = std::variant<std::vector<Statement>, SyntaxError>;

ParseResult parse_statements(std::string_view text);

} // namespace konform::serve::ksql
