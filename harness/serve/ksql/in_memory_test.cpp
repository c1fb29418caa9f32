// The ksqlDB listener's request handling without sockets (serve_in_memory), the way the fuzz
// targets drive it: one raw HTTP request in, the raw response out.
#include "serve/http_server.h"
#include "serve/ksql/ksql_service.h"

#include <gtest/gtest.h>

namespace konform::serve::ksql {
namespace {

std::string request(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(KsqlInMemory, RawRequestsGetTheListenersAnswersAndPushQueriesAreCleanedUp) {
  auto service = std::move(KsqlService::create({}).value());
  ServerOptions o;
  auto* svc = service.get();
  o.error_response = [svc](int s, const std::string& m) { return svc->error_response(s, m); };
  Handler handler = [svc](const ServerRequest& r) { return svc->handle(r); };

  auto created = serve_in_memory(
      o, handler,
      request(
          "/ksql",
          R"({"ksql":"CREATE STREAM S (V INT) WITH (kafka_topic='s', value_format='JSON');"})"));
  EXPECT_EQ(created.rfind("HTTP/1.1 200", 0), 0u) << created;
  auto push =
      serve_in_memory(o, handler, request("/query", R"({"ksql":"SELECT * FROM S EMIT CHANGES;"})"));
  EXPECT_EQ(push.rfind("HTTP/1.1 200", 0), 0u) << push;
  EXPECT_NE(push.find("transient_S_"), std::string::npos) << push;
  auto queries = serve_in_memory(o, handler, request("/ksql", R"({"ksql":"SHOW QUERIES;"})"));
  EXPECT_EQ(queries.find("\"queryType\":\"PUSH\""), std::string::npos)
      << "the push query ends with its (in-memory) client: " << queries;
  auto malformed = serve_in_memory(o, handler, "POST /ksql HTTP/1.1\r\nContent-Length: x\r\n\r\n");
  EXPECT_EQ(malformed.rfind("HTTP/1.1 400", 0), 0u) << malformed;
  EXPECT_NE(malformed.find("\"@type\":\"generic_error\""), std::string::npos) << malformed;
}

} // namespace
} // namespace konform::serve::ksql
