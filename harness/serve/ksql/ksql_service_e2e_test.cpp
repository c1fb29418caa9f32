// The ksqlDB service over loopback HTTP/1.1, as clients see it: routes, Content-Types, error
// bodies, content negotiation, chunked push queries fed from other connections, disconnects.
#include "http/client.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/http_server.h"
#include "serve/ksql/ksql_service.h"
#include "serve/ksql/sql_parser.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

namespace konform::serve::ksql {
namespace {

using namespace std::chrono_literals;

class KsqlServiceE2E : public ::testing::Test {
protected:
  void SetUp() override { start({}); }

  void start(KsqlOptions o, ServerOptions so = {}) {
    server.reset();
    service = std::move(KsqlService::create(o).value());
    so.threads = 2;
    so.name = "ksql";
    auto* svc = service.get();
    so.error_response = [svc](int s, const std::string& m) { return svc->error_response(s, m); };
    server =
        std::make_unique<HttpServer>(so, [svc](const ServerRequest& r) { return svc->handle(r); });
    ASSERT_TRUE(server->start().ok());
  }

  http::Client client() { return http::Client(*http::parse_url(server->url())); }

  http::Response post(const std::string& path, const std::string& body,
                      http::Headers headers = {{"Accept", "application/vnd.ksql.v1+json"}},
                      http::SendOptions so = {}) {
    auto c = client();
    auto r = c.send({"POST", path, std::move(headers), body}, so);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r.value()) : http::Response{};
  }
  http::Response ksql(const std::string& statements) {
    std::string body = "{\"ksql\":";
    json::append_quoted(body, statements);
    return post("/ksql", body + "}");
  }
  // Waits until SHOW QUERIES lists `count` push queries (a push query registers when its
  // response starts streaming).
  bool wait_for_push_queries(std::size_t count) {
    for (int i = 0; i < 200; ++i) {
      if (push_queries() == count) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  std::size_t push_queries() {
    auto body = ksql("SHOW QUERIES;").body;
    std::size_t n = 0;
    for (auto at = body.find("\"queryType\":\"PUSH\""); at != std::string::npos;
         at = body.find("\"queryType\":\"PUSH\"", at + 1))
      ++n;
    return n;
  }

  std::unique_ptr<KsqlService> service;
  std::unique_ptr<HttpServer> server;
};

TEST_F(KsqlServiceE2E, InfoAndHealthcheckAnswerAsKsqlDb029) {
  auto c = client();
  auto info = c.send({"GET", "/info", {}, ""});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, 200);
  EXPECT_EQ(info->header("Content-Type"), "application/json");
  EXPECT_NE(info->body.find("{\"KsqlServerInfo\":{\"version\":\"0.29.0\""), std::string::npos);
  auto health = c.send({"GET", "/healthcheck", {}, ""});
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->body, "{\"isHealthy\":true,\"details\":{\"metastore\":{\"isHealthy\":true},"
                          "\"kafka\":{\"isHealthy\":true},\"commandRunner\":{\"isHealthy\":true}},"
                          "\"serverState\":\"READY\"}");
  auto root = c.send({"GET", "/", {}, ""});
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->status, 307);
  EXPECT_EQ(root->header("location"), "/info");
}

TEST_F(KsqlServiceE2E, KsqlAnswersApplicationJsonWhateverTheAccept) {
  auto r = ksql("CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='s', value_format='JSON');"
                "SHOW STREAMS;");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto doc = json::Document::parse(r.body);
  ASSERT_TRUE(doc.ok()) << r.body;
  auto arr = doc->root().get_array().value();
  EXPECT_EQ(arr.size(), 2u);
  auto status = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\"}", {});
  EXPECT_EQ(status.status, 200) << "no Accept header at all is fine";
  auto command = client().send({"GET", "/status/stream/%60S%60/create", {}, ""});
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(command->body,
            "{\"status\":\"SUCCESS\",\"message\":\"Stream created\",\"queryId\":null}");
  auto unknown = client().send({"GET", "/status/stream/X/create", {}, ""});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body, "{\"@type\":\"generic_error\",\"error_code\":40400,\"message\":"
                           "\"Command not found\"}");
}

