#pragma once
// How cluster/ reports a failed request: everything the OneAPI error body needs (status, code,
// @type, message, @message, @permanent, @text, @database, innererror; see oneapi_error.h).
// The service turns a Failure into the HTTP response; cluster/ never builds HTTP itself.
// Functions that can fail this way return Result<T, Failure> (Error is too thin for OneAPI bodies).
#include "core/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace konform::serve::kusto::cluster {

struct InnerError {
  std::string code;    // "SYN0002", "SEM0100"
  std::string type;    // "Kusto.Data.Exceptions.SyntaxException"
  std::string message; // "A recognition error occurred."
  std::string detail;  // @message: "Syntax error: SYN0002: ..."
  int line = 0, pos = 0;
  std::string token;
};

struct Failure {
  int status = 400;
  std::string code = "General_BadRequest";
  std::string type = "Kusto.Data.Exceptions.KustoBadRequestException";
  std::string message = "Request is invalid and cannot be executed.";
  std::string detail; // @message: what the person has to read
  bool permanent = true;
  std::string text;     // @text: the query, when the error is about it
  std::string database; // @database
  std::optional<InnerError> inner;
};

// Common failures, with the texts real services use.
Failure syntax_error(std::string query, int line, int pos, std::string token);
Failure semantic_error(std::string query, std::string database, std::string code, std::string what);
Failure database_not_found(std::string database);
Failure table_not_found(const std::string& database, const std::string& table);
Failure bad_request(std::string detail, std::string code = "General_BadRequest");
// A valid Kusto management command that konform serve does not implement (never a syntax error):
// `what` names it (its leading words), `command` is the whole text.
Failure not_supported(std::string_view what, std::string_view command);

} // namespace konform::serve::kusto::cluster
