// The statement runner of POST /ksql: the dispatch over statement types, DROP, TERMINATE and
// INSERT VALUES, and Database::execute, which runs a request's statements in the sandbox first.
#include "serve/ksql/statement_runner.h"

#include "core/text.h"

namespace konform::serve::ksql {

StatementStatus StatementRunner::run(const Statement& st) {
  using T = Statement::Type;
  switch (st.type) {
  case T::CreateSource:
    return create_source(st);
  case T::CreateAsSelect:
    return create_as_select(st);
  case T::Drop:
    return drop(st);
  case T::ListStreams:
  case T::ListTables:
    if (st.extended)
      return unsupported(st.table ? "SHOW TABLES EXTENDED" : "SHOW STREAMS EXTENDED", st);
    emit(entities::sources_list(st.text, cat_, st.table));
    return Ok{};
  case T::ListQueries:
    if (st.extended) return unsupported("SHOW QUERIES EXTENDED", st);
    emit(entities::queries(st.text, cat_, state_.transient_info()));
    return Ok{};
  case T::ListProperties:
    emit(entities::properties(st.text, ctx_.properties));
    return Ok{};
  case T::ListTopics:
    if (st.extended) return unsupported("SHOW TOPICS EXTENDED", st);
    emit(entities::topics(st.text, cat_));
    return Ok{};
  case T::ListVariables:
    emit(entities::variables(st.text, ctx_.variables));
    return Ok{};
  case T::Describe: {
    const Source* s = cat_.find(st.name);
    if (!s)
      return statement_error("Could not find STREAM/TABLE '" + st.name + "' in the Metastore", st);
    emit(entities::source_description(st.text, cat_, *s, st.extended));
    return Ok{};
  }
  case T::InsertValues:
    return insert(st);
  case T::Set:
    ctx_.properties[st.name] = st.value;
    return Ok{};
  case T::Unset:
    ctx_.properties.erase(st.name);
    return Ok{};
  case T::Define:
    ctx_.variables[st.name] = st.value;
    return Ok{};
  case T::Undefine:
    if (!ctx_.variables.erase(st.name))
      emit(entities::warning(st.text,
                             "Cannot undefine variable '" + st.name + "' which was never defined"));
    return Ok{};
  case T::Select:
    return StatementError{400, 40002,
                          "The following statement types should be issued to the websocket "
                          "endpoint '/query':\n\t* PRINT\n\t* SELECT",
                          st.text, false};
  case T::Terminate:
    return terminate(st);
  }
  return unsupported("This statement", st);
}

StatementStatus StatementRunner::drop(const Statement& st) {
  const Source* s = cat_.find(st.name);
  std::string kind = st.table ? "table" : "stream";
  if (!s) {
    if (st.if_exists) {
      std::string id = kind + "/" + st.name + "/drop";
      std::string msg = "Source `" + st.name + "` does not exist.";
      auto seq = command(id, "SUCCESS", msg, std::nullopt);
      emit(entities::current_status(st.text, id, "SUCCESS", msg, std::nullopt, seq));
      return Ok{};
    }
    return statement_error("Source " + st.name + " does not exist.", st);
  }
  if (s->table != st.table)
    return statement_error(std::string("Incompatible data source type is ") +
                               (s->table ? "TABLE" : "STREAM") + ", but statement was DROP " +
                               (st.table ? "TABLE" : "STREAM"),
                           st);
  auto readers = cat_.readers(st.name);
  if (!readers.empty()) {
    std::string list;
    for (auto& r : readers)
      list += (list.empty() ? "" : ", ") + cat_.queries.at(r).sink;
    return statement_error("Cannot drop " + st.name +
                               ".\nThe following streams and/or tables read from "
                               "this source: [" +
                               list + "].\nYou need to drop them before dropping " + st.name + ".",
                           st);
  }
  std::string topic = s->topic;
  for (auto& w : cat_.writers(st.name)) // the query writing into it is terminated with it
    cat_.queries.erase(w);
  cat_.sources.erase(st.name);
  if (st.delete_topic) cat_.topics.erase(topic);
  if (live_) {
    state_.complete_push_on(st.name);
    state_.rows.erase(st.name);
  }
  std::string id = kind + "/" + st.name + "/drop";
  std::string msg = "Source `" + st.name + "` (topic: " + topic + ") was dropped.";
  auto seq = command(id, "SUCCESS", msg, std::nullopt);
  emit(entities::current_status(st.text, id, "SUCCESS", msg, std::nullopt, seq));
  return Ok{};
}

StatementStatus StatementRunner::terminate(const Statement& st) {
  std::vector<std::string> ids;
  if (st.all) {
    for (auto& [id, q] : cat_.queries)
      ids.push_back(id);
  } else {
    for (auto& [id, q] : cat_.queries)
      if (text::iequals(id, st.query_id)) ids.push_back(id);
    if (ids.empty()) {
      for (auto& [id, q] : state_.push) {
        if (!text::iequals(id, st.query_id)) continue;
        emit(entities::terminate_query(st.text, id));
        if (live_) {
          q.callbacks.completed();
          state_.push.erase(id);
        }
        return Ok{};
      }
      return statement_error("Unknown queryId: " + st.query_id, st);
    }
  }
  for (auto& id : ids)
    cat_.queries.erase(id);
  std::string command_id = "terminate/" + (st.all ? std::string("ALL") : ids.at(0)) + "/execute";
  auto seq = command(command_id, "SUCCESS", "Query terminated.", std::nullopt);
  emit(entities::current_status(st.text, command_id, "SUCCESS", "Query terminated.", std::nullopt,
                                seq));
  return Ok{};
}

StatementStatus StatementRunner::insert(const Statement& st) {
  const Source* s = cat_.find(st.name);
  if (!s)
    return statement_error("Cannot insert values into an unknown stream/table: " + st.name, st);
  if (s->source_table)
    return statement_error("Cannot insert values into read-only " +
                               std::string(s->table ? "table" : "stream") + ": " + st.name,
                           st);
  std::vector<std::string> names = st.insert_columns;
  if (names.empty())
    for (auto& c : s->logical_columns())
      names.push_back(c.name);
  for (auto& n : names)
    if (n == "ROWPARTITION" || n == "ROWOFFSET")
      return statement_error("Inserting into column `" + n + "` is not allowed.", st);
  if (names.size() != st.insert_values.size())
    return statement_error(
        "Failed to prepare statement: Expected number columns and values to match: " +
            std::to_string(names.size()) + ", " + std::to_string(st.insert_values.size()),
        st);
  StoredRow row;
  row.rowtime = now_millis();
  row.values.assign(s->columns.size(), Value{});
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Expr& e = st.insert_values[i];
    if (references_columns(e)) {
      const Expr* col = &e;
      while (col->kind != Expr::Kind::Column && !col->args.empty())
        col = &col->args[0];
      if (col->kind == Expr::Kind::Column && !col->qualifier.empty())
        return statement_error("Failed to prepare statement: '" + col->qualifier +
                                   "' is not a valid stream/table name or alias.",
                               st);
      return statement_error(
          "Failed to prepare statement: INSERT VALUES cannot reference columns: " + e.text(), st);
    }
    auto type = check_expression(e, {}, "VALUES");
    if (!type) return statement_error(type.error().message, st);
    Value v = evaluate_constant(e);
    if (names[i] == "ROWTIME") {
      if (v.kind != Value::Kind::Int)
        return statement_error("Failed to insert values into '" + st.name +
                                   "'. ROWTIME must be a "
                                   "BIGINT, but got " +
                                   sql_text(v),
                               st);
      row.rowtime = v.integer;
      continue;
    }
    int idx = find_column(s->columns, names[i]);
    if (idx < 0)
      return statement_error("Failed to insert values into '" + st.name + "'. Column name `" +
                                 names[i] + "` does not exist.",
                             st);
    const Column& col = s->columns[static_cast<std::size_t>(idx)];
    auto coerced = coerce(v, col.type);
    if (!coerced)
      return statement_error("Failed to insert values into '" + st.name + "'. Expected type " +
                                 col.type.to_string() + " for column `" + col.name + "` but got " +
                                 sql_text(v) + " (" + literal_type_name(v) + ")",
                             st);
    row.values[static_cast<std::size_t>(idx)] = std::move(*coerced);
  }
  if (s->table) {
    for (std::size_t i = 0; i < s->columns.size(); ++i)
      if (s->columns[i].key && row.values[i].is_null())
        return statement_error("Failed to insert values into '" + st.name +
                                   "'. Value for primary key "
                                   "column(s) " +
                                   s->columns[i].name + " is required for tables",
                               st);
  }
  if (live_) state_.publish(st.name, std::move(row));
  return Ok{};
}

ExecuteResult Database::execute(const std::vector<Statement>& statements, RequestContext context) {
  std::vector<std::string> entities;
  {
    std::lock_guard lock(mu_);
    // Validate every statement in a sandbox first: one bad statement rejects the request
    // and nothing before it runs (ksqlDB's RequestValidator).
    Catalog sandbox = state_->catalog;
    RequestContext sandbox_context = context;
    std::vector<std::string> ignored;
    StatementRunner validator(*state_, sandbox, sandbox_context, false, ignored);
    for (auto& st : statements)
      if (auto ran = validator.run(st); !ran) return ran.error();
    StatementRunner runner(*state_, state_->catalog, context, true, entities);
    for (auto& st : statements)
      if (auto ran = runner.run(st); !ran) { // cannot happen after validation; kept as a guard
        command_cv_.notify_all();            // what ran before it may have been commands
        return ran.error();
      }
  }
  command_cv_.notify_all();
  return entities;
}

} // namespace konform::serve::ksql
