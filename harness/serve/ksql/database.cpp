// The database's state and what every part of it uses: the live data flow of a new row, the
// source lookup of /inserts-stream and TERMINATE CLUSTER. The statement runner, the query planner,
// pull and push queries and the command log are in files of their own.
#include "core/regex.h"
#include "core/text.h"
#include "serve/ksql/database_state.h"

#include <chrono>
#include <regex>
#include <set>

namespace konform::serve::ksql {

bool RequestContext::earliest() const {
  for (const char* key : {"ksql.streams.auto.offset.reset", "auto.offset.reset"}) {
    auto it = properties.find(key);
    if (it != properties.end()) return text::iequals(it->second, "earliest");
  }
  return false;
}

std::int64_t now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool passes(const std::optional<Expr>& where, const RowView& row) {
  if (!where) return true;
  Value v = evaluate(*where, row);
  return v.kind == Value::Kind::Boolean && v.boolean;
}

std::vector<Value> project(const std::vector<Expr>& exprs, const RowView& row) {
  std::vector<Value> out;
  out.reserve(exprs.size());
  for (auto& e : exprs)
    out.push_back(evaluate(e, row));
  return out;
}

void Database::State::publish(const std::string& source_name, StoredRow row) {
  auto* source = catalog.find(source_name);
  if (!source) return;
  auto& log = rows[source_name];
  RowView view{&source->columns, &row.values, row.rowtime, static_cast<std::int64_t>(log.size())};
  // Persistent queries first (their sinks may feed further queries), then push queries.
  for (auto& [id, q] : catalog.queries) {
    if (q.source != source_name || !passes(q.where, view)) continue;
    StoredRow out{row.rowtime, project(q.projections, view)};
    publish(q.sink, std::move(out));
  }
  deliver(source_name, view);
  log.push_back(std::move(row));
}

Database::Database(DatabaseOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}

Database::~Database() = default;

std::optional<bool> Database::source_is_table(const std::string& name) const {
  std::lock_guard lock(mu_);
  const Source* s = state_->catalog.find(name);
  if (!s) return std::nullopt;
  return s->table;
}

std::vector<Column> Database::source_columns(const std::string& name) const {
  std::lock_guard lock(mu_);
  const Source* s = state_->catalog.find(name);
  return s ? s->logical_columns() : std::vector<Column>{};
}

Result<std::string, StatementError>
Database::terminate_cluster(const std::vector<std::string>& patterns) {
  std::vector<std::regex> regexes;
  for (auto& p : patterns) {
    auto compiled = compile_regex(p);
    if (!compiled) return StatementError{400, 40000, "Invalid pattern: " + p, "", true};
    regexes.push_back(std::move(*compiled));
  }
  std::string body;
  {
    std::lock_guard lock(mu_);
    auto& st = *state_;
    st.complete_push_on("");
    std::set<std::string> source_topics;
    for (auto& [name, s] : st.catalog.sources)
      source_topics.insert(s.topic);
    for (auto& topic : source_topics)
      for (auto& re : regexes)
        if (std::regex_match(topic, re)) st.catalog.topics.erase(topic);
    st.catalog.sources.clear();
    st.catalog.queries.clear();
    st.rows.clear();
    std::int64_t seq = st.catalog.next_sequence++;
    std::string id = "cluster/TerminateCluster/terminate";
    st.commands[id] = CommandRecord{"QUEUED", "Statement written to command topic", std::nullopt};
    body = "[" +
           entities::current_status("TERMINATE CLUSTER;", id, "QUEUED",
                                    "Statement written to command topic", std::nullopt, seq) +
           "]";
  }
  command_cv_.notify_all();
  return body;
}

} // namespace konform::serve::ksql
