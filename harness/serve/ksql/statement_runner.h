#pragma once
// The statement runner of POST /ksql, internal to the database: every statement of a request runs
// first against a sandbox copy of the catalog (one bad statement rejects the request before
// anything changes, as ksqlDB's RequestValidator does), then for real. Its CREATE statements are
// in create_statement.cpp, the rest in statement_runner.cpp.
#include "core/result.h"
#include "serve/ksql/database_state.h"
#include "serve/ksql/statement_error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace konform::serve::ksql {

using StatementStatus = Result<Ok, StatementError>;

// Runs one statement against `cat` (the sandbox or the real catalog). With `live` it also
// moves data, records commands and produces the statement's entity.
class StatementRunner {
public:
  StatementRunner(Database::State& state, Catalog& cat, RequestContext& ctx, bool live,
                  std::vector<std::string>& entities)
      : state_(state), cat_(cat), ctx_(ctx), live_(live), entities_(entities) {}

  StatementStatus run(const Statement& st);

private:
  void emit(std::string entity) {
    if (live_) entities_.push_back(std::move(entity));
  }

  std::int64_t command(const std::string& id, const std::string& status, const std::string& message,
                       std::optional<std::string> query_id) {
    std::int64_t seq = cat_.next_sequence++;
    if (live_) state_.commands[id] = CommandRecord{status, message, std::move(query_id)};
    return seq;
  }

  // Checks that the name is free. True when the statement is to be skipped: the name is taken
  // and IF NOT EXISTS turned the error into a warning.
  Result<bool, StatementError> name_taken(const Statement& st);

  // The WITH clause of a CREATE: known properties only, KAFKA_TOPIC and a format where ksqlDB
  // requires them, no windowed or Schema Registry sources.
  StatementStatus check_with(const Statement& st, bool as_select);

  // The CREATE text as ksqlDB echoes it: identifiers normalised, properties sorted, with the
  // defaults the server injects (CLEANUP_POLICY, KEY_FORMAT).
  std::string normalised_create(const Statement& st,
                                const std::map<std::string, std::string>& props);

  StatementStatus create_source(const Statement& st);

  // Missing topics are created (1 partition unless PARTITIONS says otherwise): konform has no
  // Kafka to pre-create them in (README: deliberate deviations).
  void ensure_topic(const std::string& topic, const Statement& st);

  // Adds or replaces a source in the catalog (a new one gets an empty row log when live).
  void replace_source(const Source& s);

  StatementStatus create_as_select(const Statement& st);

  StatementStatus drop(const Statement& st);

  StatementStatus terminate(const Statement& st);

  StatementStatus insert(const Statement& st);

  Database::State& state_;
  Catalog& cat_;
  RequestContext& ctx_;
  bool live_;
  std::vector<std::string>& entities_;
};

} // namespace konform::serve::ksql
