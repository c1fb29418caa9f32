// The Kusto listener against hostile input (issue 12): what a probe sent that was stored
// corrupted, echoed as invalid JSON or answered with the wrong status.
#include "core/gzip.h"
#include "http/client.h"
#include "json/document.h"
#include "serve/kusto/kusto_service.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace konform::serve::kusto {
namespace {

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += piece;
  return out;
}

class KustoHostile : public ::testing::Test {
protected:
  void SetUp() override {
    service = std::move(KustoService::create({}).value());
    ServerOptions so;
    so.threads = 2;
    auto* svc = service.get();
    so.error_response = [svc](int status, const std::string& m) {
      return svc->error_response(status, m);
    };
    server =
        std::make_unique<HttpServer>(so, [svc](const ServerRequest& q) { return svc->handle(q); });
    ASSERT_TRUE(server->start().ok());
    client = std::make_unique<http::Client>(*http::parse_url(server->url()));
  }

  http::Response send(const http::Request& r) {
    auto res = client->send(r);
    EXPECT_TRUE(res.ok()) << res.error().message;
    return res.ok() ? std::move(res.value()) : http::Response{};
  }
  http::Response query(const std::string& csl, http::Headers h = {}) {
    std::string body = R"({"db":"Samples","csl":")" + csl + "\"}";
    h.emplace_back("Content-Type", "application/json");
    return send({"POST", "/v2/rest/query", std::move(h), body});
  }
  http::Response ingest(std::string body, http::Headers h = {}) {
    return send(
        {"POST", "/v1/rest/ingest/Samples/Hx?streamFormat=csv", std::move(h), std::move(body)});
  }
  std::int64_t count_rows() {
    auto r = query("Hx | count");
    auto doc = json::Document::parse(r.body);
    EXPECT_TRUE(doc.ok()) << r.body;
    return doc.ok() ? doc->root().at(2)["Rows"].at(0).at(0).get_int64().value() : -1;
  }
  // simdjson validates UTF-8, so this is also "the body is valid UTF-8".
  static void expect_valid_json(const http::Response& r) {
    auto doc = json::Document::parse(r.body);
    EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message) << "\n" << r.body;
  }

  std::unique_ptr<KustoService> service;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<http::Client> client;
};

TEST_F(KustoHostile, StreamingIngestRefusesBodiesItCannotStoreFaithfully) {
  ASSERT_EQ(send({"POST",
                  "/v1/rest/mgmt",
                  {{"Content-Type", "application/json"}},
                  R"x({"db":"Samples","csl":".create table Hx (a:string, n:long)"})x"})
                .status,
            200);
  auto expect_refused = [&](const http::Response& r, const std::string& says) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(says), std::string::npos) << r.body;
    expect_valid_json(r);
  };
  // Invalid UTF-8 was stored, and every later query answer was invalid JSON.
  expect_refused(ingest("ok,1\nbad\xFF,2\n"), "not valid UTF-8: byte 0xFF at offset 8 (line 2)");
  expect_refused(ingest(gzip::compress("ok,1\n\xC0\xAF,2\n"), {{"Content-Encoding", "gzip"}}),
                 "decompressed request body is not valid UTF-8");
  // deflate and brotli bodies were stored as rows of compressed bytes.
  expect_refused(ingest(gzip::compress("x,1\n", gzip::Format::zlib_deflate),
                        {{"Content-Encoding", "deflate"}}),
                 "Content-Encoding 'deflate' is not supported");
  expect_refused(ingest("\x1b\x03\x00\xf8x,1\n", {{"Content-Encoding", "br"}}),
                 "Content-Encoding 'br' is not supported");
  EXPECT_EQ(count_rows(), 0) << "nothing of a refused body is stored";
  auto good = ingest("x,1\n", {{"Content-Encoding", "identity"}});
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(count_rows(), 1);
}

// Garbage after the gzip member was dropped silently. The check lives in core/gzip (another
// branch of issue 12); until it lands this test fails on purpose.
TEST_F(KustoHostile, StreamingIngestRefusesGarbageAfterTheGzipMember) {
  ASSERT_EQ(send({"POST",
                  "/v1/rest/mgmt",
                  {{"Content-Type", "application/json"}},
                  R"x({"db":"Samples","csl":".create table Hx (a:string, n:long)"})x"})
                .status,
            200);
  auto r = ingest(gzip::compress("x,1\n") + "trailing garbage", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400) << r.body;
  expect_valid_json(r);
  EXPECT_EQ(count_rows(), 0);
}

