// CREATE STREAM/TABLE and CREATE ... AS SELECT: the name and WITH-clause checks ksqlDB makes,
// the statement text as the server echoes it, the topic it creates and, for CREATE ... AS
// SELECT, the persistent query that feeds the new source.
#include "serve/ksql/projection.h"
#include "serve/ksql/statement_runner.h"

#include <algorithm>
#include <set>

namespace konform::serve::ksql {

namespace {

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

} // namespace

Result<bool, StatementError> StatementRunner::name_taken(const Statement& st) {
  const Source* existing = cat_.find(st.name);
  if (!existing || st.or_replace) return false;
  std::string kind = st.table ? "table" : "stream";
  std::string msg = "Cannot add " + kind + " `" + st.name + "`: A " +
                    (existing->table ? "table" : "stream") + " with the same name already exists.";
  if (st.if_not_exists) {
    emit(entities::warning(st.text, msg));
    return true;
  }
  return statement_error(msg, st);
}

StatementStatus StatementRunner::check_with(const Statement& st, bool as_select) {
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
    return statement_error("Missing required property \"KAFKA_TOPIC\" which has no default value.",
                           st);
  if (!as_select && !find_property(st, "VALUE_FORMAT") && !find_property(st, "FORMAT"))
    return statement_error("Statement is missing the 'VALUE_FORMAT' property from the WITH clause. "
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

std::string StatementRunner::normalised_create(const Statement& st,
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

StatementStatus StatementRunner::create_source(const Statement& st) {
  auto taken = name_taken(st);
  if (!taken) return taken.error();
  if (*taken) return Ok{};
  if (auto with = check_with(st, false); !with) return with;
  if (st.columns.empty()) return statement_error("The statement does not define any columns.", st);
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
                                 " columns found in schema: `" + c.name + "` " + c.type.to_string(),
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

void StatementRunner::ensure_topic(const std::string& topic, const Statement& st) {
  if (cat_.topics.count(topic)) return;
  Topic t;
  t.name = topic;
  if (auto* p = find_property(st, "PARTITIONS"); p && p->kind == Value::Kind::Int)
    t.partitions = static_cast<int>(std::max<std::int64_t>(1, p->integer));
  if (auto* r = find_property(st, "REPLICAS"); r && r->kind == Value::Kind::Int)
    t.replicas = static_cast<int>(std::max<std::int64_t>(1, r->integer));
  cat_.topics[topic] = t;
}

void StatementRunner::replace_source(const Source& s) {
  bool existed = cat_.sources.count(s.name) > 0;
  cat_.sources[s.name] = s;
  if (live_ && !existed) state_.rows[s.name];
}

StatementStatus StatementRunner::create_as_select(const Statement& st) {
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

} // namespace konform::serve::ksql
