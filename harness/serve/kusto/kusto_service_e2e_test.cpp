// The Kusto service over real loopback HTTP with the project's conformance client.
#include "core/gzip.h"
#include "http/client.h"
#include "json/document.h"
#include "serve/kusto/kusto_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace konform::serve::kusto {
namespace {

struct Running {
  std::unique_ptr<KustoService> service;
  std::unique_ptr<HttpServer> server;
};

Running start(KustoOptions o = {}, ServerOptions so = {}) {
  Running r;
  r.service = std::move(KustoService::create(o).value());
  so.threads = 2;
  auto* svc = r.service.get();
  so.error_response = [svc](int status, const std::string& m) {
    return svc->error_response(status, m);
  };
  r.server =
      std::make_unique<HttpServer>(so, [svc](const ServerRequest& q) { return svc->handle(q); });
  EXPECT_TRUE(r.server->start().ok());
  return r;
}

http::Request post(std::string target, std::string body, http::Headers h = {}) {
  h.emplace_back("Content-Type", "application/json; charset=utf-8");
  h.emplace_back("Accept", "application/json");
  return {"POST", std::move(target), std::move(h), std::move(body)};
}

class KustoE2E : public ::testing::Test {
protected:
  void SetUp() override {
    running = start();
    client = std::make_unique<http::Client>(*http::parse_url(running.server->url()));
  }
  http::Response send(const http::Request& r) {
    auto res = client->send(r);
    EXPECT_TRUE(res.ok()) << res.error().message;
    return res.ok() ? std::move(res.value()) : http::Response{};
  }
  Running running;
  std::unique_ptr<http::Client> client;
};

TEST_F(KustoE2E, PingAndAuthMetadata) {
  auto ping = send({"GET", "/v1/rest/ping", {}, ""});
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body.rfind("Pong! IP address: '127.0.0.1'", 0), 0u);
  auto meta = send({"GET", "/v1/rest/auth/metadata", {}, ""});
  EXPECT_EQ(meta.status, 200);
  auto doc = json::Document::parse(meta.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root()["AzureAD"]["LoginEndpoint"].get_string().value(),
            "https://login.microsoftonline.com");
}

TEST_F(KustoE2E, V2QueryEchoesRequestIdAndStampsFreshActivityIds) {
  auto a = send(post("/v2/rest/query", R"({"db":"Samples","csl":"StormEvents | take 2"})",
                     {{"x-ms-client-request-id", "KNC.execute;abc"}}));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.header("x-ms-client-request-id").value_or(""), "KNC.execute;abc");
  auto doc = json::Document::parse(a.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root().at(2)["Rows"].get_array().value().size(), 2u);
  auto b = send(post("/v2/rest/query", R"({"db":"Samples","csl":"print 1"})"));
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(b.header("x-ms-client-request-id").value_or("").rfind("unspecified;", 0), 0u);
  EXPECT_NE(a.header("x-ms-activity-id"), b.header("x-ms-activity-id"));
  auto err = send(post("/v2/rest/query", R"({"db":"Samples","csl":"Nope"})"));
  EXPECT_EQ(err.status, 400);
  EXPECT_TRUE(err.header("x-ms-activity-id").has_value());
}

TEST_F(KustoE2E, V1GetQueryAndMgmtWithStringProperties) {
  auto v1 = send({"GET", "/v1/rest/query?db=Samples&csl=StormEvents%20%7C%20count", {}, ""});
  ASSERT_EQ(v1.status, 200) << v1.body;
  auto doc = json::Document::parse(v1.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root()["Tables"].get_array().value().size(), 4u);
  EXPECT_EQ(doc->root()["Tables"].at(0)["Rows"].at(0).at(0).get_int64().value(), 20);
  auto mgmt = send(post(
      "/v1/rest/mgmt",
      R"({"db":"Samples","csl":".show tables","properties":"{\"Options\":{\"servertimeout\":\"00:01:00\"}}"})"));
  ASSERT_EQ(mgmt.status, 200) << mgmt.body;
  auto m = json::Document::parse(mgmt.body);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->root()["Tables"].get_array().value().size(), 1u);
}

