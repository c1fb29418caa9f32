#pragma once
// ksqlDB error objects: KsqlErrorMessage {"@type":"generic_error","error_code","message"} and
// KsqlStatementErrorMessage (adds "statementText" and "entities"), error_code = HTTP status × 100
// + n; whole error bodies, and the same objects inside query streams ({"errorMessage":{...}}).
#include "protocol/findings.h"

#include <simdjson.h>

#include <string>

namespace konform::protocol::ksql {

// Checks one error object at `path` and returns "error_code: message" for in-band findings.
// status = the HTTP status when known (0 otherwise); error_code / 100 must equal it.
std::string check_error_object(simdjson::dom::element error, const std::string& path, int status,
                               Findings& out);

} // namespace konform::protocol::ksql
