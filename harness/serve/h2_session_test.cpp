// The HTTP/2 server session without sockets: an nghttp2 client session in the test produces the
// frames, H2ServerSession answers them.
#include "serve/h2_session.h"
#include "serve/h2_test_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace konform::serve {
namespace {

using testing::goaway_in;
using testing::H2TestClient;

// Exchanges bytes until neither side has anything more to say.
void pump(H2TestClient& c, H2ServerSession& s) {
  for (int i = 0; i < 1000; ++i) {
    auto out = c.take_output();
    if (!out.empty()) s.receive(out);
    std::string back;
    s.send(back);
    if (!back.empty()) c.receive(back);
    if (out.empty() && back.empty()) return;
  }
}

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// A raw frame: 24-bit length, type, flags, stream id, payload (for inputs no client would send).
std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, std::string payload,
                  std::optional<std::size_t> claimed_length = {}) {
  std::size_t len = claimed_length.value_or(payload.size());
  std::string f;
  f += char(len >> 16);
  f += char(len >> 8);
  f += char(len);
  f += char(type);
  f += char(flags);
  f += char(stream >> 24);
  f += char(stream >> 16);
  f += char(stream >> 8);
  f += char(stream);
  return f + payload;
}

// A HEADERS block in HPACK literal-without-indexing form (RFC 7541 §6.2.2), names and values < 127.
std::string literal(std::string_view name, std::string_view value) {
  std::string out;
  out += char(0x00);
  out += char(name.size());
  out += name;
  if (value.size() < 127) {
    out += char(value.size());
  } else { // 7-bit prefix integer
    out += char(0x7f);
    std::size_t v = value.size() - 127;
    while (v >= 128) {
      out += char((v % 128) + 128);
      v /= 128;
    }
    out += char(v);
  }
  out += value;
  return out;
}
std::string get_headers(std::string_view path) {
  return literal(":method", "GET") + literal(":scheme", "http") + literal(":path", path) +
         literal(":authority", "x");
}

struct H2Session : ::testing::Test {
  ServerOptions options;
  std::atomic<int> wakes{0};
  Handler handler = [](const ServerRequest& r) {
    ServerResponse res;
    res.headers.emplace_back("Content-Type", "text/plain");
    res.headers.emplace_back("Connection", "keep-alive"); // HTTP/1.1 only: must not go out
    res.body = r.method + " " + r.path + " " + r.query_param("x").value_or("-") + " " +
               std::string(r.header("host").value_or("")) + " " + r.body +
               (r.http2 ? " h2" : " h1");
    return res;
  };
  std::unique_ptr<H2ServerSession> session() {
    return std::make_unique<H2ServerSession>(options, handler, "127.0.0.1", [this] { ++wakes; });
  }
};

TEST_F(H2Session, AnswersARouteAsOverHttp11) {
  auto s = session();
  H2TestClient c;
  auto get = c.request("GET", "/a%20b?x=1");
  auto post = c.request("POST", "/p", {{"content-type", "text/plain"}}, std::string("body"));
  pump(c, *s);
  auto& r = c.responses[get];
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body(), "GET /a b 1 localhost  h2");
  EXPECT_EQ(http::find_header(r.headers, "content-type").value_or(""), "text/plain");
  EXPECT_EQ(http::find_header(r.headers, "content-length").value_or(""), "24");
  EXPECT_FALSE(http::find_header(r.headers, "connection"));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(c.responses[post].body(), "POST /p - localhost body h2");
  EXPECT_EQ(s->open_streams(), 0u);
  EXPECT_FALSE(s->goaway_code());
}

TEST_F(H2Session, HeadGetsTheHeadersWithoutABody) {
  auto s = session();
  H2TestClient c;
  auto id = c.request("HEAD", "/h");
  pump(c, *s);
  EXPECT_EQ(c.responses[id].status, 200);
  EXPECT_TRUE(c.responses[id].frames.empty());
  EXPECT_EQ(http::find_header(c.responses[id].headers, "content-length").value_or(""), "23");
}

// A streamed response: one DATA frame per chunk, as produced (the npm ksqldb-client parses each
// frame as one JSON value), sent when the producer writes from another thread.
TEST_F(H2Session, StreamsOneDataFramePerChunkAsWritten) {
  std::shared_ptr<ChunkSink> sink;
  handler = [&](const ServerRequest&) {
    ServerResponse res;
    res.body = "{\"header\":1}\n";
    res.stream = [&](std::shared_ptr<ChunkSink> s) { sink = s; };
    return res;
  };
  auto s = session();
  H2TestClient c;
  auto id = c.request("POST", "/query-stream", {}, std::string("{}"));
  pump(c, *s);
  ASSERT_TRUE(sink);
  EXPECT_EQ(c.responses[id].frames, std::vector<std::string>{"{\"header\":1}\n"});
  EXPECT_FALSE(c.responses[id].closed);
  int before = wakes;
  std::thread([&] {
    sink->write("[1]\n");
    sink->write("[2]\n");
  }).join();
  EXPECT_GT(wakes, before); // the owner is told to call send()
  pump(c, *s);
  EXPECT_EQ(c.responses[id].frames,
            (std::vector<std::string>{"{\"header\":1}\n", "[1]\n", "[2]\n"}));
  sink->write("[3]\n");
  sink->finish();
  pump(c, *s);
  EXPECT_EQ(c.responses[id].frames.size(), 4u);
  EXPECT_TRUE(c.responses[id].closed);
  EXPECT_EQ(c.responses[id].close_code, 0u);
  EXPECT_FALSE(sink->write("late"));
}