TEST_F(KustoE2E, ProtocolErrorsHaveTheirRealShapes) {
  auto v2cmd = send(post("/v2/rest/query", R"({"db":"Samples","csl":".show tables"})"));
  EXPECT_EQ(v2cmd.status, 400);
  EXPECT_EQ(
      v2cmd.body.rfind(
          "Bad request: Control commands (starting with a dot '.') do not support api_version=v2",
          0),
      0u);
  auto syntax = send(post("/v2/rest/query", R"({"db":"Samples","csl":"StormEvents take 5"})"));
  EXPECT_EQ(syntax.status, 400);
  auto e = json::Document::parse(syntax.body);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->root()["error"]["innererror"]["code"].get_string().value(), "SYN0002");
  auto notfound = send({"GET", "/v1/rest/nothing", {}, ""});
  EXPECT_EQ(notfound.status, 404);
  EXPECT_EQ(json::Document::parse(notfound.body)->root()["error"]["code"].get_string().value(),
            "NotFound");
  auto badjson = send(post("/v1/rest/query", "{\"db\":\"Samples\",\n\"csl\": }"));
  EXPECT_EQ(badjson.status, 400);
  EXPECT_NE(badjson.body.find("2:"), std::string::npos) << badjson.body;
  auto dm =
      send(post("/v1/rest/mgmt", R"({"db":"NetDefaultDB","csl":".get ingestion resources"})"));
  EXPECT_EQ(dm.status, 400);
  EXPECT_NE(dm.body.find("AdminCommandWrongEndpointException"), std::string::npos);
  auto badopt = send(post(
      "/v2/rest/query",
      R"({"db":"Samples","csl":"print 1","properties":{"Options":{"servertimeout":"soon"}}})"));
  EXPECT_EQ(badopt.status, 400);
  EXPECT_NE(badopt.body.find("servertimeout"), std::string::npos);
}

