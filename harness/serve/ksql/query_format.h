#pragma once
// The bytes of a /query response in ksqlDB 0.29 (JsonStreamedRowResponseWriter for
// application/vnd.ksql.v1+json and application/json, the delimited writer for
// application/vnd.ksqlapi.delimited.v1). One element per line: the Java CLI parses line by line.
#include "serve/ksql/database.h"

#include <string>
#include <vector>

namespace konform::serve::ksql {

// StreamedRows: /query (and /query-stream with vnd.ksql.v1+json); Delimited: metadata line then
// one JSON array per row; JsonArray: /query-stream with application/json, one array without
// newlines, `[` + metadata + (`,` + row)* + `]`.
enum class QueryFormat { StreamedRows, Delimited, JsonArray };

// The first chunk: `[{"header":{...}},\n` or the delimited metadata line.
std::string query_header(QueryFormat f, const QueryPlan& plan);
// One push row: `{"row":{"columns":[...]}},\n` or `[...]\n`.
std::string query_row(QueryFormat f, const std::vector<Value>& row);
// The end of a push query at LIMIT ("Limit Reached") or when terminated ("Query Completed");
// empty for delimited (the response simply ends).
std::string query_end(QueryFormat f, bool limit_reached);
// A whole pull query response.
std::string pull_body(QueryFormat f, const QueryPlan& plan,
                      const std::vector<std::vector<Value>>& rows);

} // namespace konform::serve::ksql