// RST_STREAM from the client ends the stream as a disconnect does: the producer's on_close runs
// (a push query is removed) and the sink refuses further writes; the connection goes on.
TEST_F(H2Session, ClientResetRunsTheProducersOnClose) {
  std::shared_ptr<ChunkSink> sink;
  int closed = 0;
  Handler streaming = [&](const ServerRequest& r) {
    if (r.path != "/push") return handler(r);
    ServerResponse res;
    res.stream = [&](std::shared_ptr<ChunkSink> s) {
      sink = s;
      s->on_close([&] { ++closed; });
    };
    return res;
  };
  H2ServerSession s(options, streaming, "127.0.0.1", [] {});
  H2TestClient c;
  auto id = c.request("POST", "/push", {}, std::string("{}"));
  pump(c, s);
  ASSERT_TRUE(sink);
  EXPECT_EQ(closed, 0);
  c.reset(id);
  pump(c, s);
  EXPECT_EQ(closed, 1);
  EXPECT_TRUE(sink->closed());
  EXPECT_FALSE(sink->write("x"));
  auto next = c.request("GET", "/after");
  pump(c, s);
  EXPECT_EQ(c.responses[next].status, 200);
}

// A client that never reads (its window stays shut) cannot make the server buffer without bound:
// past stream_buffer_limit the sink refuses, the stream is reset and on_close runs.
TEST_F(H2Session, AReaderThatNeverReadsIsCutOffAtTheStreamBufferLimit) {
  options.stream_buffer_limit = 64 * 1024;
  std::shared_ptr<ChunkSink> sink;
  int closed = 0;
  handler = [&](const ServerRequest&) {
    ServerResponse res;
    res.stream = [&](std::shared_ptr<ChunkSink> s) {
      sink = s;
      s->on_close([&] { ++closed; });
    };
    return res;
  };
  auto s = session();
  // The client's stream window is 1 KiB and never grows (it does not consume).
  H2TestClient c({{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1024}}, true, false);
  auto id = c.request("GET", "/push");
  pump(c, *s);
  ASSERT_TRUE(sink);
  std::string row(1000, 'r');
  int accepted = 0;
  while (sink->write(row) && accepted < 10000) {
    ++accepted;
    pump(c, *s);
  }
  EXPECT_LT(accepted, 100); // about limit / row size, then refused
  pump(c, *s);
  EXPECT_EQ(closed, 1);
  EXPECT_TRUE(c.responses[id].closed);
  EXPECT_EQ(c.responses[id].close_code, static_cast<std::uint32_t>(NGHTTP2_CANCEL));
  EXPECT_LE(c.responses[id].body().size(), 1024u);
}

// ... and a stream whose client keeps its window shut for stream_write_timeout is reset too, as
// HTTP/1.1 drops a client whose write is stuck that long.
TEST_F(H2Session, AStreamStuckForTheWriteTimeoutIsReset) {
  options.stream_write_timeout = std::chrono::milliseconds(1);
  std::shared_ptr<ChunkSink> sink;
  int closed = 0;
  handler = [&](const ServerRequest&) {
    ServerResponse res;
    res.stream = [&](std::shared_ptr<ChunkSink> s) {
      sink = s;
      s->on_close([&] { ++closed; });
    };
    return res;
  };
  auto s = session();
  H2TestClient c({{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0}}, true, false);
  auto id = c.request("GET", "/push");
  pump(c, *s);
  ASSERT_TRUE(sink->write("[1]\n"));
  // (Before the timeout nothing happens: the other streaming tests run with the default 30 s.)
  std::this_thread::sleep_for(std::chrono::milliseconds(20)); // > stream_write_timeout
  pump(c, *s);
  EXPECT_EQ(closed, 1);
  EXPECT_EQ(c.responses[id].close_code, static_cast<std::uint32_t>(NGHTTP2_CANCEL));
  EXPECT_FALSE(sink->write("[2]\n"));
}

