#include "http/client.h"
#include "serve/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

namespace konform::serve {

static std::unique_ptr<HttpServer> start_server(Handler h, ServerOptions o = {}) {
  o.threads = 2;
  auto s = std::make_unique<HttpServer>(o, std::move(h));
  EXPECT_TRUE(s->start().ok());
  return s;
}

TEST(HttpServerE2E, ServesKeepAliveRequestsToTheClient) {
  auto server = start_server([](const ServerRequest& r) {
    ServerResponse res;
    res.headers.emplace_back("Content-Type", "text/plain");
    res.body = r.method + " " + r.path + " " + r.query_param("x").value_or("-") + " " + r.body;
    return res;
  });
  http::Client client(*http::parse_url(server->url()));
  for (int i = 0; i < 3; ++i) {
    auto res = client.send({"POST", "/a%20b?x=1", {}, "body"});
    ASSERT_TRUE(res.ok()) << res.error().message;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /a b 1 body");
  }
  // Parameter names match case-insensitively, percent-encoded or not; values are decoded.
  for (auto [target, want] : {std::pair{"/q?y=0&X=a+b", "a b"}, std::pair{"/q?%78=%41", "A"},
                              std::pair{"/q?xx=1&x", ""}, std::pair{"/q?y=1", "-"}}) {
    auto res = client.send({"GET", target, {}, ""});
    ASSERT_TRUE(res.ok()) << res.error().message;
    EXPECT_EQ(res->body, std::string("GET /q ") + want + " ") << target;
  }
  EXPECT_EQ(server->open_connections(), 1u);
}

TEST(HttpServerE2E, OversizedHeadersAndBodiesGetTheirStatus) {
  ServerOptions o;
  o.header_limit = 1024;
  o.body_limit = 100;
  auto server = start_server([](const ServerRequest&) { return ServerResponse{}; }, o);
  http::Client client(*http::parse_url(server->url()));
  auto big_header = client.send({"GET", "/", {{"X-Big", std::string(4000, 'a')}}, ""});
  ASSERT_TRUE(big_header.ok()) << big_header.error().message;
  EXPECT_EQ(big_header->status, 431);
  auto big_body = client.send({"POST", "/", {}, std::string(1000, 'b')});
  ASSERT_TRUE(big_body.ok()) << big_body.error().message;
  EXPECT_EQ(big_body->status, 413);
}

TEST(HttpServerE2E, StreamsChunksWrittenFromAnotherThread) {
  auto server = start_server([](const ServerRequest&) {
    ServerResponse res;
    res.body = "[";
    res.stream = [](std::shared_ptr<ChunkSink> sink) {
      std::thread([sink] {
        for (int i = 0; i < 3; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          sink->write("{\"row\":" + std::to_string(i) + "},");
        }
        sink->write("]");
        sink->finish();
      }).detach();
    };
    return res;
  });
  http::Client client(*http::parse_url(server->url()));
  auto res = client.send({"GET", "/query", {}, ""});
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "[{\"row\":0},{\"row\":1},{\"row\":2},]");
  EXPECT_EQ(res->chunks.size(), 5u);
  EXPECT_GE(res->latency.count(), 50000);
  // The connection ends with the stream, and the response says so: a keep-alive client must
  // not send its next request into it.
  EXPECT_EQ(res->header("Connection").value_or(""), "close");
  auto next = client.send({"GET", "/query", {}, ""});
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->body, res->body);
}