TEST_F(KsqlServiceE2E, BadRequestsGetTheirErrorBodiesNeverA500) {
  auto malformed = post("/ksql", "{\"ksql\": \"SHOW STREAMS;\"");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_FALSE(malformed.header("Content-Type")) << "FailureHandler sets no Content-Type";
  EXPECT_EQ(malformed.body.rfind("{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":"
                                 "\"Invalid JSON in request: ",
                                 0),
            0u)
      << malformed.body;
  auto missing = post("/ksql", "{\"streamsProperties\":{}}");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, "{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":"
                          "\"\\\"ksql\\\" field must be populated\"}");
  auto syntax = ksql("SHOW STREAMS");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_EQ(syntax.body, "{\"@type\":\"statement_error\",\"error_code\":40001,\"message\":\"line "
                         "1:13: Syntax Error\\nmissing ';' at ''\",\"statementText\":\"SHOW "
                         "STREAMS\",\"entities\":[]}");
  auto select = ksql("CREATE STREAM S (V INT) WITH (kafka_topic='s', value_format='JSON');"
                     "SELECT * FROM S EMIT CHANGES;");
  EXPECT_EQ(select.status, 400);
  EXPECT_NE(select.body.find("\"error_code\":40002"), std::string::npos);
  EXPECT_EQ(ksql("SHOW STREAMS;").body.find("\"name\":\"S\""), std::string::npos)
      << "the CREATE before the rejected SELECT did not run";
  auto unsupported = ksql("CREATE STREAM T (V INT) WITH (kafka_topic='t', value_format='JSON');"
                          "CREATE TABLE A AS SELECT V, COUNT(*) FROM T GROUP BY V;");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_NE(unsupported.body.find("\"@type\":\"statement_error\""), std::string::npos);
  auto not_found = client().send({"GET", "/nope", {}, ""});
  ASSERT_TRUE(not_found.ok());
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->body, "<html><body><h1>Resource not found</h1></body></html>");
  auto wrong_method = client().send({"GET", "/ksql", {}, ""});
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->header("Allow"), "POST");
}

TEST_F(KsqlServiceE2E, UnsupportedAcceptIs406WithAnEmptyBody) {
  auto r = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\"}", {{"Accept", "unsupported/type"}});
  EXPECT_EQ(r.status, 406);
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.header("Content-Type"));
  auto q = post("/query", "{\"ksql\":\"SELECT * FROM X EMIT CHANGES LIMIT 2;\"}",
                {{"Accept", "unsupported/type"}});
  EXPECT_EQ(q.status, 406);
  auto weighted = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\"}",
                       {{"Accept", "text/html;q=1, application/json;q=0.1"}});
  EXPECT_EQ(weighted.status, 200);
}

TEST_F(KsqlServiceE2E, PushQueryStreamsRowsInsertedFromAnotherConnection) {
  ksql("CREATE STREAM PV (USERID STRING KEY, PAGEID STRING, VIEWTIME BIGINT) WITH "
       "(kafka_topic='pv', value_format='JSON');");
  auto reader = std::async(std::launch::async, [&] {
    return post("/query", "{\"ksql\":\"SELECT USERID, PAGEID, VIEWTIME from PV EMIT CHANGES "
                          "LIMIT 2;\",\"streamsProperties\":{}}");
  });
  ASSERT_TRUE(wait_for_push_queries(1));
  ksql("INSERT INTO PV (USERID, PAGEID, VIEWTIME) VALUES ('USER_1', 'PAGE_1', 1);");
  ksql("INSERT INTO PV (USERID, PAGEID, VIEWTIME) VALUES ('USER_2', 'PAGE_2', 2);");
  auto r = reader.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.ksql.v1+json");
  EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  // RestApiTest (query.pushLimit.v1json.lines): one element per line, no trailing newline.
  auto header_end = r.body.find('\n');
  ASSERT_NE(header_end, std::string::npos);
  EXPECT_EQ(r.body.rfind("[{\"header\":{\"queryId\":\"transient_PV_", 0), 0u) << r.body;
  EXPECT_EQ(r.body.substr(r.body.find("\",\"schema\"")),
            "\",\"schema\":\"`USERID` STRING, `PAGEID` STRING, `VIEWTIME` BIGINT\"}},\n"
            "{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\",1]}},\n"
            "{\"row\":{\"columns\":[\"USER_2\",\"PAGE_2\",2]}},\n"
            "{\"finalMessage\":\"Limit Reached\"}]");
  EXPECT_GE(r.chunks.size(), 3u) << "header, rows and the end arrive as separate chunks";
  EXPECT_TRUE(wait_for_push_queries(0));
}

