#pragma once
// The in-memory ksqlDB database behind konform serve: streams and tables with their schemas and
// rows, persistent (CREATE ... AS SELECT) and transient (push) queries, the command log with its
// sequence numbers. Thread-safe; every public call takes the one database lock, so a request's
// statements run atomically (validated all first in a sandbox, then applied, as ksqlDB does).
// Its parts: database.cpp (state, data flow), statement_runner.h (/ksql; CREATE statements in
// create_statement.cpp), query_plan.cpp, pull_query.cpp and push_query.cpp (/query),
// command_log.cpp (/status, sequence numbers).
#include "core/result.h"
#include "serve/ksql/sql_ast.h"
#include "serve/ksql/statement_error.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace konform::serve::ksql {

// Request-scoped settings: streamsProperties plus SET/UNSET, sessionVariables plus DEFINE.
struct RequestContext {
  std::map<std::string, std::string> properties;
  std::map<std::string, std::string> variables;
  bool earliest() const;
};

// The entities of a /ksql request, each a complete JSON entity object, or why it failed.
using ExecuteResult = Result<std::vector<std::string>, StatementError>;

struct Column {
  std::string name;
  SqlType type;
  bool key = false;
};

// A validated SELECT, ready to run as a pull query or to start as a push query.
struct QueryPlan {
  std::string id; // transient_<SOURCE>_<n> (push) or query_<millis> (pull)
  std::string source;
  std::string text;
  bool push = false;
  bool source_is_table = false;
  std::vector<Column> columns; // output columns; key = shown as KEY in a pull header
  std::vector<Expr> projections;
  std::optional<Expr> where;
  std::optional<std::int64_t> limit;
  bool earliest = false;
  // LogicalSchema text of the header: "`A` STRING, `B` BIGINT" (KEY markers for table pulls).
  std::string header_schema() const;
};

// Callbacks of a running push query; called with the database lock held, so they must only
// hand bytes to the network (never call back into the database).
struct PushCallbacks {
  std::function<void(const std::vector<Value>& row)> row;
  std::function<void()> limit_reached; // after the last row of LIMIT n
  std::function<void()> completed;     // TERMINATE of the transient query
};

struct DatabaseOptions {
  std::chrono::milliseconds command_timeout{5000}; // ksql.server.command.response.timeout.ms
  std::size_t max_push_queries = 100;              // ksql.max.push.queries
  std::string version = "0.29.0";
};

class Database {
public:
  explicit Database(DatabaseOptions options = {});
  ~Database();

  // Runs the statements of one /ksql request (already parsed).
  ExecuteResult execute(const std::vector<Statement>& statements, RequestContext context);

  // Waits until the command log has run past `sequence`; false on timeout (50301).
  bool wait_for_command(std::int64_t sequence);

  // Validates a SELECT for /query.
  Result<QueryPlan, StatementError> plan_query(const Statement& select,
                                               const RequestContext& context);
  // Pull: the rows the query returns now.
  std::vector<std::vector<Value>> run_pull(const QueryPlan& plan);
  // Push: registers the query (replaying earlier rows first when plan.earliest). Returns false
  // when ksql.max.push.queries are already running.
  bool start_push(const QueryPlan& plan, PushCallbacks callbacks);
  // The client went away: forget the query. Unknown ids are ignored.
  void stop_push(const std::string& id);
  // /close-query: ends a running push query (its `completed` callback runs); false if unknown.
  bool close_push(const std::string& id);
  std::size_t running_push_queries() const;
  // /inserts-stream's target check: nullopt when no such source, else whether it is a table.
  std::optional<bool> source_is_table(const std::string& name) const;
  // Its columns, keys first (empty when no such source).
  std::vector<Column> source_columns(const std::string& name) const;

  // /status/<commandId>: {"status":..,"message":..,"queryId":..}; nullopt when unknown.
  std::optional<std::string> command_status(const std::string& command_id) const;
  std::string all_command_statuses() const; // {"commandStatuses":{...}}

  // /ksql/terminate: drops every source and query; topics matching a deleteTopicList regex are
  // deleted. Returns the response array, or 40000 "Invalid pattern: <p>".
  Result<std::string, StatementError>
  terminate_cluster(const std::vector<std::string>& delete_topic_patterns);

  const DatabaseOptions& options() const { return options_; }

  struct State; // database_state.h: shared by the files that implement the database

private:
  DatabaseOptions options_;
  mutable std::mutex mu_;
  std::condition_variable command_cv_;
  std::unique_ptr<State> state_;
};

} // namespace konform::serve::ksql
