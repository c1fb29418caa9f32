// The ksqlDB endpoint of konform serve: the route table of a ksqlDB 0.29 server (Vert.x 4,
// ServerVerticle), its content negotiation, error layers and Content-Types, over the in-memory
// database (database.h).
#include "serve/ksql/ksql_service.h"

#include "core/text.h"
#include "json/writer.h"
#include "serve/ksql/database.h"
#include "serve/ksql/entities.h"
#include "serve/ksql/ksql_request.h"
#include "serve/ksql/negotiation.h"
#include "serve/ksql/query_format.h"
#include "serve/ksql/sql_parser.h"

#include <openssl/crypto.h>

#include <cctype>

namespace konform::serve::ksql {
namespace {

constexpr const char* kKafkaClusterId = "konform-kafka-cluster";
constexpr const char* kServiceId = "default_";

// Bodies written by OldApiUtils (the /ksql family) carry application/json, whatever the Accept.
ServerResponse json_response(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// Errors routed through Vert.x FailureHandler (body parsing, auth, /query semantics) go out
// with no Content-Type at all.
ServerResponse failure_response(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ServerResponse statement_error_response(const StatementError& e, bool with_content_type) {
  std::string body = e.generic
                         ? entities::generic_error(e.error_code, e.message)
                         : entities::statement_error(e.error_code, e.message, e.statement_text);
  return with_content_type ? json_response(e.http_status, std::move(body))
                           : failure_response(e.http_status, std::move(body));
}

ServerResponse not_acceptable() {
  return ServerResponse{406, {}, {}, {}};
}

constexpr std::size_t kMaxInsertLine = 16 * 1024 * 1024; // one /inserts-stream row

const std::vector<std::string_view> kOldApiProduces = {kV1Json, kJson};
const std::vector<std::string_view> kQueryProduces = {kDelimited, kV1Json, kJson};
const std::vector<std::string_view> kQueryStreamProduces = {kDelimited, kJson, kV1Json};

class Service final : public KsqlService {
public:
  explicit Service(KsqlOptions o) : options_(std::move(o)) {
    DatabaseOptions eo;
    eo.command_timeout = options_.command_timeout;
    eo.max_push_queries = options_.max_push_queries;
    database_ = std::make_shared<Database>(eo);
  }

  ServerResponse handle(const ServerRequest& req) override {
    const std::string& path = req.path;
    if (path == "/chc/ready" || path == "/chc/live") return json_response(200, "{}");
    if (!options_.token.empty() && !exempt_from_auth(path) && !authorized(req))
      return failure_response(401, entities::generic_error(40100, "Unauthorized"));
    if (path == "/") {
      ServerResponse r;
      r.status = 307;
      r.headers.emplace_back("location", "/info");
      return r;
    }
    struct Route {
      const char* method;
      const char* path;
      bool prefix;
    };
    static const Route routes[] = {
        {"GET", "/info", false},           {"GET", "/healthcheck", false},
        {"POST", "/ksql", false},          {"POST", "/ksql/terminate", false},
        {"POST", "/query", false},         {"GET", "/status", false},
        {"GET", "/status/", true},         {"GET", "/v1/metadata", false},
        {"GET", "/v1/metadata/id", false}, {"POST", "/query-stream", false},
        {"POST", "/close-query", false},   {"POST", "/inserts-stream", false},
    };
    const Route* found = nullptr;
    std::string allowed;
    for (auto& r : routes) {
      bool path_matches = r.prefix ? path.rfind(r.path, 0) == 0 : path == r.path;
      if (!path_matches) continue;
      if (req.method == r.method) {
        found = &r;
        break;
      }
      allowed = r.method;
    }
    if (!found) {
      if (!allowed.empty()) { // a known path with another method: Vert.x 4 answers 405 + Allow
        ServerResponse r;
        r.status = 405;
        r.headers.emplace_back("Allow", allowed);
        return r;
      }
      ServerResponse r; // Vert.x's default 404 page (ksqlDB 0.29 has no catch-all route)
      r.status = 404;
      r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
      r.body = "<html><body><h1>Resource not found</h1></body></html>";
      return r;
    }
    std::string_view route = found->path;
    if (route == "/query") return query(req);
    if (route == "/query-stream") return query_stream(req);
    if (route == "/close-query") return close_query(req);
    if (route == "/inserts-stream") return inserts_stream(req);
    if (!negotiate(req.header("Accept"), kOldApiProduces).acceptable) return not_acceptable();
    if (route == "/ksql") return ksql(req);
    if (route == "/ksql/terminate") return terminate(req);
    if (route == "/info") return json_response(200, info());
    if (route == "/healthcheck")
      return json_response(200, "{\"isHealthy\":true,\"details\":{\"metastore\":{\"isHealthy\":"
                                "true},\"kafka\":{\"isHealthy\":true},\"commandRunner\":{"
                                "\"isHealthy\":true}},\"serverState\":\"READY\"}");
    if (route == "/status") return json_response(200, database_->all_command_statuses());
    if (route == "/status/") {
      auto status = database_->command_status(path.substr(std::string_view("/status/").size()));
      if (!status) return json_response(404, entities::generic_error(40400, "Command not found"));
      return json_response(200, *status);
    }
    if (route == "/v1/metadata")
      return json_response(200, "{\"version\":\"" + database_->options().version +
                                    "\",\"clusterId\":" + cluster_id() + "}");
    return json_response(200, cluster_id()); // /v1/metadata/id
  }

  ServerResponse error_response(int status, const std::string& message) override {
    return json_response(status, entities::generic_error(status * 100, message));
  }

private:
  static bool exempt_from_auth(const std::string& path) {
    return path == "/healthcheck" || path == "/v1/metadata" || path == "/v1/metadata/id";
  }

  bool authorized(const ServerRequest& req) const {
    auto header = req.header("Authorization");
    if (!header) return false;
    std::string expected = "Bearer " + options_.token;
    auto got = text::trim(*header);
    // Constant time, so the token cannot be guessed byte by byte from response times.
    return got.size() == expected.size() &&
           CRYPTO_memcmp(got.data(), expected.data(), expected.size()) == 0;
  }

  std::string info() const {
    std::string out;
    json::Writer w(out);
    w.begin_object().key("KsqlServerInfo").begin_object();
    w.field("version", database_->options().version).field("kafkaClusterId", kKafkaClusterId);
    w.field("ksqlServiceId", kServiceId).field("serverStatus", "RUNNING");
    w.end_object().end_object();
    return out;
  }

  static std::string cluster_id() {
    std::string out;
    json::Writer w(out);
    w.begin_object().key("scope").begin_object().key("path").begin_array().end_array();
    w.key("clusters").begin_object().field("kafka-cluster", kKafkaClusterId);
    w.field("ksql-cluster", kServiceId).end_object().end_object().field("id", "").end_object();
    return out;
  }

  // Parses the body and waits for commandSequenceNumber; an error response otherwise.
  Result<KsqlRequest, ServerResponse> read_request(const ServerRequest& req, bool old_api) {
    auto parsed = parse_ksql_request(req.body);
    if (!parsed)
      return failure_response(400, entities::generic_error(40000, parsed.error().message));
    if (!parsed->ksql || text::trim(*parsed->ksql).empty()) {
      auto body = entities::generic_error(40000, "\"ksql\" field must be populated");
      return old_api ? json_response(400, body) : failure_response(400, body);
    }
    if (parsed->command_sequence_number &&
        !database_->wait_for_command(*parsed->command_sequence_number)) {
      auto body = entities::generic_error(
          50301, "Timed out while waiting for a previous command to execute. command sequence "
                 "number: " +
                     std::to_string(*parsed->command_sequence_number));
      return old_api ? json_response(503, body) : failure_response(503, body);
    }
    return std::move(parsed.value());
  }

  static RequestContext context_of(const KsqlRequest& r) {
    RequestContext c;
    c.properties = r.streams_properties;
    c.variables = r.session_variables;
    return c;
  }

  ServerResponse ksql(const ServerRequest& req) {
    auto read = read_request(req, true);
    if (!read) return read.error();
    auto& request = *read;
    auto parsed = parse_statements(*request.ksql);
    if (!parsed)
      return json_response(
          400, entities::statement_error(40001, parsed.error().message(), *request.ksql));
    auto result = database_->execute(*parsed, context_of(request));
    if (!result) return statement_error_response(result.error(), true);
    std::string body = "[";
    for (std::size_t i = 0; i < result->size(); ++i)
      body += (i ? "," : "") + (*result)[i];
    return json_response(200, body + "]");
  }

  ServerResponse terminate(const ServerRequest& req) {
    auto patterns = parse_terminate_request(req.body);
    if (!patterns)
      return failure_response(400, entities::generic_error(40000, patterns.error().message));
    auto result = database_->terminate_cluster(*patterns);
    if (!result) return statement_error_response(result.error(), true);
    return json_response(200, *result);
  }

  ServerResponse query(const ServerRequest& req) {
    auto negotiated = negotiate(req.header("Accept"), kQueryProduces);
    if (!negotiated.acceptable) return not_acceptable();
    // QueryStreamHandler(queryCompatibilityMode=true): delimited only when chosen explicitly
    // (or via */*); no Accept and application/json give the StreamedRow array.
    QueryFormat format = negotiated.type && *negotiated.type == kDelimited
                             ? QueryFormat::Delimited
                             : QueryFormat::StreamedRows;
    const char* content_type = format == QueryFormat::Delimited
                                   ? "application/vnd.ksqlapi.delimited.v1"
                                   : "application/vnd.ksql.v1+json";
    auto read = read_request(req, false);
    if (!read) return read.error();
    auto& request = *read;
    auto parsed = parse_statements(*request.ksql);
    if (!parsed)
      return json_response(
          400,
          entities::statement_error(
              40001, parsed.error().message() + "\n\nStatement: " + *request.ksql, *request.ksql));
    auto& statements = *parsed;
    if (statements.size() != 1)
      return json_response(
          400, entities::statement_error(40001,
                                         "Expected exactly one KSQL statement; found " +
                                             std::to_string(statements.size()) + " instead",
                                         *request.ksql));
    const Statement& st = statements[0];
    if (st.type != Statement::Type::Select)
      return json_response(400, entities::statement_error(
                                    40001,
                                    "Only SELECT statements can be sent to /query (PRINT is not "
                                    "supported by konform serve); send other statements to "
                                    "/ksql",
                                    st.text));
    return run_select(st, context_of(request), format, content_type);
  }

  // POST /query-stream (ksqlDB's "new API", HTTP/1.1 allowed since 0.24): delimited unless the
  // Accept picks application/json (one JSON array) or vnd.ksql.v1+json (StreamedRows). Errors
  // come from FailureHandler: no Content-Type.
  ServerResponse query_stream(const ServerRequest& req) {
    auto negotiated = negotiate(req.header("Accept"), kQueryStreamProduces);
    if (!negotiated.acceptable) return not_acceptable();
    QueryFormat format = QueryFormat::Delimited;
    const char* content_type = "application/vnd.ksqlapi.delimited.v1";
    if (negotiated.type && *negotiated.type == kJson) {
      format = QueryFormat::JsonArray;
      content_type = "application/json";
    } else if (negotiated.type && *negotiated.type == kV1Json) {
      format = QueryFormat::StreamedRows;
      content_type = "application/vnd.ksql.v1+json";
    }
    auto args = parse_query_stream_args(req.body);
    if (!args) return failure_response(400, entities::generic_error(40000, args.error().message));
    auto parsed = parse_statements(args->sql);
    if (!parsed)
      return failure_response(
          400, entities::statement_error(40001, parsed.error().message(), args->sql));
    auto& statements = *parsed;
    if (statements.size() != 1 || statements[0].type != Statement::Type::Select)
      return failure_response(
          400, entities::statement_error(
                   40001,
                   "Expected exactly one SELECT statement on /query-stream; send other "
                   "statements to /ksql (PRINT is not supported by konform serve)",
                   args->sql));
    RequestContext context;
    context.properties = args->properties;
    context.variables = args->session_variables;
    return run_select(statements[0], context, format, content_type);
  }

  // POST /close-query: ends the push query; its response then ends. 200 with an empty body.
  ServerResponse close_query(const ServerRequest& req) {
    auto id = parse_close_query(req.body);
    if (!id) return failure_response(400, entities::generic_error(40000, id.error().message));
    if (!database_->close_push(*id))
      return failure_response(400, entities::generic_error(40000, "No query with id " + *id));
    return ServerResponse{200, {}, {}, {}};
  }

  // POST /inserts-stream (HTTP/2 only, ServerUtils.checkHttp2): the first body line names the
  // target; each further line is a row, inserted as it arrives (a running push query sees it)
  // and acknowledged in order. A malformed row or a failed insert writes an InsertError and ends
  // the response; later rows are ignored (InsertsStreamHandler, AcksSubscriber).
  ServerResponse inserts_stream(const ServerRequest& req) {
    if (!req.http2)
      return failure_response(
          400, entities::generic_error(40004, "This endpoint is only available when using HTTP2"));
    static const std::vector<std::string_view> produces = {kDelimited, kJson};
    auto negotiated = negotiate(req.header("Accept"), produces);
    if (!negotiated.acceptable) return not_acceptable();
    bool json_array = negotiated.type && *negotiated.type == kJson;
    auto args = parse_inserts_stream_args(req.body);
    if (!args) return failure_response(400, entities::generic_error(40000, args.error().message));
    // Identifiers.getIdentifierText: a quoted name as it is, a bare one upper-cased.
    std::string target = args->target;
    if (target.size() >= 2 && (target.front() == '`' || target.front() == '"') &&
        target.back() == target.front())
      target = target.substr(1, target.size() - 2);
    else
      for (auto& c : target)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto is_table = database_->source_is_table(target);
    if (!is_table)
      return failure_response(
          400,
          entities::generic_error(40001, "Cannot insert values into an unknown stream: " + target));
    if (*is_table)
      return failure_response(400, entities::generic_error(40001, "Cannot insert into a table"));

    ServerResponse res;
    res.headers.emplace_back("Content-Type", json_array ? "application/json"
                                                        : "application/vnd.ksqlapi.delimited.v1");
    auto body = req.body_stream;
    std::weak_ptr<Database> weak_database = database_;
    // The target's columns as the stream starts: a JSON object in a row is a MAP or a STRUCT by
    // the type of the column it fills.
    auto columns = std::make_shared<const std::vector<Column>>(database_->source_columns(target));
    res.stream = [body, weak_database, target, json_array,
                  columns](std::shared_ptr<ChunkSink> sink) {
      if (!body) { // no further lines can come (not an HTTP/2 streamed body)
        sink->write(json_array ? "[]" : "");
        sink->finish();
        return;
      }
      struct State {
        std::string partial;
        std::int64_t seq = 0;
        bool ended = false;
      };
      auto state = std::make_shared<State>();
      auto element = [json_array, state](std::string item) {
        if (!json_array) return item + "\n";
        return (state->seq == 1 ? "[" : ",") + item;
      };
      auto end = [sink, state, json_array] {
        state->ended = true;
        if (json_array) sink->write(state->seq == 0 ? "[]" : "]");
        sink->finish();
      };
      auto row = [=](std::string_view line) {
        if (state->ended || line.find_first_not_of(" \t\r") == std::string_view::npos) return;
        std::int64_t seq = state->seq++;
        auto insert_error = [&](int code, const std::string& message) {
          std::string e;
          json::Writer w(e);
          w.begin_object().field("@type", "InsertError").field("status", "error");
          w.field("seq", seq).field("message", message).field("error_code", code).end_object();
          sink->write(element(e));
          end();
        };
        auto statement = inserts_row_statement(target, line, *columns);
        if (!statement && statement.error().kind != ErrorKind::format)
          return insert_error(40000, "Invalid JSON in inserts stream");
        auto database = weak_database.lock();
        bool ok = database && statement.ok();
        if (ok) {
          auto parsed = parse_statements(*statement);
          ok = parsed.ok() && database->execute(*parsed, RequestContext{}).ok();
        }
        if (!ok)
          return insert_error(50000, "Error in processing inserts. Check server logs for details.");
        std::string ack;
        json::Writer w(ack);
        w.begin_object().field("seq", seq).field("status", "ok").end_object();
        sink->write(element(ack));
      };
      body->on_data([state, row, end](std::string_view data, bool done) {
        if (state->ended) return;
        // What was kept holds no newline: only the new data is searched for the first one.
        std::size_t start = 0, from = state->partial.size();
        state->partial.append(data);
        for (auto nl = state->partial.find('\n', from); nl != std::string::npos;
             nl = state->partial.find('\n', start)) {
          row(std::string_view(state->partial).substr(start, nl - start));
          start = nl + 1;
        }
        state->partial.erase(0, start);
        // A "line" that never ends is not a row: stop buffering it (the client gets an error).
        if (state->partial.size() > kMaxInsertLine) {
          state->partial.clear();
          row("\x01");
          return;
        }
        if (done) { // Vert.x RecordParser hands over an unterminated last line too
          if (!state->partial.empty()) row(state->partial);
          if (!state->ended) end();
        }
      });
    };
    return res;
  }

  // Plans the SELECT and answers it: a pull query at once, a push query as a chunked stream
  // fed by the database until LIMIT, /close-query, TERMINATE or the client's disconnect.
  ServerResponse run_select(const Statement& st, const RequestContext& context, QueryFormat format,
                            const char* content_type) {
    auto planned = database_->plan_query(st, context);
    if (!planned) return statement_error_response(planned.error(), false);
    QueryPlan plan = std::move(planned).value();

    ServerResponse res;
    res.headers.emplace_back("Content-Type", content_type);
    if (!plan.push) {
      res.body = pull_body(format, plan, database_->run_pull(plan));
      res.stream = [](std::shared_ptr<ChunkSink> sink) { sink->finish(); };
      return res;
    }
    if (database_->running_push_queries() >= database_->options().max_push_queries)
      return failure_response(400, entities::generic_error(40003, "Maximum number of push queries "
                                                                  "exceeded"));
    res.body = query_header(format, plan);
    std::weak_ptr<Database> weak_database = database_;
    res.stream = [database = database_, weak_database, plan = std::move(plan),
                  format](std::shared_ptr<ChunkSink> sink) {
      PushCallbacks cb;
      cb.row = [sink, format](const std::vector<Value>& row) {
        sink->write(query_row(format, row));
      };
      auto finish = [sink, format](bool limit) {
        auto end = query_end(format, limit);
        if (!end.empty()) sink->write(std::move(end));
        sink->finish();
      };
      cb.limit_reached = [finish] { finish(true); };
      cb.completed = [finish] { finish(false); };
      if (!database->start_push(plan, std::move(cb))) {
        sink->finish(); // raced past ksql.max.push.queries after the check above
        return;
      }
      // The client went away: the transient query is cleaned up (ConnectionQueryManager).
      sink->on_close([weak_database, id = plan.id] {
        if (auto e = weak_database.lock()) e->stop_push(id);
      });
    };
    return res;
  }

  KsqlOptions options_;
  std::shared_ptr<Database> database_;
};

} // namespace

bool KsqlService::streams_request_body(const ServerRequest& request) {
  return request.method == "POST" && request.path == "/inserts-stream";
}

Result<std::unique_ptr<KsqlService>> KsqlService::create(const KsqlOptions& options) {
  return std::unique_ptr<KsqlService>(std::make_unique<Service>(options));
}

} // namespace konform::serve::ksql
