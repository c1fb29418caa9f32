#include "serve/kusto/cluster/failure.h"

namespace konform::serve::kusto::cluster {

Failure syntax_error(std::string query, int line, int pos, std::string token) {
  Failure f;
  std::string where = "[line:position=" + std::to_string(line) + ":" + std::to_string(pos) + "]";
  f.detail = "Request is invalid and cannot be processed: Syntax error: SYN0002: A recognition "
             "error occurred. " +
             where + ". Query: '" + query + "'";
  f.text = query;
  InnerError in;
  in.code = "SYN0002";
  in.type = "Kusto.Data.Exceptions.SyntaxException";
  in.message = "A recognition error occurred.";
  in.detail = "Syntax error: SYN0002: A recognition error occurred. " + where;
  in.line = line;
  in.pos = pos;
  in.token = std::move(token);
  f.inner = std::move(in);
  return f;
}

Failure semantic_error(std::string query, std::string database, std::string code,
                       std::string what) {
  Failure f;
  f.detail = "Request is invalid and cannot be processed: Semantic error: " + code + ": " + what;
  f.text = std::move(query);
  f.database = std::move(database);
  InnerError in;
  in.code = code;
  in.type = "Kusto.Data.Exceptions.SemanticException";
  in.message = what;
  in.detail = "Semantic error: " + code + ": " + what;
  f.inner = std::move(in);
  return f;
}

Failure database_not_found(std::string database) {
  Failure f;
  f.code = "BadRequest_DatabaseNotExist";
  f.type = "Kusto.Data.Exceptions.DatabaseNotFoundException";
  f.detail = "Database '" + database +
             "' was not found. Check the database name (konform serve "
             "has: see .show databases).";
  f.database = std::move(database);
  return f;
}

Failure table_not_found(const std::string& database, const std::string& table) {
  Failure f;
  f.code = "BadRequest_TableNotExist";
  f.type = "Kusto.Data.Exceptions.TableNotFoundException";
  f.detail = "Table '" + table + "' was not found in database '" + database +
             "'. Check the name (table names are case-sensitive; see .show tables).";
  f.database = database;
  return f;
}

Failure bad_request(std::string detail, std::string code) {
  Failure f;
  f.code = std::move(code);
  f.detail = std::move(detail);
  return f;
}

Failure not_supported(std::string_view what, std::string_view command) {
  Failure f;
  f.code = "BadRequest_NotSupported";
  f.detail =
      "Request is invalid and cannot be processed: the command '" + std::string(what) +
      "' is valid Kusto but not supported by konform serve. Supported management commands: "
      ".show version|databases|tables, .show table T schema as json, .show table T "
      "ingestion [json|csv] mappings, .create|.create-merge|.drop table, .drop tables (...), "
      ".create[-or-alter] table T ingestion json|csv mapping, .alter|.show|.delete "
      "table|database policy streamingingestion|ingestionbatching|retention, .clear ... cache "
      "streamingingestion schema, .refresh ... cache ingestionbatchingpolicy (README, "
      "section serve-kusto).";
  f.text = std::string(command);
  return f;
}

} // namespace konform::serve::kusto::cluster
