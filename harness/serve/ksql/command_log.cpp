// The command log: the statements that change the catalog get a command id and a sequence
// number; /status reads a command's outcome and commandSequenceNumber waits for one to have run.
#include "json/writer.h"
#include "serve/ksql/database_state.h"

namespace konform::serve::ksql {

bool Database::wait_for_command(std::int64_t sequence) {
  std::unique_lock lock(mu_);
  return command_cv_.wait_for(lock, options_.command_timeout,
                              [&] { return state_->catalog.next_sequence - 1 >= sequence; });
}

std::optional<std::string> Database::command_status(const std::string& command_id) const {
  std::lock_guard lock(mu_);
  auto it = state_->commands.find(command_id);
  if (it == state_->commands.end()) return std::nullopt;
  return entities::command_status(it->second.status, it->second.message, it->second.query_id);
}

std::string Database::all_command_statuses() const {
  std::lock_guard lock(mu_);
  std::string out = "{\"commandStatuses\":{";
  bool first = true;
  for (auto& [id, rec] : state_->commands) {
    if (!first) out += ',';
    first = false;
    json::append_quoted(out, id);
    out += ':';
    json::append_quoted(out, rec.status);
  }
  return out + "}}";
}

} // namespace konform::serve::ksql
