// HTTP/2 on a real listener (loopback): h2c with prior knowledge and HTTP/1.1 on the same port,
// Upgrade: h2c, the ksqlDB service answering with the same bytes over both, RST_STREAM ending a
// push query, GOAWAY for a bad preface.
#include "http/client.h"
#include "serve/h2_test_client.h"
#include "serve/http_server.h"
#include "serve/ksql/ksql_service.h"
#include "serve/kusto/kusto_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <regex>
#include <thread>

namespace konform::serve {
namespace {

using namespace std::chrono_literals;
using testing::goaway_in;
using testing::H2TestClient;

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    ASSERT_GT(n, 0);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads what is there within `wait`; empty at EOF or timeout (eof tells which).
std::string read_some(int fd, std::chrono::milliseconds wait, bool* eof = nullptr) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return {};
  char buf[65536];
  auto n = ::read(fd, buf, sizeof buf);
  if (n <= 0 && eof) *eof = true;
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// Runs the client over the socket until `done` holds (or 5 s pass).
bool drive(int fd, H2TestClient& c, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 15s; // generous: ASan, loaded hosts
  while (std::chrono::steady_clock::now() < deadline) {
    auto out = c.take_output();
    if (!out.empty()) write_all(fd, out);
    if (done()) return true;
    bool eof = false;
    auto in = read_some(fd, 20ms, &eof);
    if (!in.empty()) c.receive(in);
    if (eof) return done();
  }
  return false;
}

class H2E2E : public ::testing::Test {
protected:
  void SetUp() override {
    service = std::move(ksql::KsqlService::create({}).value());
    ServerOptions so;
    so.threads = 2;
    so.name = "ksql";
    so.stream_request_body = ksql::KsqlService::streams_request_body;
    auto* svc = service.get();
    so.error_response = [svc](int s, const std::string& m) { return svc->error_response(s, m); };
    server =
        std::make_unique<HttpServer>(so, [svc](const ServerRequest& r) { return svc->handle(r); });
    ASSERT_TRUE(server->start().ok());
  }
  http::Response h1(const std::string& method, const std::string& path, const std::string& body,
                    http::Headers headers = {{"Accept", "application/vnd.ksql.v1+json"}}) {
    http::Client c(*http::parse_url(server->url()));
    auto r = c.send({method, path, std::move(headers), body});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r.value()) : http::Response{};
  }
  std::size_t push_queries() {
    auto r = h1("POST", "/ksql", "{\"ksql\":\"SHOW QUERIES;\"}");
    std::size_t n = 0;
    for (auto p = r.body.find("\"queryString\""); p != std::string::npos;
         p = r.body.find("\"queryString\"", p + 1))
      ++n;
    return n;
  }
  std::unique_ptr<ksql::KsqlService> service;
  std::unique_ptr<HttpServer> server;
};

TEST_F(H2E2E, PriorKnowledgeAndHttp11ShareThePortAndTheBytes) {
  auto created = h1("POST", "/ksql",
                    "{\"ksql\":\"CREATE STREAM S (ID INT KEY, V STRING) WITH "
                    "(kafka_topic='s', value_format='json', partitions=1);"
                    "INSERT INTO S (ID, V) VALUES (1, 'a');\"}");
  ASSERT_EQ(created.status, 200) << created.body;
  int fd = connect_to(server->port());
  H2TestClient c;
  auto info = c.request("GET", "/info", {{"accept", "application/json"}});
  std::string query = "{\"ksql\":\"SELECT * FROM S;\"}";
  auto pull = c.request("POST", "/query", {{"accept", "application/vnd.ksql.v1+json"}}, query);
  auto missing = c.request("GET", "/nowhere");
  ASSERT_TRUE(drive(fd, c, [&] {
    return c.responses[info].closed && c.responses[pull].closed && c.responses[missing].closed;
  }));
  auto info1 = h1("GET", "/info", "", {{"Accept", "application/json"}});
  EXPECT_EQ(c.responses[info].status, info1.status);
  EXPECT_EQ(c.responses[info].body(), info1.body);
  EXPECT_EQ(http::find_header(c.responses[info].headers, "content-type"),
            info1.header("Content-Type"));
  // /query over HTTP/2 answers as ksqlDB 0.29 does: the same StreamedRow array as HTTP/1.1.
  auto pull1 = h1("POST", "/query", query);
  EXPECT_EQ(c.responses[pull].status, 200);
  // (pull query ids carry the time: query_<millis>)
  auto same_id = [](std::string b) {
    return std::regex_replace(b, std::regex("query_\\d+"), "query_N");
  };
  EXPECT_EQ(same_id(c.responses[pull].body()), same_id(pull1.body));
  EXPECT_EQ(http::find_header(c.responses[pull].headers, "content-type"),
            pull1.header("Content-Type"));
  EXPECT_EQ(c.responses[missing].status, 404);
  EXPECT_EQ(c.responses[missing].body(), h1("GET", "/nowhere", "").body);
  ::close(fd);
}

TEST_F(H2E2E, UpgradeH2cAnswersTheRequestOverHttp2) {
  int fd = connect_to(server->port());
  H2TestClient c({}, false);
  std::uint8_t payload[64];
  nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  auto n = nghttp2_pack_settings_payload(payload, sizeof payload, iv, 1);
  ASSERT_EQ(nghttp2_session_upgrade2(c.session(), payload, static_cast<std::size_t>(n), 0, nullptr),
            0);
  // base64url, no padding
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string b64;
  unsigned buf = 0;
  int bits = 0;
  for (ssize_t i = 0; i < n; ++i) {
    buf = (buf << 8) | payload[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      b64 += abc[(buf >> bits) & 63];
    }
  }
  if (bits) b64 += abc[(buf << (6 - bits)) & 63];
  write_all(fd, "GET /info HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " +
                    b64 + "\r\n\r\n");
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos) {
    auto in = read_some(fd, 2000ms);
    ASSERT_FALSE(in.empty()) << head;
    head += in;
  }
  auto end = head.find("\r\n\r\n") + 4;
  EXPECT_EQ(head.substr(0, end), "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                                 "Upgrade: h2c\r\n\r\n");
  nghttp2_submit_settings(c.session(), NGHTTP2_FLAG_NONE, nullptr, 0);
  if (end < head.size()) c.receive(std::string_view(head).substr(end));
  ASSERT_TRUE(drive(fd, c, [&] { return c.responses[1].closed; }));
  EXPECT_EQ(c.responses[1].status, 200);
  EXPECT_EQ(c.responses[1].body(), h1("GET", "/info", "", {{"Accept", "application/json"}}).body);
  ::close(fd);
  // An HTTP2-Settings that is no SETTINGS payload: no upgrade, an HTTP/1.1 answer.
  auto plain = h1("GET", "/info", "",
                  {{"Accept", "application/json"}, {"Upgrade", "h2c"}, {"HTTP2-Settings", "!!"}});
  EXPECT_EQ(plain.status, 200);
  EXPECT_NE(plain.body.find("KsqlServerInfo"), std::string::npos);
}

TEST_F(H2E2E, ResetStreamEndsThePushQueryAndTheConnectionGoesOn) {
  ASSERT_EQ(h1("POST", "/ksql",
               "{\"ksql\":\"CREATE STREAM S (ID INT KEY, V STRING) WITH "
               "(kafka_topic='s', value_format='json', partitions=1);\"}")
                .status,
            200);
  int fd = connect_to(server->port());
  H2TestClient c;
  auto push = c.request("POST", "/query-stream", {}, "{\"sql\":\"SELECT * FROM S EMIT CHANGES;\"}");
  ASSERT_TRUE(drive(fd, c, [&] { return c.responses[push].frames.size() == 1; }));
  EXPECT_EQ(push_queries(), 1u);
  ASSERT_EQ(h1("POST", "/ksql", "{\"ksql\":\"INSERT INTO S (ID, V) VALUES (1, 'a');\"}").status,
            200);
  ASSERT_TRUE(drive(fd, c, [&] { return c.responses[push].frames.size() == 2; }));
  EXPECT_EQ(c.responses[push].frames[1], "[1,\"a\"]\n");
  c.reset(push);
  ASSERT_TRUE(drive(fd, c, [&] { return c.responses[push].closed; }));
  for (int i = 0; i < 100 && push_queries() != 0; ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(push_queries(), 0u);
  auto info = c.request("GET", "/info");
  ASSERT_TRUE(drive(fd, c, [&] { return c.responses[info].closed; }));
  EXPECT_EQ(c.responses[info].status, 200);
  ::close(fd);
}

// The /inserts-stream cases of ksqlDB's ApiTest (../shared/corpus/ksql, insertsStream.*).
TEST_F(H2E2E, InsertsStreamAnswersAsKsqlDbsApiTest) {
  ASSERT_EQ(h1("POST", "/ksql",
               "{\"ksql\":\"CREATE STREAM `test-stream` (F0 INT KEY, F1 STRING) WITH "
               "(kafka_topic='t', value_format='json', partitions=1);\"}")
                .status,
            200);
  int fd = connect_to(server->port());
  H2TestClient c;
  std::string rows = "{\"F0\":0,\"F1\":\"a\"}\n{\"F0\":1,\"F1\":\"b\"}\n{\"F0\":2,\"F1\":\"c\"}\n";
  auto acks = c.request("POST", "/inserts-stream", {}, "{\"target\":\"`test-stream`\"}\n" + rows);
  auto json = c.request("POST", "/inserts-stream", {{"accept", "application/json"}},
                        "{\"target\":\"`test-stream`\"}\n" + rows);
  auto missing = c.request("POST", "/inserts-stream", {}, std::string("{\"foo\":\"bar\"}\n"));
  auto malformed_args = c.request("POST", "/inserts-stream", {}, std::string("{\"target\":\"S\""));
  auto bad_row =
      c.request("POST", "/inserts-stream", {},
                "{\"target\":\"`test-stream`\"}\n{\"F0\":0}\n{\"F0\":1}\n{\"F0\"\n{\"F0\":3}\n");
  ASSERT_TRUE(drive(fd, c, [&] {
    for (auto id : {acks, json, missing, malformed_args, bad_row})
      if (!c.responses[id].closed) return false;
    return true;
  }));
  EXPECT_EQ(c.responses[acks].status, 200);
  EXPECT_EQ(c.responses[acks].body(),
            "{\"seq\":0,\"status\":\"ok\"}\n{\"seq\":1,\"status\":\"ok\"}\n"
            "{\"seq\":2,\"status\":\"ok\"}\n");
  EXPECT_EQ(c.responses[acks].frames.size(), 3u) << "one ack per DATA frame";
  EXPECT_EQ(c.responses[json].body(),
            "[{\"seq\":0,\"status\":\"ok\"},{\"seq\":1,\"status\":\"ok\"},"
            "{\"seq\":2,\"status\":\"ok\"}]");
  EXPECT_EQ(c.responses[missing].status, 400);
  EXPECT_EQ(c.responses[missing].body().find(
                "{\"@type\":\"generic_error\",\"error_code\":40000,\"message\":\"Invalid JSON in "
                "request: Missing required creator property 'target'"),
            0u)
      << c.responses[missing].body();
  EXPECT_EQ(c.responses[malformed_args].status, 400);
  EXPECT_NE(
      c.responses[malformed_args].body().find("\"error_code\":40000,\"message\":\"Invalid JSON "
                                              "in request: "),
      std::string::npos);
  EXPECT_EQ(c.responses[bad_row].status, 200);
  EXPECT_EQ(
      c.responses[bad_row].body(),
      "{\"seq\":0,\"status\":\"ok\"}\n{\"seq\":1,\"status\":\"ok\"}\n"
      "{\"@type\":\"InsertError\",\"status\":\"error\",\"seq\":2,\"message\":\"Invalid JSON in "
      "inserts stream\",\"error_code\":40000}\n");
  EXPECT_EQ(c.responses[bad_row].close_code, 0u) << "the response ends, the stream is not reset";
  auto pulled = h1("POST", "/query", "{\"ksql\":\"SELECT * FROM `test-stream`;\"}");
  EXPECT_EQ(std::count(pulled.body.begin(), pulled.body.end(), '\n'), 3 + 3 + 2 + 1)
      << "the rows of the three streams before the bad row are inserted: " << pulled.body;
  ::close(fd);
}

// The Kusto listener runs on the same server framework: HTTP/2 comes with it.
TEST(H2KustoE2E, TheKustoServiceAnswersOverHttp2AsOverHttp11) {
  auto service = std::move(kusto::KustoService::create({}).value());
  ServerOptions so;
  so.threads = 1;
  auto* svc = service.get();
  so.error_response = [svc](int s, const std::string& m) { return svc->error_response(s, m); };
  HttpServer server(so, [svc](const ServerRequest& r) { return svc->handle(r); });
  ASSERT_TRUE(server.start().ok());
  std::string query = "{\"db\":\"Samples\",\"csl\":\"StormEvents | take 2 | project State\"}";
  int fd = connect_to(server.port());
  H2TestClient c;
  auto v2 = c.request("POST", "/v2/rest/query", {{"content-type", "application/json"}}, query);
  auto bad = c.request("POST", "/v2/rest/query", {{"content-type", "application/json"}},
                       std::string("{\"db\":\"Samples\",\"csl\":\"Nope | take 1\"}"));
  ASSERT_TRUE(drive(fd, c, [&] { return c.responses[v2].closed && c.responses[bad].closed; }));
  http::Client h1(*http::parse_url(server.url()));
  auto r1 = h1.send({"POST", "/v2/rest/query", {{"Content-Type", "application/json"}}, query});
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(c.responses[v2].status, r1->status);
  EXPECT_EQ(http::find_header(c.responses[v2].headers, "content-type"), r1->header("Content-Type"));
  // The frames carry fresh ids per request; the rows are the same.
  auto rows = [](const std::string& body) {
    return body.substr(body.find("\"Rows\":[[")).substr(0, 40);
  };
  EXPECT_EQ(rows(c.responses[v2].body()), rows(r1->body));
  EXPECT_EQ(c.responses[bad].status, 400);
  ::close(fd);
}

TEST_F(H2E2E, ABadPrefaceGetsGoawayAndTheConnectionCloses) {
  int fd = connect_to(server->port());
  write_all(fd, "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
  std::string got;
  bool eof = false;
  for (int i = 0; i < 100 && !eof; ++i)
    got += read_some(fd, 50ms, &eof);
  EXPECT_EQ(goaway_in(got), NGHTTP2_PROTOCOL_ERROR);
  EXPECT_TRUE(eof);
  ::close(fd);
  // HTTP/1.1 goes on as before.
  EXPECT_EQ(h1("GET", "/info", "", {{"Accept", "application/json"}}).status, 200);
}

} // namespace
} // namespace konform::serve