TEST_F(KsqlServiceE2E, AcceptAnyOnQueryGivesTheDelimitedFormat) {
  ksql("CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='s', value_format='JSON');"
       "INSERT INTO S (K, V) VALUES ('a', 1);");
  auto r = post("/query",
                "{\"ksql\":\"SELECT * FROM S EMIT CHANGES LIMIT 1;\",\"streamsProperties\":{"
                "\"ksql.streams.auto.offset.reset\":\"earliest\"}}",
                {{"Accept", "*/*"}});
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.ksqlapi.delimited.v1");
  auto meta_end = r.body.find('\n');
  ASSERT_NE(meta_end, std::string::npos);
  EXPECT_EQ(r.body.substr(r.body.find("\",\"columnNames\"")),
            "\",\"columnNames\":[\"K\",\"V\"],\"columnTypes\":[\"STRING\",\"INTEGER\"]}\n"
            "[\"a\",1]\n");
}

TEST_F(KsqlServiceE2E, QueryStreamRunsUntilCloseQuery) {
  ksql("CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='s', value_format='JSON');");
  auto reader = std::async(std::launch::async, [&] {
    return post("/query-stream", "{\"sql\":\"SELECT * FROM S EMIT CHANGES;\",\"properties\":{}}",
                {});
  });
  ASSERT_TRUE(wait_for_push_queries(1));
  ksql("INSERT INTO S (K, V) VALUES ('a', 1);");
  auto listed = ksql("SHOW QUERIES;").body;
  auto at = listed.find("\"id\":\"transient_S_");
  ASSERT_NE(at, std::string::npos) << listed;
  auto id = listed.substr(at + 6, listed.find('"', at + 6) - at - 6);
  auto closed = post("/close-query", "{\"queryId\":\"" + id + "\"}", {});
  EXPECT_EQ(closed.status, 200);
  EXPECT_TRUE(closed.body.empty());
  auto r = reader.get();
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.ksqlapi.delimited.v1");
  EXPECT_EQ(r.body, "{\"queryId\":\"" + id +
                        "\",\"columnNames\":[\"K\",\"V\"],\"columnTypes\":[\"STRING\",\"INTEGER\"]}"
                        "\n[\"a\",1]\n");
  auto unknown = post("/close-query", "{\"queryId\":\"xyzfasgf\"}", {});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, "{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":\"No "
                          "query with id xyzfasgf\"}");
  auto missing = post("/query-stream", "{\"foo\":\"bar\"}", {});
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("\"message\":\"Invalid JSON in request: Missing required creator "
                              "property 'sql'"),
            std::string::npos)
      << missing.body;
  auto json =
      post("/query-stream", "{\"sql\":\"SELECT * FROM S;\"}", {{"Accept", "application/json"}});
  EXPECT_EQ(json.header("Content-Type"), "application/json");
  EXPECT_EQ(
      json.body.substr(json.body.find("\",\"columnNames\"")),
      "\",\"columnNames\":[\"K\",\"V\"],\"columnTypes\":[\"STRING\",\"INTEGER\"]},[\"a\",1]]");
}

TEST_F(KsqlServiceE2E, QueryErrorsKeepTheirLayers) {
  auto unknown = post("/query", "{\"ksql\":\"SELECT * FROM NOPE EMIT CHANGES;\"}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_FALSE(unknown.header("Content-Type")) << "semantic errors come from FailureHandler";
  EXPECT_NE(unknown.body.find("\"@type\":\"statement_error\",\"error_code\":40001"),
            std::string::npos);
  auto syntax = post("/query", "{\"ksql\":\"SELECT * FROM S1 ORDER BY MYKEY DESC;\"}");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_EQ(syntax.header("Content-Type"), "application/json");
  EXPECT_NE(syntax.body.find("line 1:24: Syntax Error"), std::string::npos) << syntax.body;
}

TEST_F(KsqlServiceE2E, CommandSequenceNumberTimesOutWith50301) {
  KsqlOptions o;
  o.command_timeout = 100ms;
  start(o);
  auto r = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\",\"commandSequenceNumber\":5}");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"@type\":\"generic_error\",\"error_code\":50301,\"message\":\"Timed out "
                    "while waiting for a previous command to execute. command sequence number: "
                    "5\"}");
  ksql("CREATE STREAM S (V INT) WITH (kafka_topic='s', value_format='JSON');");
  auto after = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\",\"commandSequenceNumber\":0}");
  EXPECT_EQ(after.status, 200);
}

