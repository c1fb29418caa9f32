#pragma once
// The ksql module's error payload, as Beast gives each module its own error type: why a statement
// or request failed, with what ksqlDB's statement_error / generic_error body needs. Failing calls
// return Result<T, StatementError>.
#include "serve/ksql/sql_ast.h"

#include <string>
#include <utility>

namespace konform::serve::ksql {

// Why a statement failed, in ksqlDB's terms: statement_error (40001) unless `generic`.
struct StatementError {
  int http_status = 400;
  int error_code = 40001;
  std::string message;
  std::string statement_text;
  bool generic = false; // a generic_error body (no statementText/entities)
};

// A statement_error (400 / 40001) about `st`, with ksqlDB's message.
inline StatementError statement_error(std::string message, const Statement& st) {
  return StatementError{400, 40001, std::move(message), st.text, false};
}

// konform's own refusal for statements outside the subset: still a proper statement_error.
inline StatementError unsupported(const std::string& what, const Statement& st) {
  return statement_error(
      what + " is not supported by konform serve (see README, serve-ksql: the subset)", st);
}

} // namespace konform::serve::ksql
