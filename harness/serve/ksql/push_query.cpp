// Push queries (EMIT CHANGES): starting one (replaying the row log first when reading from the
// earliest offset), handing it each new row until its LIMIT, and ending it on /close-query,
// TERMINATE, DROP of its source or the client's disconnect.
#include "serve/ksql/database_state.h"

namespace konform::serve::ksql {

bool Database::start_push(const QueryPlan& plan, PushCallbacks callbacks) {
  std::lock_guard lock(mu_);
  if (state_->push.size() >= options_.max_push_queries) return false;
  RunningPush q{plan, std::move(callbacks), 0};
  const Source* source = state_->catalog.find(plan.source);
  if (plan.limit && *plan.limit <= 0) {
    q.callbacks.limit_reached();
    return true;
  }
  if (source && plan.earliest) {
    auto& log = state_->rows[plan.source];
    for (std::size_t i = 0; i < log.size(); ++i) {
      RowView view{&source->columns, &log[i].values, log[i].rowtime, static_cast<std::int64_t>(i)};
      if (!passes(plan.where, view)) continue;
      q.callbacks.row(project(plan.projections, view));
      if (plan.limit && ++q.emitted >= *plan.limit) {
        q.callbacks.limit_reached();
        return true;
      }
    }
  }
  if (!source) { // dropped between planning and starting
    q.callbacks.completed();
    return true;
  }
  state_->push.emplace(plan.id, std::move(q));
  return true;
}

void Database::stop_push(const std::string& id) {
  std::lock_guard lock(mu_);
  state_->push.erase(id);
}

bool Database::close_push(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = state_->push.find(id);
  if (it == state_->push.end()) return false;
  it->second.callbacks.completed();
  state_->push.erase(it);
  return true;
}

std::size_t Database::running_push_queries() const {
  std::lock_guard lock(mu_);
  return state_->push.size();
}

void Database::State::deliver(const std::string& source_name, const RowView& view) {
  std::vector<std::string> finished;
  for (auto& [id, q] : push) {
    if (q.plan.source != source_name || !passes(q.plan.where, view)) continue;
    if (q.plan.limit && q.emitted >= *q.plan.limit) continue;
    q.callbacks.row(project(q.plan.projections, view));
    if (q.plan.limit && ++q.emitted >= *q.plan.limit) {
      q.callbacks.limit_reached();
      finished.push_back(id);
    }
  }
  for (auto& id : finished)
    push.erase(id);
}

void Database::State::complete_push_on(const std::string& source_name) {
  for (auto it = push.begin(); it != push.end();) {
    if (source_name.empty() || it->second.plan.source == source_name) {
      it->second.callbacks.completed();
      it = push.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<entities::TransientInfo> Database::State::transient_info() const {
  std::vector<entities::TransientInfo> out;
  for (auto& [id, q] : push)
    out.push_back({id, q.plan.text});
  return out;
}

} // namespace konform::serve::ksql
