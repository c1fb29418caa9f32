#pragma once
// The KsqlRequest body of POST /ksql and POST /query:
// {"ksql":..,"streamsProperties":{..},"sessionVariables":{..},"commandSequenceNumber":N}.
// Unknown fields are ignored (@JsonIgnoreProperties(ignoreUnknown = true)).
#include "core/result.h"
#include "serve/ksql/database.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::serve::ksql {

struct KsqlRequest {
  std::optional<std::string> ksql; // null or absent: nullopt
  std::map<std::string, std::string> streams_properties;
  std::map<std::string, std::string> session_variables;
  std::optional<std::int64_t> command_sequence_number;
};

// Errors are "Invalid JSON in request: ..." messages (the caller answers 400/40000).
Result<KsqlRequest> parse_ksql_request(std::string_view body);

// QueryStreamArgs of POST /query-stream: {"sql":..,"properties":{..},"sessionVariables":{..}}.
// The stream properties are `properties` here, not `streamsProperties`.
struct QueryStreamArgs {
  std::string sql;
  std::map<std::string, std::string> properties;
  std::map<std::string, std::string> session_variables;
};
Result<QueryStreamArgs> parse_query_stream_args(std::string_view body);

// {"queryId":"..."} of POST /close-query.
Result<std::string> parse_close_query(std::string_view body);

// InsertsStreamArgs, the first line of POST /inserts-stream: {"target":"S","properties":{..}}.
struct InsertsStreamArgs {
  std::string target; // as sent (the caller applies identifier rules)
  std::map<std::string, std::string> properties;
};
Result<InsertsStreamArgs> parse_inserts_stream_args(std::string_view line);

// One row line of /inserts-stream, {"COL":value,...}, as the INSERT INTO ... VALUES statement
// that inserts it (column names as identifiers, quoted when they need it). A JSON object is a
// MAP or a STRUCT literal by the type of the target column (or field, or element) it fills, so
// `columns` are the target's. An error when the line is not a JSON object (ksqlDB: "Invalid
// JSON in inserts stream") or an object fills no MAP or STRUCT (ErrorKind::format: the row is
// JSON, the database refuses it).
Result<std::string> inserts_row_statement(std::string_view target, std::string_view line,
                                          const std::vector<Column>& columns = {});

// {"deleteTopicList":["a","b.*"]} of POST /ksql/terminate (the field is optional).
Result<std::vector<std::string>> parse_terminate_request(std::string_view body);

} // namespace konform::serve::ksql
