// The statement runner of POST /ksql: every statement of a request runs first against a sandbox
// copy of the catalog (one bad statement rejects the request before anything changes, as ksqlDB's
// RequestValidator does), then for real: CREATE, CREATE ... AS SELECT, DROP, INSERT VALUES,
// TERMINATE, SHOW/LIST, DESCRIBE, SET/UNSET, DEFINE/UNDEFINE.
#include "core/text.h"
#include "serve/ksql/engine_state.h"
#include "serve/ksql/projection.h"
#include "serve/ksql/statement_error.h"

#include <algorithm>
#include <set>

namespace konform::serve::ksql {

namespace {

using StatementStatus = Result<Ok, StatementError>;

// ksqlDB prints an identifier bare when it reads back the same unquoted, else in backticks.
std::string format_identifier(const std::string& name) {
  bool plain =
      !name.empty() && (std::isupper(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name)
    plain = plain && (std::isupper(static_cast<unsigned char>(c)) ||
                      std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  return plain ? name : "`" + name + "`";
}

std::string format_property_value(const Value& v) {
  if (v.kind == Value::Kind::String) return "'" + v.text + "'";
  return sql_text(v);
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const Value* find_property(const Statement& st, const char* name) {
  for (auto& [k, v] : st.with)
    if (k == name) return &v;
  return nullptr;
}

bool known_format(const std::string& f) {
  static const char* formats[] = {"JSON",  "AVRO",    "PROTOBUF", "DELIMITED",
                                  "KAFKA", "JSON_SR", "NONE",     "PROTOBUF_NOSR"};
  for (auto* k : formats)
    if (f == k) return true;
  return false;
}

// Runs one statement against `cat` (the sandbox or the real catalog). With `live` it also
// moves data, records commands and produces the statement's entity.
class StatementRunner {
public:
  StatementRunner(Engine::State& state, Catalog& cat, RequestContext& ctx, bool live,
                  std::vector<std::string>& entities)
      : state_(state), cat_(cat), ctx_(ctx), live_(live), entities_(entities) {}

  StatementStatus run(const Statement& st) {
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
        return statement_error("Could not find STREAM/TABLE '" + st.name + "' in the Metastore",
                               st);
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
        emit(entities::warning(st.text, "Cannot undefine variable '" + st.name +
                                            "' which was never defined"));
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

private:
  void emit(std::string entity) {
    if (live_) entities_.push_back(std::move(entity));
  }

  std::int64_t command(const std::string& id, const std::string& status, const std::string& message,
                       std::optional<std::string> query_id) {
    std::int64_t seq = cat_.next_sequence++;
    if (live_) state_.commands[id] = CommandRecord{status, message, std::move(query_id)};
    return seq;
  }

  // Checks that the name is free. True when the statement is to be skipped: the name is taken
  // and IF NOT EXISTS turned the error into a warning.
  Result<bool, StatementError> name_taken(const Statement& st) {
    const Source* existing = cat_.find(st.name);
    if (!existing || st.or_replace) return false;
    std::string kind = st.table ? "table" : "stream";
    std::string msg = "Cannot add " + kind + " `" + st.name + "`: A " +
                      (existing->table ? "table" : "stream") +
                      " with the same name already exists.";
    if (st.if_not_exists) {
      emit(entities::warning(st.text, msg));
      return true;
    }
    return statement_error(msg, st);
  }

  StatementStatus check_with(const Statement& st, bool as_select) {
    static const char* allowed[] = {"KAFKA_TOPIC",
                                    "VALUE_FORMAT",
                                    "KEY_FORMAT",
                                    "FORMAT",
                                    "PARTITIONS",
                                    "REPLICAS",
                                    "TIMESTAMP",
                                    "TIMESTAMP_FORMAT",
                                    "WRAP_SINGLE_VALUE",
                                    "VALUE_DELIMITER",
                                    "KEY_DELIMITER",
                                    "WINDOW_TYPE",
                                    "WINDOW_SIZE",
                                    "KEY_SCHEMA_ID",
                                    "VALUE_SCHEMA_ID",
                                    "KEY_SCHEMA_FULL_NAME",
                                    "VALUE_SCHEMA_FULL_NAME",
                                    "VALUE_AVRO_SCHEMA_FULL_NAME",
                                    "RETENTION_MS",
                                    "CLEANUP_POLICY",
                                    "SOURCE_CONNECTOR"};
    std::vector<std::string> unknown;
    for (auto& property : st.with) { // not a structured binding: clang 14 cannot capture those
      const std::string& k = property.first;
      if (std::find_if(std::begin(allowed), std::end(allowed),
                       [&](const char* a) { return k == a; }) == std::end(allowed))
        unknown.push_back(k);
    }
    if (!unknown.empty()) {
      std::string list;
      for (auto& u : unknown)
        list += (list.empty() ? "" : ",") + u;
      return statement_error("Invalid config variable(s) in the WITH clause: " + list, st);
    }
    if (!as_select && !find_property(st, "KAFKA_TOPIC"))
      return statement_error(
          "Missing required property \"KAFKA_TOPIC\" which has no default value.", st);
    if (!as_select && !find_property(st, "VALUE_FORMAT") && !find_property(st, "FORMAT"))
      return statement_error(
          "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. "
          "Either provide one or set a default via the "
          "'ksql.persistence.default.format.value' config.",
          st);
    for (const char* f : {"VALUE_FORMAT", "KEY_FORMAT", "FORMAT"}) {
      const Value* v = find_property(st, f);
      if (v && !known_format(upper(v->text)))
        return statement_error("Unknown format: " + v->text, st);
    }
    if (find_property(st, "WINDOW_TYPE")) return unsupported("WINDOW_TYPE (windowed sources)", st);
    if (find_property(st, "KEY_SCHEMA_ID") || find_property(st, "VALUE_SCHEMA_ID"))
      return unsupported("Schema Registry schema ids", st);
    return Ok{};
  }

  // The CREATE text as ksqlDB echoes it: identifiers normalised, properties sorted, with the
  // defaults the server injects (CLEANUP_POLICY, KEY_FORMAT).
  std::string normalised_create(const Statement& st,
                                const std::map<std::string, std::string>& props) {
    std::string s = "CREATE ";
    if (st.or_replace) s += "OR REPLACE ";
    if (st.source) s += "SOURCE ";
    s += st.table ? "TABLE " : "STREAM ";
    if (st.if_not_exists) s += "IF NOT EXISTS ";
    s += format_identifier(st.name) + " (";
    for (std::size_t i = 0; i < st.columns.size(); ++i) {
      auto& c = st.columns[i];
      if (i) s += ", ";
      std::string type = c.type.to_string();
      s += format_identifier(c.name) + " " + type;
      if (c.key) s += st.table ? " PRIMARY KEY" : " KEY";
    }
    s += ") WITH (";
    bool first = true;
    for (auto& [k, v] : props) {
      s += (first ? "" : ", ") + k + "=" + v;
      first = false;
    }
    return s + ");";
  }

  StatementStatus create_source(const Statement& st) {
    auto taken = name_taken(st);
    if (!taken) return taken.error();
    if (*taken) return Ok{};
    if (auto with = check_with(st, false); !with) return with;
    if (st.columns.empty())
      return statement_error("The statement does not define any columns.", st);
    const char* rule = "\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have "
                       "KEYs, which have no uniqueness or NON NULL constraints.";
    std::set<std::string> seen;
    bool has_key = false;
    for (auto& c : st.columns) {
      if (c.key && st.table && !c.primary)
        return statement_error("Column `" + c.name +
                                   "` is a 'KEY' column: please use 'PRIMARY KEY' for "
                                   "tables." +
                                   rule,
                               st);
      if (c.key && !st.table && c.primary)
        return statement_error("Column `" + c.name +
                                   "` is a 'PRIMARY KEY' column: please use 'KEY' for "
                                   "streams." +
                                   rule,
                               st);
      if (c.name == "ROWTIME" || c.name == "ROWPARTITION" || c.name == "ROWOFFSET" ||
          c.name == "WINDOWSTART" || c.name == "WINDOWEND")
        return statement_error("'" + c.name +
                                   "' is a reserved column name. You cannot use it as a name "
                                   "for a column.",
                               st);
      if (!seen.insert(c.name).second)
        return statement_error(std::string("Duplicate ") + (c.key ? "key" : "value") +
                                   " columns found in schema: `" + c.name + "` " +
                                   c.type.to_string(),
                               st);
      has_key = has_key || c.key;
    }
    if (st.table && !has_key)
      return statement_error("Tables require a PRIMARY KEY. Please define the PRIMARY KEY.", st);

    // Properties as echoed: FORMAT expands to KEY_FORMAT and VALUE_FORMAT.
    std::map<std::string, std::string> props;
    for (auto& [k, v] : st.with) {
      if (k == "FORMAT") {
        props["KEY_FORMAT"] = "'" + upper(v.text) + "'";
        props["VALUE_FORMAT"] = "'" + upper(v.text) + "'";
      } else if (k == "KEY_FORMAT" || k == "VALUE_FORMAT") {
        props[k] = "'" + upper(v.text) + "'";
      } else {
        props[k] = format_property_value(v);
      }
    }
    props.emplace("KEY_FORMAT", "'KAFKA'");
    props.emplace("CLEANUP_POLICY", st.table ? "'compact'" : "'delete'");

    Source s;
    s.name = st.name;
    s.table = st.table;
    s.source_table = st.source;
    s.materialized = st.source && st.table;
    for (auto& c : st.columns)
      s.columns.push_back(Column{c.name, c.type, c.key});
    s.topic = find_property(st, "KAFKA_TOPIC")->text;
    auto unquote = [](const std::string& v) { return v.substr(1, v.size() - 2); };
    s.key_format = unquote(props["KEY_FORMAT"]);
    s.value_format = unquote(props["VALUE_FORMAT"]);
    s.statement = normalised_create(st, props);
    ensure_topic(s.topic, st);

    std::string kind = st.table ? "table" : "stream";
    std::string command_id = kind + "/`" + st.name + "`/create";
    std::string message = st.table ? "Table created" : "Stream created";
    replace_source(s);
    auto seq = command(command_id, "SUCCESS", message, std::nullopt);
    emit(entities::current_status(s.statement, command_id, "SUCCESS", message, std::nullopt, seq));
    return Ok{};
  }

  // Missing topics are created (1 partition unless PARTITIONS says otherwise): konform has no
  // Kafka to pre-create them in (README: deliberate deviations).
  void ensure_topic(const std::string& topic, const Statement& st) {
    if (cat_.topics.count(topic)) return;
    Topic t;
    t.name = topic;
    if (auto* p = find_property(st, "PARTITIONS"); p && p->kind == Value::Kind::Int)
      t.partitions = static_cast<int>(std::max<std::int64_t>(1, p->integer));
    if (auto* r = find_property(st, "REPLICAS"); r && r->kind == Value::Kind::Int)
      t.replicas = static_cast<int>(std::max<std::int64_t>(1, r->integer));
    cat_.topics[topic] = t;
  }

  void replace_source(const Source& s) {
    bool existed = cat_.sources.count(s.name) > 0;
    cat_.sources[s.name] = s;
    if (live_ && !existed) state_.rows[s.name];
  }

  StatementStatus create_as_select(const Statement& st) {
    auto taken = name_taken(st);
    if (!taken) return taken.error();
    if (*taken) return Ok{};
    if (auto with = check_with(st, true); !with) return with;
    const Select& sel = st.select;
    const Source* from = cat_.find(sel.from);
    if (!from) return statement_error(sel.from + " does not exist.", st);
    std::string kind = st.table ? "TABLE" : "STREAM";
    if (sel.limit)
      return statement_error("CREATE " + kind + " AS SELECT statements don't support LIMIT clause.",
                             st);
    if (sel.group_by || sel.window || sel.having)
      return unsupported("GROUP BY, WINDOW and HAVING (aggregations)", st);
    if (sel.join) return unsupported("JOIN", st);
    if (sel.partition_by) return unsupported("PARTITION BY", st);
    if (st.table && !from->table)
      return statement_error(
          "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE "
          "STREAM AS SELECT statement instead.",
          st);
    if (!st.table && from->table)
      return statement_error(
          "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE "
          "TABLE AS SELECT statement instead.",
          st);
    auto compiled = compile_projection(st, *from);
    if (!compiled) return compiled.error();
    const Projection& projection = *compiled;
    for (auto& key : from->columns) {
      if (!key.key) continue;
      bool projected = false;
      for (std::size_t i = 0; i < projection.exprs.size(); ++i)
        projected = projected || (projection.exprs[i].kind == Expr::Kind::Column &&
                                  projection.exprs[i].name == key.name);
      if (!projected)
        return statement_error(
            "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n"
            "The query used to build `" +
                st.name + "` must include the key column " + key.name +
                " in its projection (eg, SELECT " + key.name + "...).",
            st);
    }

    Source sink;
    sink.name = st.name;
    sink.table = st.table;
    sink.materialized = st.table;
    sink.columns = projection.columns;
    const Value* topic = find_property(st, "KAFKA_TOPIC");
    sink.topic = topic ? topic->text : st.name;
    const Value* fmt = find_property(st, "FORMAT");
    const Value* kf = find_property(st, "KEY_FORMAT");
    const Value* vf = find_property(st, "VALUE_FORMAT");
    sink.key_format = kf ? upper(kf->text) : fmt ? upper(fmt->text) : from->key_format;
    sink.value_format = vf ? upper(vf->text) : fmt ? upper(fmt->text) : from->value_format;
    sink.statement = st.text;
    if (!cat_.topics.count(sink.topic)) {
      Topic t;
      t.name = sink.topic;
      auto src_topic = cat_.topics.find(from->topic);
      t.partitions = src_topic != cat_.topics.end() ? src_topic->second.partitions : 1;
      if (auto* p = find_property(st, "PARTITIONS"); p && p->kind == Value::Kind::Int)
        t.partitions = static_cast<int>(std::max<std::int64_t>(1, p->integer));
      cat_.topics[t.name] = t;
    }

    std::int64_t seq = cat_.next_sequence;
    PersistentQuery q;
    q.id = std::string(st.table ? "CTAS_" : "CSAS_") + st.name + "_" + std::to_string(seq);
    q.text = st.text;
    q.source = from->name;
    q.sink = st.name;
    q.projections = projection.exprs;
    q.where = sel.where;
    replace_source(sink);
    cat_.queries[q.id] = q;
    std::string command_id = (st.table ? "table/`" : "stream/`") + st.name + "`/create";
    std::string message = "Created query with ID " + q.id;
    command(command_id, "SUCCESS", message, q.id);
    emit(entities::current_status(st.text, command_id, "SUCCESS", message, q.id, seq));
    if (live_ && ctx_.earliest()) {
      // Process what the source already holds, as a query reading from the earliest offset.
      auto existing = state_.rows[from->name];
      const Source& src = cat_.sources.at(from->name);
      for (std::size_t i = 0; i < existing.size(); ++i) {
        RowView view{&src.columns, &existing[i].values, existing[i].rowtime,
                     static_cast<std::int64_t>(i)};
        if (passes(q.where, view))
          state_.publish(q.sink, StoredRow{existing[i].rowtime, project(q.projections, view)});
      }
    }
    return Ok{};
  }

  StatementStatus drop(const Statement& st) {
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
                                 list + "].\nYou need to drop them before dropping " + st.name +
                                 ".",
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

  StatementStatus terminate(const Statement& st) {
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

  StatementStatus insert(const Statement& st) {
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
                                   col.type.to_string() + " for column `" + col.name +
                                   "` but got " + sql_text(v) + " (" + literal_type_name(v) + ")",
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

  Engine::State& state_;
  Catalog& cat_;
  RequestContext& ctx_;
  bool live_;
  std::vector<std::string>& entities_;
};

} // namespace

ExecuteResult Engine::execute(const std::vector<Statement>& statements, RequestContext context) {
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
