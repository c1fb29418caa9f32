#pragma once
// The KQL subset konform serve executes (README, section serve-kusto):
//   [declare query_parameters(name:type[=default], ...);]
//   print [name=]literal, ...
//   Table | take N | limit N | count | project c1, new=c2 | where c <op> literal [and ...]
// with op in ==, !=, <, <=, >, >=, =~, !~, contains, !contains, contains_cs, has, !has, has_cs.
// Anything else is a proper syntax (SYN0002) or semantic (SEM0100, ...) error, never a crash.
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/failure.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace konform::serve::kusto::cluster {

// The most tokens a query may have. The lexer reads the whole text before parsing, so without a
// bound a 64 MB body of "((((" held about 150 bytes per character (1.5 GB for 10 MB).
inline constexpr std::size_t max_query_tokens = 250000;

// Request "Parameters" (name → value as sent: a JSON scalar's text, or a KQL literal string).
using QueryParameters = std::map<std::string, std::string, std::less<>>;

// What a query depended on, for memoising its result.
struct QueryTrace {
  std::uint64_t generation = 0; // the catalog generation the result was computed at
  bool reads_clock = false;     // now(): the result differs from one run to the next
};

// Runs a query against database `database`; takes the catalog's shared lock while it scans.
Result<ResultTable, Failure> run_query(const Catalog& catalog, std::string_view database,
                                       std::string_view query,
                                       const QueryParameters& parameters = {},
                                       QueryTrace* trace = nullptr);

// Applies "| op | op ..." (text starting at the first '|') to a result already computed, e.g.
// the output of a management command (".show tables | where ...").
Result<ResultTable, Failure> run_pipeline(ResultTable input, std::string_view full_text,
                                          std::size_t pipe_offset);

} // namespace konform::serve::kusto::cluster
