#pragma once
// The database's metadata (what the sandbox copies to validate a request): sources, persistent
// queries and topics. Rows live outside it, in the database's row logs.
#include "serve/ksql/database.h"

#include <map>
#include <string>
#include <vector>

namespace konform::serve::ksql {

struct Source {
  std::string name;
  bool table = false;
  bool source_table = false;   // CREATE SOURCE TABLE / STREAM: read-only, materialised
  bool materialized = false;   // CTAS or SOURCE TABLE: pull queries allowed
  std::vector<Column> columns; // declared order
  std::string topic;
  std::string key_format = "KAFKA";
  std::string value_format = "JSON";
  std::string statement; // as the server echoes it (normalised CREATE text)

  // Keys first, then values: the order of SELECT *, implicit INSERT columns and DESCRIBE.
  std::vector<Column> logical_columns() const;
};

struct PersistentQuery {
  std::string id; // CSAS_<SINK>_<n>
  std::string text;
  std::string source; // reads from
  std::string sink;   // writes to
  std::vector<Expr> projections;
  std::optional<Expr> where;
};

struct Topic {
  std::string name;
  int partitions = 1;
  int replicas = 1;
};

struct Catalog {
  std::map<std::string, Source> sources; // by name
  std::map<std::string, PersistentQuery> queries;
  std::map<std::string, Topic> topics;
  std::int64_t next_sequence = 0; // the next command's sequence number
  std::int64_t next_query_number = 0;

  const Source* find(const std::string& name) const;
  // Ids of persistent queries reading `name`, and of those writing into it.
  std::vector<std::string> readers(const std::string& name) const;
  std::vector<std::string> writers(const std::string& name) const;
};

} // namespace konform::serve::ksql