TEST_F(KsqlServiceE2E, DisconnectedAndConcurrentPushQueriesAreCleanedUp) {
  ksql("CREATE STREAM S (V INT) WITH (kafka_topic='s', value_format='JSON');");
  // Readers that give up mid-stream (the client closes its socket after 150 ms)...
  std::vector<std::future<http::Response>> quitters;
  for (int i = 0; i < 8; ++i)
    quitters.push_back(std::async(std::launch::async, [&] {
      http::SendOptions so;
      so.stream_for = 150ms;
      return post("/query", "{\"ksql\":\"SELECT * FROM S EMIT CHANGES;\"}",
                  {{"Accept", "application/vnd.ksql.v1+json"}}, so);
    }));
  // ...and readers that wait for their LIMIT while rows arrive.
  std::vector<std::future<http::Response>> finishers;
  for (int i = 0; i < 8; ++i)
    finishers.push_back(std::async(std::launch::async, [&] {
      return post("/query", "{\"ksql\":\"SELECT * FROM S EMIT CHANGES LIMIT 3;\"}");
    }));
  std::atomic<bool> inserting{true};
  std::thread writer([&] {
    int v = 0;
    while (inserting)
      ksql("INSERT INTO S (V) VALUES (" + std::to_string(v++) + ");");
  });
  for (auto& f : quitters)
    EXPECT_TRUE(f.get().truncated);
  for (auto& f : finishers) {
    auto r = f.get();
    EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 4) << r.body;
    EXPECT_NE(r.body.find("{\"finalMessage\":\"Limit Reached\"}]"), std::string::npos);
  }
  inserting = false;
  writer.join();
  EXPECT_TRUE(wait_for_push_queries(0)) << "every transient query is gone";
}

TEST_F(KsqlServiceE2E, TokenIsRequiredAndNeverEchoed) {
  KsqlOptions o;
  o.token = "s3cret-token";
  start(o);
  auto denied = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\"}", {{"Authorization", "Bearer wrong"}});
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.body, "{\"@type\":\"generic_error\",\"error_code\":40100,\"message\":"
                         "\"Unauthorized\"}");
  auto missing = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\"}", {});
  EXPECT_EQ(missing.status, 401);
  auto allowed =
      post("/ksql", "{\"ksql\":\"SHOW STREAMS;\"}", {{"Authorization", "Bearer s3cret-token"}});
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.body.find("s3cret"), std::string::npos);
  auto health = client().send({"GET", "/healthcheck", {}, ""});
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200) << "/healthcheck needs no authentication";
}

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += piece;
  return out;
}

// ~1,000 nested parentheses killed the whole server (both listeners) with a stack overflow.
TEST_F(KsqlServiceE2E, DeepNestingIsA400StatementErrorAndTheServerGoesOn) {
  const std::size_t deep = 100000;
  // Nesting or token limit, whichever the statement passes first.
  const std::string limit_text = "(the limit of konform serve)";
  auto parens = ksql("SELECT " + repeat("(", deep) + "1" + repeat(")", deep) + " FROM S;");
  EXPECT_EQ(parens.status, 400);
  EXPECT_NE(parens.body.find("\"@type\":\"statement_error\",\"error_code\":40001"),
            std::string::npos);
  EXPECT_NE(parens.body.find(limit_text), std::string::npos) << parens.body.substr(0, 300);
  auto nots = post("/query", "{\"ksql\":\"SELECT * FROM S WHERE " + repeat("NOT ", deep) +
                                 "TRUE EMIT CHANGES;\"}");
  EXPECT_EQ(nots.status, 400);
  EXPECT_NE(nots.body.find(limit_text), std::string::npos) << nots.body.substr(0, 300);
  auto sums = post("/query-stream", "{\"sql\":\"SELECT 1" + repeat("+1", deep) + " FROM S;\"}", {});
  EXPECT_EQ(sums.status, 400);
  EXPECT_NE(sums.body.find(limit_text), std::string::npos) << sums.body.substr(0, 300);
  auto types = ksql("CREATE STREAM T (C " + repeat("STRUCT<F ", deep) + "INT" + repeat(">", deep) +
                    ") WITH (kafka_topic='t', value_format='JSON');");
  EXPECT_EQ(types.status, 400);
  EXPECT_NE(types.body.find(limit_text), std::string::npos) << types.body.substr(0, 300);

  // The JSON around the statement nests too (simdjson stops at 1024 levels): 400 40000.
  auto props = post("/ksql", "{\"ksql\":\"SHOW STREAMS;\",\"streamsProperties\":{\"a\":" +
                                 repeat("[", deep) + repeat("]", deep) + "}}");
  EXPECT_EQ(props.status, 400);
  EXPECT_NE(props.body.find("\"error_code\":40000"), std::string::npos) << props.body;

  // Just inside the limit, the statement is parsed, run and evaluated on a server thread.
  const std::size_t ok = max_expression_height - 5;
  ASSERT_EQ(ksql("CREATE STREAM S (V INT) WITH (kafka_topic='s', value_format='JSON');"
                 "INSERT INTO S (V) VALUES (" +
                 repeat("(", ok) + "1" + repeat(")", ok) + ");")
                .status,
            200);
  auto deep_ok =
      post("/query", "{\"ksql\":\"SELECT V" + repeat("+1", ok) + " AS W, " + repeat("NOT ", ok) +
                         "TRUE AS B FROM S EMIT CHANGES LIMIT 1;"
                         "\",\"streamsProperties\":{\"ksql.streams.auto.offset.reset\":"
                         "\"earliest\"}}");
  EXPECT_EQ(deep_ok.status, 200);
  EXPECT_NE(deep_ok.body.find("{\"row\":{\"columns\":[" + std::to_string(ok + 1) + "," +
                              (ok % 2 == 0 ? "true" : "false") + "]}}"),
            std::string::npos)
      << deep_ok.body;
  EXPECT_EQ(ksql("SHOW STREAMS;").status, 200);
}