TEST_F(KustoE2E, OptionsChangeTheV2LayoutAndTruncate) {
  auto r = send(post(
      "/v2/rest/query",
      R"({"db":"Samples","csl":"StormEvents","properties":{"Options":{"results_v2_fragment_primary_tables":true,"results_v2_newlines_between_frames":true,"results_error_reporting_placement":"end_of_table","truncationmaxrecords":5}}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = json::Document::parse(r.body);
  ASSERT_TRUE(doc.ok());
  auto completion = doc->root().at(4);
  EXPECT_EQ(completion["FrameType"].get_string().value(), "TableCompletion");
  EXPECT_EQ(completion["RowCount"].get_int64().value(), 5);
  EXPECT_FALSE(completion["OneApiErrors"].error());

  // The same query without the limit (a cache entry with every row), then with it again: the
  // limit applies to each request, whatever the cache holds.
  auto rows_and_errors = [&](std::string options) {
    auto res = send(
        post("/v2/rest/query",
             R"({"db":"Samples","csl":"StormEvents","properties":{"Options":{)" + options + "}}}"));
    auto d = json::Document::parse(res.body);
    EXPECT_TRUE(d.ok()) << res.body;
    if (!d.ok()) return std::pair<std::size_t, bool>{0, false};
    auto primary = d->root().at(2);
    auto last = d->root().at(d->root().get_array().value().size() - 1);
    return std::pair{primary["Rows"].get_array().value().size(),
                     last["HasErrors"].get_bool().value()};
  };
  EXPECT_EQ(rows_and_errors(""), (std::pair<std::size_t, bool>{20, false}));
  EXPECT_EQ(rows_and_errors(
                R"("truncationmaxrecords":3,"results_error_reporting_placement":"end_of_dataset")"),
            (std::pair<std::size_t, bool>{3, true}));
  EXPECT_EQ(rows_and_errors(""), (std::pair<std::size_t, bool>{20, false}));
}

TEST_F(KustoE2E, CompressesWhenTheClientAcceptsGzip) {
  auto r = send(post("/v2/rest/query", R"({"db":"Samples","csl":"StormEvents"})",
                     {{"Accept-Encoding", "gzip,deflate"}}));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-encoding").value_or(""), "gzip");
  auto decoded = http::decoded_body(r);
  EXPECT_TRUE(decoded.error.empty());
  EXPECT_TRUE(json::Document::parse(decoded.text).ok());
  auto d = send(post("/v2/rest/query", R"({"db":"Samples","csl":"StormEvents"})",
                     {{"Accept-Encoding", "deflate"}}));
  EXPECT_EQ(d.header("content-encoding").value_or(""), "deflate");
  EXPECT_TRUE(http::decoded_body(d).error.empty());
}

TEST_F(KustoE2E, StreamingIngestGzipIsAllOrNothingAndVisibleToQueries) {
  ASSERT_EQ(send(post("/v1/rest/mgmt",
                      R"x({"db":"Samples","csl":".create table Ev (a:string, n:long)"})x"))
                .status,
            200);
  http::Request ok{"POST",
                   "/v1/rest/ingest/Samples/Ev?streamFormat=csv",
                   {{"Content-Encoding", "gzip"}, {"Content-Type", "application/octet-stream"}},
                   gzip::compress("x,1\ny,2\n")};
  auto res = send(ok);
  ASSERT_EQ(res.status, 200) << res.body;
  auto doc = json::Document::parse(res.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root()["Tables"].at(0)["Rows"].at(0).at(0).get_int64().value(), 2);
  http::Request mislabelled{"POST",
                            "/v1/rest/ingest/Samples/Ev?streamFormat=csv",
                            {{"Content-Encoding", "gzip"}},
                            "z,3\n"};
  EXPECT_EQ(send(mislabelled).status, 400);
  http::Request malformed{
      "POST", "/v1/rest/ingest/Samples/Ev?streamFormat=csv", {}, "p,4\nq,notanumber\n"};
  EXPECT_EQ(send(malformed).status, 400);
  auto count = send(post("/v2/rest/query", R"({"db":"Samples","csl":"Ev | count"})"));
  auto c = json::Document::parse(count.body);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->root().at(2)["Rows"].at(0).at(0).get_int64().value(), 2);
  auto avro = send({"POST", "/v1/rest/ingest/Samples/Ev?streamFormat=avro", {}, "x"});
  EXPECT_EQ(avro.status, 400);
}

// Query results are reused while the data is unchanged (query_cache.h): every write must still
// show in the very next query, and a query that reads the clock is never reused.
TEST_F(KustoE2E, RepeatedQueriesSeeEveryWriteAndAFreshClock) {
  auto count = [&] {
    auto res = send(post("/v2/rest/query", R"({"db":"Samples","csl":"Cq | count"})"));
    auto doc = json::Document::parse(res.body);
    if (res.status != 200 || !doc.ok()) return std::int64_t{-1};
    return doc->root().at(2)["Rows"].at(0).at(0).get_int64().value();
  };
  auto mgmt = [&](std::string csl) {
    return send(post("/v1/rest/mgmt", R"({"db":"Samples","csl":")" + csl + "\"}")).status;
  };
  auto ingest = [&](std::string csv) {
    return send({"POST", "/v1/rest/ingest/Samples/Cq?streamFormat=csv", {}, std::move(csv)}).status;
  };
  ASSERT_EQ(mgmt(".create table Cq (a:string)"), 200);
  EXPECT_EQ(count(), 0);
  EXPECT_EQ(count(), 0);
  ASSERT_EQ(ingest("x\ny\n"), 200);
  EXPECT_EQ(count(), 2);
  ASSERT_EQ(ingest("z\n"), 200);
  EXPECT_EQ(count(), 3);
  ASSERT_EQ(mgmt(".drop table Cq"), 200);
  EXPECT_EQ(count(), -1); // SEM0100: the table is gone, not a remembered count

  auto clock = [&] {
    auto res = send(post("/v1/rest/query", R"x({"db":"Samples","csl":"print t=now()"})x"));
    auto doc = json::Document::parse(res.body);
    EXPECT_TRUE(doc.ok()) << res.body;
    if (!doc.ok()) return std::string();
    return std::string(doc->root()["Tables"].at(0)["Rows"].at(0).at(0).get_string().value());
  };
  auto first = clock();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_NE(clock(), first);
}

TEST(KustoE2EOptions, GzipBombIs413) {
  KustoOptions o;
  o.ingest_limit = 1 << 20;
  auto running = start(o);
  http::Client client(*http::parse_url(running.server->url()));
  http::Request bomb{"POST",
                     "/v1/rest/ingest/Samples/States?streamFormat=csv",
                     {{"Content-Encoding", "gzip"}},
                     gzip::compress(std::string(8 << 20, 'a'))};
  auto res = client.send(bomb);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("PayloadTooLarge"), std::string::npos);
}

TEST(KustoE2EOptions, TokenIsRequiredAndNeverEchoed) {
  KustoOptions o;
  o.token = "s3cret-token-value";
  auto running = start(o);
  http::Client client(*http::parse_url(running.server->url()));
  auto none = client.send(post("/v2/rest/query", R"({"db":"Samples","csl":"print 1"})"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401);
  auto wrong = client.send(post("/v2/rest/query", R"({"db":"Samples","csl":"print 1"})",
                                {{"Authorization", "Bearer s3cret-token-valuX"}}));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body.find("s3cret"), std::string::npos);
  for (const auto& [k, v] : wrong->headers)
    EXPECT_EQ(v.find("s3cret"), std::string::npos) << k;
  auto right = client.send(post("/v2/rest/query", R"({"db":"Samples","csl":"print 1"})",
                                {{"Authorization", "Bearer s3cret-token-value"}}));
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(right->status, 200);
  auto meta = client.send({"GET", "/v1/rest/auth/metadata", {}, ""});
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->status, 200); // SDKs fetch it before they have a token
}

