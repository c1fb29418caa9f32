#pragma once
// The database's state behind its one lock, shared by the files that implement Database: the
// catalog, each source's row log, the running push queries and the command log, and how a new row
// flows from a source through persistent and push queries. Internal to the ksql module.
#include "serve/ksql/catalog.h"
#include "serve/ksql/database.h"
#include "serve/ksql/entities.h"
#include "serve/ksql/expression.h"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace konform::serve::ksql {

struct StoredRow {
  std::int64_t rowtime = 0;
  std::vector<Value> values; // the source's declared column order
};

struct RunningPush {
  QueryPlan plan;
  PushCallbacks callbacks;
  std::int64_t emitted = 0;
};

struct CommandRecord {
  std::string status, message;
  std::optional<std::string> query_id;
};

// Wall-clock milliseconds: ROWTIME of inserted rows, pull query ids.
std::int64_t now_millis();
// Whether a row passes a WHERE (no WHERE: every row).
bool passes(const std::optional<Expr>& where, const RowView& row);
// The values a query's projections compute from a row.
std::vector<Value> project(const std::vector<Expr>& exprs, const RowView& row);

struct Database::State {
  Catalog catalog;
  std::map<std::string, std::vector<StoredRow>> rows; // each source's row log, in arrival order
  std::map<std::string, RunningPush> push;            // by query id
  std::map<std::string, CommandRecord> commands;      // the command log, by command id
  std::mt19937_64 random{std::random_device{}()};

  // A new row of a source: the persistent queries reading it run first (their sinks may feed
  // further queries), then the push queries on it see it, then it joins the row log.
  void publish(const std::string& source_name, StoredRow row);
  // Hands a row to the push queries on a source; those that reached their LIMIT end.
  void deliver(const std::string& source_name, const RowView& view);
  // Completes the push queries on a source, or all of them for an empty name.
  void complete_push_on(const std::string& source_name);
  // The running push queries, as SHOW QUERIES lists them.
  std::vector<entities::TransientInfo> transient_info() const;
};

} // namespace konform::serve::ksql