TEST_F(KustoHostile, ARequestIdThatIsNotUtf8IsEchoedAsValidJson) {
  http::Headers crid = {{"x-ms-client-request-id", "probe;\xFF\xFE"}};
  auto ok = query("print 1", crid);
  EXPECT_EQ(ok.status, 200);
  expect_valid_json(ok);
  EXPECT_NE(ok.body.find("probe;\xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos) << ok.body;
  auto failed = query("NoSuchTable", crid);
  EXPECT_EQ(failed.status, 400);
  expect_valid_json(failed);
  auto v1 = send({"POST",
                  "/v1/rest/query",
                  {{"Content-Type", "application/json"}, crid[0]},
                  R"({"db":"Samples","csl":"NoSuchTable"})"});
  expect_valid_json(v1);
  // A percent-decoded path lands in the 404 message; a GET csl in a result row.
  auto missing = send({"GET", "/v1/rest/%FF%FE", {}, ""});
  EXPECT_EQ(missing.status, 404);
  expect_valid_json(missing);
  auto printed = send({"GET", "/v1/rest/query?db=Samples&csl=print%20x%3D%27%FF%27", {}, ""});
  expect_valid_json(printed);
}

int connect_raw(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

TEST_F(KustoHostile, PingAndMetadataAnswerGetAndHeadOnly) {
  for (const char* method : {"BREW", "POST", "PUT", "DELETE"}) {
    auto r = send({method, "/v1/rest/ping", {}, ""});
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("Allow"), "GET") << method;
    expect_valid_json(r);
  }
  EXPECT_EQ(send({"PATCH", "/v1/rest/auth/metadata", {}, ""}).status, 405);
  EXPECT_EQ(send({"GET", "/v1/rest/ping", {}, ""}).status, 200);
  // HEAD: the headers of GET (Content-Length included) and no body.
  int fd = connect_raw(server->port());
  std::string head = "HEAD /v1/rest/ping HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /v1/rest/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_GT(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), 0);
  std::string got;
  char buf[4096];
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    got.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto second = got.find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos) << got;
  auto first = got.substr(0, second);
  EXPECT_EQ(first.rfind("HTTP/1.1 200", 0), 0u) << first;
  EXPECT_EQ(first.substr(first.size() - 4), "\r\n\r\n") << "HEAD sends no body: " << first;
  EXPECT_NE(got.find("Pong!", second), std::string::npos) << got;
}

// The Kusto side answered 1M-deep nesting with 400 before; this keeps it so at 100k for every
// input that nests: the KQL text, a dynamic literal, the JSON request body.
TEST_F(KustoHostile, DeepNestingIsA400AndTheServerGoesOn) {
  const std::size_t deep = 100000;
  auto parens = query("print " + repeat("(", deep) + "1" + repeat(")", deep));
  EXPECT_EQ(parens.status, 400);
  // Too deep for a JSON value: kept as a dynamic string, as Kusto keeps any text that is not
  // JSON; the answer is valid JSON.
  auto dynamic = query("print d = dynamic(" + repeat("[", deep) + repeat("]", deep) + ")");
  EXPECT_EQ(dynamic.status, 200);
  expect_valid_json(dynamic);
  auto body = send(
      {"POST",
       "/v2/rest/query",
       {{"Content-Type", "application/json"}},
       R"({"db":"Samples","csl":"print 1","x":)" + repeat("[", deep) + repeat("]", deep) + "}"});
  EXPECT_EQ(body.status, 400);
  // Streaming ingest of a JSON record nested 100k deep (simdjson stops at 1024 levels).
  ASSERT_EQ(send({"POST",
                  "/v1/rest/mgmt",
                  {{"Content-Type", "application/json"}},
                  R"x({"db":"Samples","csl":".create table D (d:dynamic)"})x"})
                .status,
            200);
  ASSERT_EQ(
      send(
          {"POST",
           "/v1/rest/mgmt",
           {{"Content-Type", "application/json"}},
           R"x({"db":"Samples","csl":".create table D ingestion json mapping \"m\" '[{\"column\":\"d\",\"path\":\"$.d\"}]'"})x"})
          .status,
      200);
  auto ingested = send({"POST",
                        "/v1/rest/ingest/Samples/D?streamFormat=json&mappingName=m",
                        {},
                        "{\"d\":" + repeat("[", deep) + repeat("]", deep) + "}"});
  EXPECT_EQ(ingested.status, 400) << ingested.body;
  expect_valid_json(ingested);
  auto where = query("StormEvents | where " + repeat("not(", deep) + "true" + repeat(")", deep));
  EXPECT_EQ(where.status, 400);
  EXPECT_EQ(send({"GET", "/v1/rest/ping", {}, ""}).status, 200);
}

} // namespace
} // namespace konform::serve::kusto
