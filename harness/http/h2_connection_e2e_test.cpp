// The conformance client over HTTP/2 against a small nghttp2 server on loopback
// (test_support/h2_server.h): a whole response from its frames, a body sent as separate DATA
// frames (a ksqlDB /inserts-stream row per frame), a reset stream, HTTP/1.1 and HTTP/2 requests
// from one client.
#include "http/client.h"
#include "test_support/h2_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace konform::http {
namespace {

using test_support::H2Server;

TEST(H2Client, AFullResponseComesFromItsHeadersAndDataFrames) {
  H2Server server([](const H2Server::Request& r) {
    H2Server::Reply reply;
    reply.fields = {{"content-type", "application/json"}, {"x-path", r.path}};
    reply.frames = {"{\"queryId\":\"q1\"}\n", "[1]\n", "[2]\n"};
    return reply;
  });
  Client client(*parse_url(server.url()));
  Request req;
  req.method = "POST";
  req.target = "/query-stream?x=1";
  req.headers = {{"Accept", "application/vnd.ksqlapi.delimited.v1"}, {"Connection", "keep-alive"}};
  req.body = R"({"sql":"SELECT 1;"})";
  SendOptions so;
  so.http2 = true;
  auto res = client.send(req, so);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->http_version, 20);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "{\"queryId\":\"q1\"}\n[1]\n[2]\n");
  EXPECT_EQ(res->chunks, (std::vector<std::size_t>{17, 4, 4})); // one per DATA frame
  EXPECT_EQ(res->header("content-type").value_or(""), "application/json");
  EXPECT_EQ(res->header("x-path").value_or(""), "/query-stream?x=1");
  const auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].frames, (std::vector<std::string>{req.body}));
  bool accept = false, connection = false;
  for (const auto& [n, v] : got[0].fields) {
    accept |= n == "accept" && v == "application/vnd.ksqlapi.delimited.v1";
    connection |= n == "connection"; // forbidden in HTTP/2: never sent
  }
  EXPECT_TRUE(accept);
  EXPECT_FALSE(connection);
}

TEST(H2Client, BodyFramesGoOutAsSeparateDataFrames) {
  H2Server server([](const H2Server::Request& r) {
    H2Server::Reply reply;
    for (std::size_t i = 1; i < r.frames.size(); ++i)
      reply.frames.push_back("{\"seq\":" + std::to_string(i - 1) + ",\"status\":\"ok\"}\n");
    return reply;
  });
  Client client(*parse_url(server.url()));
  Request req;
  req.method = "POST";
  req.target = "/inserts-stream";
  req.body_frames = {"{\"target\":\"S1\"}\n", "{\"A\":1}\n", "{\"A\":2}"};
  SendOptions so;
  so.http2 = true;
  auto res = client.send(req, so);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "{\"seq\":0,\"status\":\"ok\"}\n{\"seq\":1,\"status\":\"ok\"}\n");
  EXPECT_EQ(res->chunks.size(), 2u);
  const auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].frames, req.body_frames);
  bool length = false;
  for (const auto& [n, v] : got[0].fields)
    length |= n == "content-length" && v == "31"; // 16 + 8 + 7 bytes
  EXPECT_TRUE(length);
}

TEST(H2Client, AResetStreamIsAnErrorAndTheConnectionServesTheNextRequest) {
  H2Server server([](const H2Server::Request& r) {
    H2Server::Reply reply;
    reply.reset = r.path == "/reset";
    reply.frames = {"ok"};
    return reply;
  });
  Client client(*parse_url(server.url()));
  SendOptions so;
  so.http2 = true;
  Request bad;
  bad.target = "/reset";
  auto r1 = client.send(bad, so);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().kind, ErrorKind::protocol);
  EXPECT_NE(r1.error().message.find("reset the HTTP/2 stream"), std::string::npos)
      << r1.error().message;
  Request good;
  good.target = "/fine";
  auto r2 = client.send(good, so);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->body, "ok");
  EXPECT_EQ(server.connections(), 1); // the reset ended the stream, not the connection
}

TEST(H2Client, AServerThatIsGoneIsAConnectErrorNotAHang) {
  std::string url;
  {
    H2Server server([](const H2Server::Request&) { return H2Server::Reply{}; });
    url = server.url();
  }
  ClientOptions co;
  co.timeout = std::chrono::milliseconds(2000);
  Client client(*parse_url(url), co);
  SendOptions so;
  so.http2 = true;
  auto r = client.send(Request{}, so);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::connect);
}

TEST(H2Client, AnHttp1ServerIsNamedAsNotSpeakingHttp2) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 4);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread t([fd] { // what an HTTP/1.1-only server answers to the HTTP/2 preface
    const int c = ::accept(fd, nullptr, nullptr);
    char buf[256];
    (void)::recv(c, buf, sizeof buf, 0);
    const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    (void)::send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
    ::close(c);
  });
  Client client(*parse_url("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))));
  SendOptions so;
  so.http2 = true;
  auto r = client.send(Request{}, so);
  t.join();
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not speak HTTP/2"), std::string::npos)
      << r.error().message;
}

} // namespace
} // namespace konform::http