TEST(HttpServerE2E, ProducerLearnsWhenTheClientDisconnects) {
  std::atomic<bool> closed{false};
  auto server = start_server([&](const ServerRequest&) {
    ServerResponse res;
    res.stream = [&](std::shared_ptr<ChunkSink> sink) {
      sink->on_close([&] { closed = true; });
      sink->write("first");
    };
    return res;
  });
  {
    http::Client client(*http::parse_url(server->url()));
    http::SendOptions so;
    so.stream_for = std::chrono::milliseconds(200);
    auto res = client.send({"GET", "/query", {}, ""}, so);
    ASSERT_TRUE(res.ok()) << res.error().message;
    EXPECT_TRUE(res->truncated);
    EXPECT_EQ(res->body, "first");
  }
  for (int i = 0; i < 100 && !closed; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(closed);
}

namespace {

int connect_raw(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return fd;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// One request on a raw connection; the first read of the answer.
std::string exchange(int fd, const std::string& path) {
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) return {};
  char buf[4096];
  auto n = ::recv(fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

} // namespace

// Out of descriptors, accept failed at once and was retried at once: 100% CPU, nothing served.
// The process's descriptor limit is lowered so that the server's next accept gets EMFILE.
TEST(HttpServerE2E, OutOfDescriptorsPausesAcceptingAndKeepsServing) {
#ifdef KONFORM_UBSAN
  // UBSan's vptr check reads an object's type through pipe(); with no descriptor left that fails
  // and UBSan reports a valid Beast operation as an invalid object. The dev build runs this test.
  GTEST_SKIP() << "skipped under UBSan: its vptr check needs free descriptors";
#endif
  std::mutex mu;
  std::vector<std::string> logged;
  ServerOptions o;
  o.accept_backoff = std::chrono::milliseconds(100);
  o.error_log = [&](const std::string& m) {
    std::lock_guard lock(mu);
    logged.push_back(m);
  };
  auto server = start_server(
      [](const ServerRequest& r) {
        ServerResponse res;
        res.body = "served " + r.path;
        return res;
      },
      o);
  int open = connect_raw(server->port());
  ASSERT_NE(exchange(open, "/before").find("served /before"), std::string::npos);

  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  int lowest_free = ::dup(0);
  ASSERT_GE(lowest_free, 0);
  ::close(lowest_free);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(lowest_free) + 1; // one more descriptor, for the client
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  int waiting = connect_raw(server->port()); // the server has no descriptor left to accept it
  std::string req = "GET /waiting HTTP/1.1\r\nHost: x\r\n\r\n";
  if (waiting >= 0) ::send(waiting, req.data(), req.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto during = exchange(open, "/during");
  auto failures = server->accept_failures();
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  ASSERT_GE(waiting, 0);

  EXPECT_NE(during.find("served /during"), std::string::npos) << "open connections are served";
  EXPECT_GE(failures, 1u);
  // One attempt per 100 ms pause, not a busy loop (which makes millions in a second).
  EXPECT_LE(failures, 30u);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(logged.size(), 1u) << "one message per period";
    EXPECT_NE(logged[0].find("Too many open files"), std::string::npos) << logged[0];
  }
  char buf[4096];
  auto n = ::recv(waiting, buf, sizeof buf, 0); // accepted once descriptors are free again
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf, static_cast<std::size_t>(n)).find("served /waiting"),
            std::string::npos);
  ::close(waiting);
  ::close(open);
}

TEST(HttpServerInMemory, ServesOneRawRequestWithTheServersLimitsAndErrors) {
  ServerOptions o;
  o.body_limit = 10;
  Handler echo = [](const ServerRequest& r) {
    ServerResponse res;
    res.body = r.method + " " + r.path + " " + r.body;
    return res;
  };
  auto ok =
      serve_in_memory(o, echo, "POST /a%20b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_EQ(ok.substr(ok.find("\r\n\r\n") + 4), "POST /a b hi");
  auto malformed = serve_in_memory(o, echo, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(malformed.rfind("HTTP/1.1 400", 0), 0u) << malformed;
  auto cut = serve_in_memory(o, echo, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab");
  EXPECT_EQ(cut.rfind("HTTP/1.1 400", 0), 0u) << cut;
  auto big = serve_in_memory(o, echo, "POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n");
  EXPECT_EQ(big.rfind("HTTP/1.1 413", 0), 0u) << big;
  auto head = serve_in_memory(o, echo, "HEAD /h HTTP/1.1\r\n\r\n");
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n") << head;

  bool closed = false;
  Handler streaming = [&](const ServerRequest&) {
    ServerResponse res;
    res.body = "[";
    res.stream = [&](std::shared_ptr<ChunkSink> sink) {
      sink->on_close([&] { closed = true; });
      sink->write("1,");
      EXPECT_FALSE(sink->write(std::string(100, 'x'))) << "beyond stream_buffer_limit";
    };
    return res;
  };
  o.stream_buffer_limit = 50;
  auto streamed = serve_in_memory(o, streaming, "GET /q HTTP/1.1\r\n\r\n");
  EXPECT_NE(streamed.find("Transfer-Encoding: chunked"), std::string::npos) << streamed;
  EXPECT_EQ(streamed.substr(streamed.find("\r\n\r\n") + 4), "1\r\n[\r\n2\r\n1,\r\n");
  EXPECT_TRUE(closed) << "an unfinished stream is closed, as if its client went away";
}

TEST(HttpServerInMemory, SaysHowManyBytesTheRequestTookSoPipelinedOnesCanFollow) {
  ServerOptions o;
  Handler echo = [](const ServerRequest& r) {
    ServerResponse res;
    res.body = r.path;
    return res;
  };
  std::string first = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
  std::string raw = first + "GET /b HTTP/1.1\r\n\r\n";
  std::size_t used = 0;
  auto a = serve_in_memory(o, echo, raw, &used);
  EXPECT_EQ(used, first.size());
  EXPECT_EQ(a.substr(a.find("\r\n\r\n") + 4), "/a");
  auto b = serve_in_memory(o, echo, std::string_view(raw).substr(used), &used);
  EXPECT_EQ(b.substr(b.find("\r\n\r\n") + 4), "/b");
  std::string bad = "NOT HTTP\r\n\r\nGET /c HTTP/1.1\r\n\r\n";
  serve_in_memory(o, echo, bad, &used);
  EXPECT_EQ(used, bad.size()) << "after a parse error the connection ends: nothing is left";
}

} // namespace konform::serve
