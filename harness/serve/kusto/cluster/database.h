#pragma once
// The in-memory catalog: databases → tables (schema, rows, ingestion mappings). One
// shared_mutex guards it all: queries hold a shared lock while they scan (in-memory, short),
// commands and ingestion take the exclusive lock to change it.
#include "core/result.h"
#include "serve/kusto/cluster/value.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace konform::serve::kusto::cluster {

struct Column {
  std::string name;
  Type type = Type::string;
};

using Row = std::vector<Value>;

struct Mapping {
  std::string name;
  std::string kind;    // "Json" or "Csv" (as .show table T ingestion mappings prints it)
  std::string text;    // the mapping as given (compact JSON array)
  std::string created; // datetime text, for the .show output
};

struct Table {
  std::string name;
  std::string folder;
  std::string docstring;
  std::vector<Column> columns;
  std::vector<Row> rows;
  std::vector<Mapping> mappings;
  // Policies set with .alter table T policy KIND: kind keyword → normalised JSON text.
  std::map<std::string, std::string, std::less<>> policies;

  // Index of a column by exact (case-sensitive) name, or -1.
  int column_index(std::string_view column) const;
};

struct Database {
  std::string name;
  std::map<std::string, Table, std::less<>> tables;
  std::map<std::string, std::string, std::less<>> policies; // as Table::policies
};

// A query or command result: what the encoders turn into v1 tables or v2 frames.
struct ResultTable {
  std::string name = "PrimaryResult";
  std::vector<Column> columns;
  std::vector<Row> rows;
};

class Catalog {
public:
  std::shared_lock<std::shared_mutex> read_lock() const { return std::shared_lock(mu_); }
  // Every write lock bumps the generation, so anything computed at an older generation (the
  // query cache's entries) is known to be stale.
  std::unique_lock<std::shared_mutex> write_lock() {
    std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    return lock;
  }
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Lookups: the caller holds one of the locks above. Database names are case-insensitive
  // (as in the service); table and column names are case-sensitive.
  const Database* find_database(std::string_view name) const;
  Database* find_database(std::string_view name);
  Database& add_database(const std::string& name);
  std::vector<const Database*> databases() const;

private:
  mutable std::shared_mutex mu_;
  std::atomic<std::uint64_t> generation_{0};
  std::map<std::string, Database> databases_; // key: lower-case name
};

// The bundled sample: database "Samples" with StormEvents (all ten scalar types, 20 rows) and
// a small States table; also an empty "NetDefaultDB" (the SDKs' default database).
void load_sample(Catalog& catalog);

// Loads every database folder under dir (format in README, section serve-kusto):
//   dir/<Database>/<Table>.schema   one line "Name:type, Name:type, ..."
//   dir/<Database>/<Table>.csv      rows (RFC 4180, no header line)
// Errors name file:line:column and stop that file only; all of them are returned together.
Status load_folder(Catalog& catalog, const std::string& dir);

// Parses "Name:type, Name:type" (the .create table syntax without parentheses).
Result<std::vector<Column>> parse_schema(std::string_view text);

} // namespace konform::serve::kusto::cluster
