#pragma once
// What a query or management request asks for: the JSON body {db, csl, properties} (properties
// as an object or as a JSON string: Node and Go send an object, Python a string) or the GET form
// ?db=&csl=&properties=, and the request options konform serve honours.
#include "serve/http_server.h"
#include "serve/kusto/cluster/failure.h"
#include "serve/kusto/cluster/kql.h"
#include "serve/kusto/encode_v2.h"

#include <optional>
#include <string>

namespace konform::serve::kusto {

struct QueryRequest {
  std::string db = "NetDefaultDB";
  std::string csl;
  cluster::QueryParameters parameters;
  V2Options v2;
  // Rows beyond this are cut and reported as a partial failure (default: the service's 500,000).
  std::size_t truncation_max_records = 500000;
  std::int64_t servertimeout_ticks = 0; // 0 = not given
};

// Bad input (invalid JSON with line:column, a missing csl, an option of the wrong type) is a 400
// Failure that says which field is wrong and what is expected.
Result<QueryRequest, cluster::Failure> parse_query_request(const ServerRequest& request);

// The start of a command or query for the access log (at most `limit` bytes, "..." when cut),
// with secrets removed first: SAS signatures, obfuscated string literals (h'...'), and what
// follows ';' or '?' in a quoted URL (storage keys, tokens).
std::string csl_for_log(std::string_view csl, std::size_t limit = 120);

} // namespace konform::serve::kusto
