#include "http/client.h"
#include "serve/http_server.h"

#include <gtest/gtest.h>
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

} // namespace konform::serve
