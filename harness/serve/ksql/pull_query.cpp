// Pull queries: the rows a SELECT without EMIT CHANGES returns now, from a stream's row log or a
// table's latest row per key.
#include "serve/ksql/database_state.h"

#include <map>

namespace konform::serve::ksql {

std::vector<std::vector<Value>> Database::run_pull(const QueryPlan& plan) {
  std::lock_guard lock(mu_);
  std::vector<std::vector<Value>> out;
  const Source* source = state_->catalog.find(plan.source);
  if (!source) return out;
  auto& log = state_->rows[plan.source];
  auto emit_row = [&](std::size_t i) {
    RowView view{&source->columns, &log[i].values, log[i].rowtime, static_cast<std::int64_t>(i)};
    if (passes(plan.where, view)) out.push_back(project(plan.projections, view));
  };
  if (source->table) {
    // A table holds the latest row per key, in the order keys first appeared.
    std::vector<std::size_t> latest;
    std::map<std::string, std::size_t> slot;
    for (std::size_t i = 0; i < log.size(); ++i) {
      std::string key;
      for (std::size_t c = 0; c < source->columns.size(); ++c)
        if (source->columns[c].key) append_json(key, log[i].values[c]), key += '\x1f';
      auto [it, fresh] = slot.emplace(key, latest.size());
      if (fresh)
        latest.push_back(i);
      else
        latest[it->second] = i;
    }
    for (auto i : latest)
      emit_row(i);
  } else {
    for (std::size_t i = 0; i < log.size(); ++i)
      emit_row(i);
  }
  if (plan.limit && out.size() > static_cast<std::size_t>(*plan.limit))
    out.resize(static_cast<std::size_t>(*plan.limit));
  return out;
}

} // namespace konform::serve::ksql
