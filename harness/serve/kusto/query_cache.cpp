#include "serve/kusto/query_cache.h"

#include "serve/kusto/encode_v1.h"

#include <algorithm>

namespace konform::serve::kusto {

QueryCache::QueryCache(std::size_t capacity, std::size_t max_entry_bytes)
    : capacity_(capacity), max_entry_bytes_(max_entry_bytes) {}

std::string QueryCache::key(std::string_view database, std::string_view query,
                            const cluster::QueryParameters& parameters) {
  // Unit separators cannot be confused with text: a value holding one only makes a key that
  // no other request produces.
  std::string k;
  k.reserve(database.size() + query.size() + 2);
  k += database;
  k += '\x1f';
  k += query;
  for (const auto& [name, value] : parameters) {
    k += '\x1f';
    k += name;
    k += '\x1e';
    k += value;
  }
  return k;
}

std::shared_ptr<const PreparedResult> QueryCache::find(const std::string& key,
                                                       std::uint64_t generation) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return nullptr;
  if (it->second.generation != generation) {
    slots_.erase(it); // computed before a write: never valid again
    return nullptr;
  }
  it->second.last_used = ++clock_;
  return it->second.result;
}

void QueryCache::store(std::string key, std::uint64_t generation,
                       std::shared_ptr<const PreparedResult> result) {
  if (capacity_ == 0 || !result || result->rows_json.size() > max_entry_bytes_) return;
  std::lock_guard lock(mu_);
  if (slots_.size() >= capacity_ && !slots_.contains(key)) {
    // O(capacity) only when full and only on a miss: a scan is simpler than a linked list.
    auto oldest = std::min_element(slots_.begin(), slots_.end(), [](auto& a, auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    slots_.erase(oldest);
  }
  slots_[std::move(key)] = Slot{generation, ++clock_, std::move(result)};
}

std::size_t QueryCache::size() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

} // namespace konform::serve::kusto