TEST_F(H2Session, ALineDelimitedBodyReachesTheHandlerAsItArrives) {
  options.stream_request_body = [](const ServerRequest& r) { return r.path == "/inserts"; };
  std::string first;
  std::vector<std::string> pieces;
  bool ended = false;
  std::shared_ptr<ChunkSink> sink;
  handler = [&](const ServerRequest& r) {
    first = r.body;
    ServerResponse res;
    auto body = r.body_stream;
    res.stream = [&, body](std::shared_ptr<ChunkSink> s) {
      sink = s;
      body->on_data([&](std::string_view d, bool end) {
        if (!d.empty()) pieces.emplace_back(d);
        if (end) {
          ended = true;
          sink->finish();
        } else {
          sink->write("ack\n");
        }
      });
    };
    return res;
  };
  auto s = session();
  H2TestClient c;
  auto id = c.request("POST", "/inserts", {}, std::string("{\"target\""), true);
  pump(c, *s);
  EXPECT_FALSE(sink); // the first line is not complete yet
  c.send_body(id, ":\"S\"}\n{\"A\":1}\n", false);
  pump(c, *s);
  ASSERT_TRUE(sink);
  EXPECT_EQ(first, "{\"target\":\"S\"}");
  EXPECT_EQ(pieces, std::vector<std::string>{"{\"A\":1}\n"});
  EXPECT_EQ(c.responses[id].frames, std::vector<std::string>{"ack\n"});
  c.send_body(id, "{\"A\":2}", true);
  pump(c, *s);
  EXPECT_EQ(pieces.back(), "{\"A\":2}");
  EXPECT_TRUE(ended);
  EXPECT_TRUE(c.responses[id].closed);
}

TEST_F(H2Session, OversizedBodiesGet413) {
  options.body_limit = 10;
  auto s = session();
  H2TestClient c;
  auto id = c.request("POST", "/p", {}, std::string(100, 'b'));
  pump(c, *s);
  EXPECT_EQ(c.responses[id].status, 413);
}

TEST_F(H2Session, UpgradedRequestIsAnsweredOnStreamOne) {
  auto s = session();
  H2TestClient c({}, false);
  // The client side of an h2c upgrade: its SETTINGS payload goes in HTTP2-Settings.
  std::uint8_t payload[64];
  nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  auto n = nghttp2_pack_settings_payload(payload, sizeof payload, iv, 1);
  ASSERT_GT(n, 0);
  ASSERT_EQ(nghttp2_session_upgrade2(c.session(), payload, static_cast<std::size_t>(n), 0, nullptr),
            0);
  // base64url of the payload
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
  ServerRequest req;
  req.method = "GET";
  req.target = req.path = "/up";
  ASSERT_TRUE(s->upgrade(b64, req));
  nghttp2_submit_settings(c.session(), NGHTTP2_FLAG_NONE, nullptr, 0);
  pump(c, *s);
  EXPECT_EQ(c.responses[1].status, 200);
  EXPECT_EQ(c.responses[1].body(), "GET /up -   h2");
  EXPECT_FALSE(s->upgrade("!!", req));
}

// Malformed HTTP/2: a GOAWAY with the error code RFC 9113 names, and the session is finished.
TEST_F(H2Session, ABadPrefaceGetsGoawayProtocolError) {
  auto s = session();
  EXPECT_FALSE(s->receive("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"));
  std::string out;
  s->send(out);
  EXPECT_EQ(goaway_in(out), NGHTTP2_PROTOCOL_ERROR);
  EXPECT_TRUE(s->finished());
}

TEST_F(H2Session, AFrameWithAWrongLengthGetsGoawayFrameSizeError) {
  auto s = session();
  // SETTINGS payloads are multiples of 6 bytes.
  s->receive(std::string(kPreface) + frame(4, 0, 0, "12345"));
  std::string out;
  s->send(out);
  EXPECT_EQ(goaway_in(out), NGHTTP2_FRAME_SIZE_ERROR);
  EXPECT_TRUE(s->finished());
}

TEST_F(H2Session, AnOversizedHeaderBlockGetsGoawayEnhanceYourCalm) {
  options.header_limit = 1024;
  auto s = session();
  auto block = get_headers("/") + literal("x-big", std::string(2000, 'a'));
  s->receive(std::string(kPreface) + frame(4, 0, 0, "") +
             frame(1, 0x4 | 0x1, 1, block)); // END_HEADERS | END_STREAM
  std::string out;
  s->send(out);
  EXPECT_EQ(goaway_in(out), NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_TRUE(s->finished());
}

TEST_F(H2Session, AReusedStreamIdGetsGoawayProtocolError) {
  auto s = session();
  s->receive(std::string(kPreface) + frame(4, 0, 0, "") + frame(1, 0x5, 3, get_headers("/a")));
  std::string out;
  s->send(out);
  EXPECT_FALSE(goaway_in(out));
  s->receive(frame(1, 0x5, 1, get_headers("/b"))); // 1 < 3: a stream id going backwards
  out.clear();
  s->send(out);
  EXPECT_EQ(goaway_in(out), NGHTTP2_PROTOCOL_ERROR);
  EXPECT_TRUE(s->finished());
  // The same stream id again, once its exchange is over.
  auto again = session();
  again->receive(std::string(kPreface) + frame(4, 0, 0, "") + frame(1, 0x5, 1, get_headers("/a")));
  out.clear();
  again->send(out);
  again->receive(frame(1, 0x5, 1, get_headers("/a")));
  out.clear();
  again->send(out);
  EXPECT_EQ(goaway_in(out), NGHTTP2_PROTOCOL_ERROR);
}

} // namespace
} // namespace konform::serve
