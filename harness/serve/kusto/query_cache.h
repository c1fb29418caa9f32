#pragma once
// Memoised query results. Load tests send the same few queries over and over; lexing, running
// and encoding them again every time was about a quarter of serve's CPU for a small v2 query
// (perf, bench/README.md section serve). An entry is keyed by database, query text and
// parameters and stamped with the catalog generation it was computed at; every write to the
// catalog (ingestion, .create, .drop, ...) bumps the generation, so a stale entry is never
// served. Queries that read the clock (now()) are never stored. Only the result is shared:
// ids, timestamps and the completion tables are written fresh for every response.
#include "serve/kusto/cluster/kql.h"
#include "serve/kusto/prepared_result.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace konform::serve::kusto {

class QueryCache {
public:
  // At most `capacity` entries (the least recently used is evicted); a result whose encoded
  // rows exceed `max_entry_bytes` is not stored, so memory stays below their product.
  explicit QueryCache(std::size_t capacity, std::size_t max_entry_bytes = std::size_t(1) << 20);

  static std::string key(std::string_view database, std::string_view query,
                         const cluster::QueryParameters& parameters);

  // The entry for `key` if it was computed at `generation`; null otherwise.
  std::shared_ptr<const PreparedResult> find(const std::string& key, std::uint64_t generation);
  void store(std::string key, std::uint64_t generation,
             std::shared_ptr<const PreparedResult> result);
  std::size_t size() const;

private:
  struct Slot {
    std::uint64_t generation;
    std::uint64_t last_used;
    std::shared_ptr<const PreparedResult> result;
  };
  const std::size_t capacity_, max_entry_bytes_;
  mutable std::mutex mu_;
  std::uint64_t clock_ = 0;
  std::unordered_map<std::string, Slot> slots_;
};

} // namespace konform::serve::kusto
