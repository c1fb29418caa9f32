#include "serve/ksql/entities.h"

#include "json/writer.h"

#include <algorithm>

namespace konform::serve::ksql {

namespace entities {

namespace {

void end_entity(json::Writer& w) {
  w.key("warnings").begin_array().end_array();
  w.end_object();
}

void write_running_query(json::Writer& w, const std::string& text,
                         const std::vector<std::string>& sinks,
                         const std::vector<std::string>& sink_topics, const std::string& id,
                         const char* type) {
  w.begin_object().field("queryString", text).key("sinks").begin_array();
  for (auto& s : sinks)
    w.string(s);
  w.end_array().key("sinkKafkaTopics").begin_array();
  for (auto& t : sink_topics)
    w.string(t);
  w.end_array().field("id", id);
  w.key("statusCount").begin_object().field("RUNNING", 1).end_object();
  w.field("queryType", type).field("state", "RUNNING").end_object();
}

void write_persistent(json::Writer& w, const Catalog& catalog, const PersistentQuery& q) {
  const Source* sink = catalog.find(q.sink);
  write_running_query(w, q.text, {q.sink}, {sink ? sink->topic : q.sink}, q.id, "PERSISTENT");
}

} // namespace

std::string command_status(const std::string& status, const std::string& message,
                           const std::optional<std::string>& query_id) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("status", status).field("message", message).key("queryId");
  if (query_id)
    w.string(*query_id);
  else
    w.null();
  w.end_object();
  return out;
}

std::string current_status(const std::string& statement_text, const std::string& command_id,
                           const std::string& status, const std::string& message,
                           const std::optional<std::string>& query_id, std::int64_t sequence) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "currentStatus").field("statementText", statement_text);
  w.field("commandId", command_id)
      .key("commandStatus")
      .raw(command_status(status, message, query_id));
  w.field("commandSequenceNumber", sequence);
  end_entity(w);
  return out;
}

std::string warning(const std::string& statement_text, const std::string& message) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "warning_entity").field("statementText", statement_text);
  w.field("message", message);
  end_entity(w);
  return out;
}

std::string sources_list(const std::string& statement_text, const Catalog& catalog, bool tables) {
  std::string out;
  json::Writer w(out);
  const char* kind = tables ? "tables" : "streams";
  w.begin_object().field("@type", kind).field("statementText", statement_text);
  w.key(kind).begin_array();
  for (auto& [name, s] : catalog.sources) {
    if (s.table != tables) continue;
    w.begin_object().field("type", tables ? "TABLE" : "STREAM").field("name", name);
    w.field("topic", s.topic).field("keyFormat", s.key_format).field("valueFormat", s.value_format);
    w.field("isWindowed", false).end_object();
  }
  w.end_array();
  end_entity(w);
  return out;
}

std::string queries(const std::string& statement_text, const Catalog& catalog,
                    const std::vector<TransientInfo>& transient) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "queries").field("statementText", statement_text);
  w.key("queries").begin_array();
  for (auto& [id, q] : catalog.queries)
    write_persistent(w, catalog, q);
  for (auto& t : transient)
    write_running_query(w, t.text, {}, {}, t.id, "PUSH");
  w.end_array();
  end_entity(w);
  return out;
}

std::string source_description(const std::string& statement_text, const Catalog& catalog,
                               const Source& s, bool extended) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "sourceDescription").field("statementText", statement_text);
  w.key("sourceDescription").begin_object();
  w.field("name", s.name).key("windowType").null();
  w.key("readQueries").begin_array();
  for (auto& id : catalog.readers(s.name))
    write_persistent(w, catalog, catalog.queries.at(id));
  w.end_array().key("writeQueries").begin_array();
  for (auto& id : catalog.writers(s.name))
    write_persistent(w, catalog, catalog.queries.at(id));
  w.end_array().key("fields").begin_array();
  for (auto& c : s.logical_columns()) {
    w.begin_object().field("name", c.name).key("schema");
    std::string schema;
    append_schema_info(schema, c.type);
    w.raw(schema);
    if (c.key) w.field("type", "KEY");
    w.end_object();
  }
  w.end_array();
  w.field("type", s.table ? "TABLE" : "STREAM").field("timestamp", "");
  w.field("statistics", "").field("errorStats", "").field("extended", extended);
  w.field("keyFormat", s.key_format).field("valueFormat", s.value_format);
  w.field("topic", s.topic);
  auto topic = catalog.topics.find(s.topic);
  int partitions = extended && topic != catalog.topics.end() ? topic->second.partitions : 0;
  int replicas = extended && topic != catalog.topics.end() ? topic->second.replicas : 0;
  w.field("partitions", partitions).field("replication", replicas);
  w.field("statement", s.statement);
  w.key("queryOffsetSummaries").begin_array().end_array();
  w.key("sourceConstraints").begin_array();
  for (auto& id : catalog.readers(s.name))
    w.string(catalog.queries.at(id).sink);
  w.end_array();
  w.end_object();
  end_entity(w);
  return out;
}