// A client that asks for a push query and never reads: its receive buffer is as small as the
// kernel allows, so what the server sends piles up on the server's side.
int start_unread_push_query(std::uint16_t port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string req = "POST " + path +
                    " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  EXPECT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  return fd;
}

// 20 such clients took serve from 8.7 MB to 1.49 GB: each push stream's queue is now bounded,
// and a client over it is dropped with its transient query.
TEST_F(KsqlServiceE2E, PushQueryClientsThatDoNotReadAreDroppedAtTheBufferLimit) {
  ServerOptions so;
  so.stream_buffer_limit = 256 * 1024;
  so.stream_write_timeout = std::chrono::minutes(5); // only the buffer limit can drop them here
  start({}, so);
  ASSERT_EQ(ksql("CREATE STREAM S (K STRING KEY, V STRING) WITH (kafka_topic='s', "
                 "value_format='JSON');")
                .status,
            200);
  int v1 = start_unread_push_query(server->port(), "/query",
                                   "{\"ksql\":\"SELECT * FROM S EMIT CHANGES;\"}");
  int v2 = start_unread_push_query(server->port(), "/query-stream",
                                   "{\"sql\":\"SELECT * FROM S EMIT CHANGES;\"}");
  ASSERT_TRUE(wait_for_push_queries(2));
  const std::string big(64 * 1024, 'x');
  int inserted = 0;
  bool dropped = false;
  // Kernel buffers take a few MB before anything queues in the server; 40 MB is far beyond.
  while (!dropped && inserted < 640) {
    ASSERT_EQ(ksql("INSERT INTO S (K, V) VALUES ('k', '" + big + "');").status, 200);
    if (++inserted % 8 == 0) dropped = push_queries() == 0;
  }
  EXPECT_TRUE(dropped) << "both clients still registered after " << inserted << " rows of 64 KB";
  ::close(v1);
  ::close(v2);
  EXPECT_EQ(ksql("SHOW STREAMS;").status, 200);
}

TEST_F(KsqlServiceE2E, PushQueryClientsThatDoNotReadAreDroppedAfterTheWriteTimeout) {
  ServerOptions so;
  so.stream_buffer_limit = std::size_t(1) << 30;
  so.stream_write_timeout = 300ms;
  start({}, so);
  ASSERT_EQ(ksql("CREATE STREAM S (K STRING KEY, V STRING) WITH (kafka_topic='s', "
                 "value_format='JSON');")
                .status,
            200);
  int fd = start_unread_push_query(server->port(), "/query",
                                   "{\"ksql\":\"SELECT * FROM S EMIT CHANGES;\"}");
  ASSERT_TRUE(wait_for_push_queries(1));
  const std::string big(64 * 1024, 'x');
  int inserted = 0;
  bool dropped = false;
  while (!dropped && inserted < 640) {
    ASSERT_EQ(ksql("INSERT INTO S (K, V) VALUES ('k', '" + big + "');").status, 200);
    if (++inserted % 8 == 0) dropped = push_queries() == 0;
  }
  if (!dropped) dropped = wait_for_push_queries(0); // the last write may still be waiting
  EXPECT_TRUE(dropped) << "the client is still registered after " << inserted << " rows";
  ::close(fd);
}

} // namespace
} // namespace konform::serve::ksql
