// The Kusto listener's request handling without sockets (serve_in_memory), the way the fuzz
// targets drive it: one raw HTTP request in, the raw response out.
#include "serve/http_server.h"
#include "serve/kusto/kusto_service.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto {
namespace {

TEST(KustoInMemory, RawRequestsGetTheListenersAnswers) {
  auto service = std::move(KustoService::create({}).value());
  ServerOptions o;
  auto* svc = service.get();
  o.error_response = [svc](int s, const std::string& m) { return svc->error_response(s, m); };
  Handler handler = [svc](const ServerRequest& r) { return svc->handle(r); };

  std::string body = R"({"db":"Samples","csl":"StormEvents | count"})";
  auto query = serve_in_memory(o, handler,
                               "POST /v2/rest/query HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(query.rfind("HTTP/1.1 200", 0), 0u) << query;
  EXPECT_NE(query.find("\"Rows\":[[20]]"), std::string::npos) << query;
  auto brew = serve_in_memory(o, handler, "BREW /v1/rest/ping HTTP/1.1\r\n\r\n");
  EXPECT_EQ(brew.rfind("HTTP/1.1 405", 0), 0u) << brew;
  auto malformed = serve_in_memory(o, handler, "GET / HTTP/9\r\n\r\n");
  EXPECT_EQ(malformed.rfind("HTTP/1.1 400", 0), 0u) << malformed;
  EXPECT_NE(malformed.find("\"error\""), std::string::npos) << "the OneAPI error body";
}

} // namespace
} // namespace konform::serve::kusto