std::string topics(const std::string& statement_text, const Catalog& catalog) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "kafka_topics").field("statementText", statement_text);
  w.key("topics").begin_array();
  for (auto& [name, t] : catalog.topics) {
    if (!name.empty() && name[0] == '_') // internal topics are hidden unless SHOW ALL TOPICS
      continue;
    w.begin_object().field("name", name).key("replicaInfo").begin_array();
    for (int p = 0; p < t.partitions; ++p)
      w.number(t.replicas);
    w.end_array().end_object();
  }
  w.end_array();
  end_entity(w);
  return out;
}

std::string properties(const std::string& statement_text,
                       const std::map<std::string, std::string>& overrides) {
  // The server's defaults for the properties a client most often asks about.
  struct Default {
    const char* name;
    const char* value;
    bool editable;
  };
  static const Default defaults[] = {
      {"ksql.extension.dir", "ext", false},
      {"ksql.persistent.prefix", "query_", false},
      {"ksql.query.pull.table.scan.enabled", "true", true},
      {"ksql.service.id", "default_", false},
      {"ksql.streams.auto.offset.reset", "latest", true},
      {"ksql.streams.bootstrap.servers", "localhost:9092", false},
      {"ksql.streams.cache.max.bytes.buffering", "10000000", true},
      {"ksql.streams.commit.interval.ms", "2000", true},
  };
  std::map<std::string, std::pair<std::string, bool>> all;
  for (auto& d : defaults)
    all[d.name] = {d.value, d.editable};
  std::vector<std::string> overwritten;
  for (auto& [name, value] : overrides) {
    std::string key = name.rfind("ksql.", 0) == 0 ? name : "ksql.streams." + name;
    all[key] = {value, true};
    overwritten.push_back(key);
  }
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "properties").field("statementText", statement_text);
  w.key("properties").begin_array();
  for (auto& [name, v] : all) {
    w.begin_object().field("name", name).field("scope", "KSQL").field("value", v.first);
    w.field("editable", v.second).field("level", "SERVER").end_object();
  }
  w.end_array().key("overwrittenProperties").begin_array();
  for (auto& n : overwritten)
    w.string(n);
  w.end_array().key("defaultProperties").begin_array();
  for (auto& [name, v] : all)
    if (std::find(overwritten.begin(), overwritten.end(), name) == overwritten.end())
      w.string(name);
  w.end_array();
  end_entity(w);
  return out;
}

std::string variables(const std::string& statement_text,
                      const std::map<std::string, std::string>& vars) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "variables").field("statementText", statement_text);
  w.key("variables").begin_array();
  for (auto& [name, value] : vars)
    w.begin_object().field("name", name).field("value", value).end_object();
  w.end_array();
  end_entity(w);
  return out;
}

std::string terminate_query(const std::string& statement_text, const std::string& query_id) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "terminate_query").field("statementText", statement_text);
  w.field("queryId", query_id).field("wasTerminated", true);
  end_entity(w);
  return out;
}

std::string generic_error(int error_code, const std::string& message) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "generic_error").field("error_code", error_code);
  w.field("message", message).end_object();
  return out;
}

std::string statement_error(int error_code, const std::string& message,
                            const std::string& statement_text) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("@type", "statement_error").field("error_code", error_code);
  w.field("message", message).field("statementText", statement_text);
  w.key("entities").begin_array().end_array().end_object();
  return out;
}

} // namespace entities
} // namespace konform::serve::ksql
