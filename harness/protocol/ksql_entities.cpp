// ksqlDB success bodies of the "old API" family (ksqlDB's OldApiUtils):
// the /ksql entity list, and the single objects of /info, /healthcheck, /status and /status/<id>,
// recognised by shape. Entity rules follow ksqlDB ≥0.10 (G5/G6) unless a comment says otherwise;
// fields only later servers add are optional.
#include "protocol/json_syntax.h"
#include "protocol/validators.h"

#include <array>
#include <string>

namespace konform::protocol {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// KsqlEntity.java @JsonSubTypes at HEAD.
constexpr std::array<std::string_view, 27> entity_types{"currentStatus",
                                                        "properties",
                                                        "queries",
                                                        "sourceDescription",
                                                        "queryDescription",
                                                        "topicDescription",
                                                        "streams",
                                                        "tables",
                                                        "kafka_topics",
                                                        "kafka_topics_extended",
                                                        "executionPlan",
                                                        "source_descriptions",
                                                        "query_descriptions",
                                                        "describe_function",
                                                        "function_names",
                                                        "connector_info",
                                                        "drop_connector",
                                                        "connector_list",
                                                        "connector_plugins_list",
                                                        "connector_description",
                                                        "type_list",
                                                        "warning_entity",
                                                        "variables",
                                                        "terminate_query",
                                                        "assert_topic",
                                                        "assert_schema",
                                                        "error_entity"};

// CommandStatus.Status.
constexpr std::array<std::string_view, 7> command_states{
    "QUEUED", "PARSING", "EXECUTING", "RUNNING", "TERMINATED", "SUCCESS", "ERROR"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view v) {
  for (auto s : set)
    if (s == v) return true;
  return false;
}

void need_string(object o, std::string_view key, const std::string& path, std::string_view rule,
                 Findings& out) {
  if (!o[key].is_string())
    out.violation(child_path(path, key), rule, std::string(key) + " must be a string");
}

void need_array(object o, std::string_view key, const std::string& path, std::string_view rule,
                Findings& out) {
  if (!o[key].is_array())
    out.violation(child_path(path, key), rule, std::string(key) + " must be an array");
}

// commandStatus as in currentStatus entities and GET /status/<commandId>.
void command_status(object cs, const std::string& path, Findings& out) {
  std::string_view status;
  if (cs["status"].get_string().get(status)) {
    out.violation(child_path(path, "status"), "ksql.command-status",
                  "commandStatus.status must be one of QUEUED, PARSING, EXECUTING, RUNNING, "
                  "TERMINATED, SUCCESS, ERROR");
  } else if (!one_of(command_states, status)) {
    out.violation(
        child_path(path, "status"), "ksql.command-status",
        "commandStatus.status \"" + std::string(status) +
            "\" is not QUEUED, PARSING, EXECUTING, RUNNING, TERMINATED, SUCCESS or ERROR");
  }
  need_string(cs, "message", path, "ksql.command-status", out);
  auto qid = cs["queryId"];
  if (qid.error() != simdjson::NO_SUCH_FIELD && !qid.is_string() && !qid.is_null())
    out.violation(child_path(path, "queryId"), "ksql.command-status",
                  "commandStatus.queryId is a string or null");
  if (status == "ERROR") {
    std::string_view msg;
    (void)!cs["message"].get_string().get(msg);
    out.in_band(path, "ksql.command-error",
                "the command failed: " + std::string(msg.substr(0, msg.find('\n'))));
  }
}

void list_of_sources(object e, std::string_view key, std::string_view type, const std::string& path,
                     Findings& out) {
  simdjson::dom::array list;
  if (e[key].get_array().get(list)) {
    out.violation(child_path(path, key), "ksql.entity.shape",
                  std::string(key) + " must be an array");
    return;
  }
  std::size_t i = 0;
  for (element s : list) {
    std::string p = index_path(child_path(path, key), i++);
    object so;
    std::string_view t;
    if (s.get_object().get(so)) {
      out.violation(p, "ksql.entity.shape", "each listed source is an object");
      continue;
    }
    need_string(so, "name", p, "ksql.entity.shape", out);
    need_string(so, "topic", p, "ksql.entity.shape", out);
    if (!so["type"].get_string().get(t) && t != type)
      out.violation(child_path(p, "type"), "ksql.entity.shape",
                    "a " + std::string(key) + " entry has type \"" + std::string(type) + "\"");
  }
}

void entity(element value, const std::string& path, Findings& out) {
  object e;
  if (value.get_object().get(e)) {
    out.violation(path, "ksql.entity.shape", "each entity is a JSON object with an @type");
    return;
  }
  std::string_view type;
  if (e["@type"].get_string().get(type)) {
    out.violation(child_path(path, "@type"), "ksql.entity.type",
                  "every entity has an @type discriminator");
    return;
  }
  if (!one_of(entity_types, type))
    out.warning(child_path(path, "@type"), "ksql.entity.unknown-type",
                "unknown entity @type \"" + std::string(type) + "\" (not in ksqlDB's KsqlEntity)");
  need_string(e, "statementText", path, "ksql.entity.shape", out);
  simdjson::dom::array warnings;
  auto w = e["warnings"];
  if (w.error() == simdjson::NO_SUCH_FIELD) {
    out.warning(child_path(path, "warnings"), "ksql.entity.warnings-missing",
                "entities carry a warnings array (since KSQL 5.0); this one has none");
  } else if (w.get_array().get(warnings)) {
    out.violation(child_path(path, "warnings"), "ksql.entity.shape", "warnings must be an array");
  } else {
    std::size_t i = 0;
    for (element wi : warnings) {
      std::string_view msg;
      std::string p = index_path(child_path(path, "warnings"), i++);
      if (wi["message"].get_string().get(msg))
        out.violation(p, "ksql.entity.shape", "a warning is an object {\"message\": string}");
      else
        out.warning(p, "ksql.entity.warning", "the server warns: " + std::string(msg));
    }
  }

  if (type == "currentStatus") {
    std::string_view id;
    if (e["commandId"].get_string().get(id)) {
      out.violation(child_path(path, "commandId"), "ksql.current-status",
                    "currentStatus needs a commandId \"<type>/<entity>/<action>\"");
    } else {
      auto first = id.find('/'), last = id.rfind('/');
      if (first == std::string_view::npos || first == last || first == 0 || last + 1 == id.size())
        out.violation(child_path(path, "commandId"), "ksql.current-status",
                      "commandId \"" + std::string(id) + "\" is not <type>/<entity>/<action>");
    }
    object cs;
    if (e["commandStatus"].get_object().get(cs))
      out.violation(child_path(path, "commandStatus"), "ksql.current-status",
                    "currentStatus needs a commandStatus object");
    else
      command_status(cs, child_path(path, "commandStatus"), out);
    auto seq = e["commandSequenceNumber"];
    if (seq.error() == simdjson::NO_SUCH_FIELD)
      out.warning(child_path(path, "commandSequenceNumber"), "ksql.current-status",
                  "no commandSequenceNumber (clients read it as -1 and cannot wait for the "
                  "command); ksqlDB sends it since KSQL 5.0");
    else if (!seq.is_int64())
      out.violation(child_path(path, "commandSequenceNumber"), "ksql.current-status",
                    "commandSequenceNumber must be an integer");
  } else if (type == "streams") {
    list_of_sources(e, "streams", "STREAM", path, out);
  } else if (type == "tables") {
    list_of_sources(e, "tables", "TABLE", path, out);
  } else if (type == "queries") {
    simdjson::dom::array qs;
    if (e["queries"].get_array().get(qs)) {
      out.violation(child_path(path, "queries"), "ksql.entity.shape", "queries must be an array");
    } else {
      std::size_t i = 0;
      for (element q : qs) {
        std::string p = index_path(child_path(path, "queries"), i++);
        object qo;
        if (q.get_object().get(qo)) {
          out.violation(p, "ksql.entity.shape", "each query is an object");
          continue;
        }
        need_string(qo, "queryString", p, "ksql.entity.shape", out);
        need_string(qo, "id", p, "ksql.entity.shape", out);
      }
    }
  } else if (type == "properties") {
    need_array(e, "properties", path, "ksql.entity.shape", out);
  } else if (type == "sourceDescription") {
    object sd;
    if (e["sourceDescription"].get_object().get(sd)) {
      out.violation(child_path(path, "sourceDescription"), "ksql.entity.shape",
                    "sourceDescription must be an object");
    } else {
      std::string p = child_path(path, "sourceDescription");
      need_string(sd, "name", p, "ksql.entity.shape", out);
      need_array(sd, "fields", p, "ksql.entity.shape", out);
    }
  } else if (type == "queryDescription") {
    object qd;
    if (e["queryDescription"].get_object().get(qd))
      out.violation(child_path(path, "queryDescription"), "ksql.entity.shape",
                    "queryDescription must be an object");
    else
      need_string(qd, "id", child_path(path, "queryDescription"), "ksql.entity.shape", out);
  } else if (type == "kafka_topics" || type == "kafka_topics_extended") {
    simdjson::dom::array topics;
    if (e["topics"].get_array().get(topics)) {
      out.violation(child_path(path, "topics"), "ksql.entity.shape", "topics must be an array");
    } else {
      std::size_t i = 0;
      for (element t : topics) {
        std::string p = index_path(child_path(path, "topics"), i++);
        if (!t["name"].is_string() || !t["replicaInfo"].is_array())
          out.violation(p, "ksql.entity.shape",
                        "a topic is {\"name\": string, \"replicaInfo\": [...]}");
      }
    }
  } else if (type == "warning_entity") {
    std::string_view msg;
    if (e["message"].get_string().get(msg))
      out.violation(child_path(path, "message"), "ksql.entity.shape",
                    "warning_entity needs a message");
    else
      out.warning(path, "ksql.entity.warning-entity",
                  "the statement did nothing: " + std::string(msg));
  }
}

void info(object root, Findings& out) {
  object si;
  if (root["KsqlServerInfo"].get_object().get(si)) {
    out.violation("$.KsqlServerInfo", "ksql.info", "/info is {\"KsqlServerInfo\":{...}}");
    return;
  }
  for (std::string_view key : {"version", "kafkaClusterId", "ksqlServiceId"})
    need_string(si, key, "$.KsqlServerInfo", "ksql.info", out);
  std::string_view status;
  // serverStatus since ksqlDB 0.12; older servers omit it.
  if (!si["serverStatus"].get_string().get(status) && status != "RUNNING" && status != "ERROR" &&
      status != "DEGRADED")
    out.violation("$.KsqlServerInfo.serverStatus", "ksql.info",
                  "serverStatus must be RUNNING, ERROR or DEGRADED");
  else if (status == "ERROR" || status == "DEGRADED")
    out.in_band("$.KsqlServerInfo.serverStatus", "ksql.info.status",
                "the server reports serverStatus " + std::string(status));
}

void healthcheck(object root, Findings& out) {
  bool healthy = false;
  if (root["isHealthy"].get_bool().get(healthy))
    out.violation("$.isHealthy", "ksql.healthcheck", "isHealthy must be true or false");
  object details;
  if (root["details"].get_object().get(details)) {
    out.violation("$.details", "ksql.healthcheck",
                  "details must be an object of checks {\"metastore\":{\"isHealthy\":...},...}");
  } else {
    for (auto [name, check] : details) {
      bool b;
      if (check["isHealthy"].get_bool().get(b))
        out.violation(child_path("$.details", name), "ksql.healthcheck",
                      "each check is {\"isHealthy\": true|false}");
      else if (!b)
        out.in_band(child_path("$.details", name), "ksql.healthcheck.unhealthy",
                    "check " + std::string(name) + " is unhealthy");
    }
  }
  std::string_view state;
  // serverState since ksqlDB 0.29 / CP 7.4.
  if (!root["serverState"].get_string().get(state) && state != "INITIALIZING" && state != "READY" &&
      state != "TERMINATING" && state != "TERMINATED")
    out.violation("$.serverState", "ksql.healthcheck",
                  "serverState must be INITIALIZING, READY, TERMINATING or TERMINATED");
  if (!healthy && !root["isHealthy"].error())
    out.in_band("$.isHealthy", "ksql.healthcheck.unhealthy", "the server reports isHealthy=false");
}

void statuses(object root, Findings& out) {
  object all;
  if (root["commandStatuses"].get_object().get(all)) {
    out.violation("$.commandStatuses", "ksql.status", "commandStatuses must be an object");
    return;
  }
  for (auto [id, status] : all) {
    std::string_view s;
    if (status.get_string().get(s) || !one_of(command_states, s))
      out.violation(child_path("$.commandStatuses", id), "ksql.status",
                    "each command maps to a status QUEUED ... ERROR");
  }
}

// GET /v1/metadata ({"version","clusterId":{...}}) and /v1/metadata/id (the clusterId alone).
void metadata(object root, Findings& out) {
  object id = root;
  std::string path = "$";
  if (!root["clusterId"].error()) {
    need_string(root, "version", "$", "ksql.metadata", out);
    path = "$.clusterId";
    if (root["clusterId"].get_object().get(id)) {
      out.violation(path, "ksql.metadata", "clusterId must be an object {scope, id}");
      return;
    }
  }
  object scope;
  if (id["scope"].get_object().get(scope) || !scope["path"].is_array() ||
      !scope["clusters"].is_object())
    out.violation(child_path(path, "scope"), "ksql.metadata",
                  "scope must be {\"path\": [...], \"clusters\": {...}}");
  need_string(id, "id", path, "ksql.metadata", out);
}

} // namespace

void validate_ksql_entities(std::string_view body, const Exchange&, Findings& out) {
  body = strip_bom(body, "ksql", out);
  auto doc = parse_or_report(body, "ksql.json", out);
  if (!doc) return;
  element root = doc->root();
  object o;
  if (!root.get_object().get(o)) {
    if (!o["KsqlServerInfo"].error())
      info(o, out);
    else if (!o["isHealthy"].error())
      healthcheck(o, out);
    else if (!o["commandStatuses"].error())
      statuses(o, out);
    else if (!o["clusterId"].error() || !o["scope"].error())
      metadata(o, out);
    else if (!o["status"].error() && !o["message"].error())
      command_status(o, "$", out); // GET /status/<commandId>: a bare CommandStatus
    else
      out.violation("$", "ksql.entities",
                    "a /ksql success body is an array of entities; as an object it must be /info, "
                    "/healthcheck, /status, /status/<commandId> or /v1/metadata");
    return;
  }
  simdjson::dom::array list;
  if (root.get_array().get(list)) {
    out.violation("$", "ksql.entities", "a /ksql success body is a JSON array of entities");
    return;
  }
  std::size_t i = 0;
  for (element e : list)
    entity(e, index_path("$", i++), out);
}

} // namespace konform::protocol