TEST(KustoE2EOptions, MaxConcurrentAnswers429NotPermanent) {
  KustoOptions o;
  o.max_concurrent = 1;
  auto running = start(o);
  {
    http::Client setup(*http::parse_url(running.server->url()));
    ASSERT_EQ(setup
                  .send(post("/v1/rest/mgmt",
                             R"x({"db":"Samples","csl":".create table Big (a:string)"})x"))
                  ->status,
              200);
    std::string rows;
    for (int k = 0; k < 200000; ++k)
      rows += "row" + std::to_string(k) + "\n";
    ASSERT_EQ(
        setup.send({"POST", "/v1/rest/ingest/Samples/Big?streamFormat=csv", {}, rows})->status,
        200);
  }
  std::atomic<int> throttled{0}, ok{0};
  std::string body429;
  std::mutex mu;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      http::Client c(*http::parse_url(running.server->url()));
      while (throttled == 0 && std::chrono::steady_clock::now() < deadline) {
        auto r = c.send(
            post("/v2/rest/query", R"({"db":"Samples","csl":"Big | where a contains '99999'"})"));
        if (!r.ok()) continue;
        if (r->status == 429) {
          std::lock_guard lock(mu);
          body429 = r->body;
          ++throttled;
        } else if (r->status == 200) {
          ++ok;
        }
      }
    });
  for (auto& t : threads)
    t.join();
  ASSERT_GT(throttled.load(), 0);
  auto doc = json::Document::parse(body429);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root()["error"]["code"].get_string().value(), "TooManyRequests");
  EXPECT_FALSE(doc->root()["error"]["@permanent"].get_bool().value());
}

// Raw sockets: what a broken or vanishing client does must not hurt the server.
int connect_raw(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

std::string read_some(int fd) {
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  auto n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

TEST_F(KustoE2E, MalformedHttpAndDisconnectsDoNotHurtTheServer) {
  int fd = connect_raw(running.server->port());
  std::string garbage = "THIS IS NOT HTTP\r\n\r\n";
  ASSERT_GT(::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL), 0);
  auto answer = read_some(fd);
  EXPECT_NE(answer.find("400"), std::string::npos) << answer;
  ::close(fd);
  // A client that sends a request and vanishes before the answer.
  for (int k = 0; k < 20; ++k) {
    int c = connect_raw(running.server->port());
    std::string req = "POST /v2/rest/query HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      "40\r\n\r\n{\"db\":\"Samples\",\"csl\":\"StormEvents\"}    ";
    ::send(c, req.data(), req.size() / (k % 2 ? 1 : 2), MSG_NOSIGNAL);
    ::close(c);
  }
  auto ping = send({"GET", "/v1/rest/ping", {}, ""});
  EXPECT_EQ(ping.status, 200);
  for (int k = 0; k < 50 && running.server->open_connections() > 1; ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_LE(running.server->open_connections(), 1u); // no leaked connections
}

TEST(KustoE2EOptions, SlowClientsAreDisconnectedAfterTheReadTimeout) {
  ServerOptions so;
  so.read_timeout = std::chrono::seconds(1);
  auto running = start({}, so);
  int fd = connect_raw(running.server->port());
  std::string partial =
      "POST /v2/rest/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"db\"";
  ASSERT_GT(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
  auto before = std::chrono::steady_clock::now();
  read_some(fd); // returns when the server closes the connection (or after 5 s)
  auto waited = std::chrono::steady_clock::now() - before;
  ::close(fd);
  EXPECT_LT(waited, std::chrono::milliseconds(4500)) << "the slow connection was not closed";
  http::Client client(*http::parse_url(running.server->url()));
  auto ping = client.send({"GET", "/v1/rest/ping", {}, ""});
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->status, 200);
}

TEST(KustoE2EOptions, OversizedHeadersGet431InOneApiForm) {
  ServerOptions so;
  so.header_limit = 2048;
  auto running = start({}, so);
  http::Client client(*http::parse_url(running.server->url()));
  auto r = client.send({"GET", "/v1/rest/ping", {{"X-Big", std::string(8000, 'a')}}, ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find("\"error\""), std::string::npos);
  EXPECT_TRUE(r->header("x-ms-activity-id").has_value());
}

} // namespace
} // namespace konform::serve::kusto
