// The hot-path parser must give the same answer however the bytes are split across reads: every
// response here is fed whole, then split at every byte boundary, then one byte at a time.
#include "load/response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace konform::load {
namespace {

struct Parsed {
  bool done = false;
  bool failed = false;
  int status = 0;
  bool keep_alive = false;
  std::uint64_t body_bytes = 0;
  std::uint64_t chunks = 0;
  std::string body;
  std::size_t consumed = 0;
};

Parsed outcome(const ResponseParser& parser, const std::string& body, std::size_t consumed) {
  Parsed r;
  r.done = parser.done();
  r.failed = parser.failed();
  r.status = parser.status();
  r.keep_alive = parser.keep_alive();
  r.body_bytes = parser.body_bytes();
  r.chunks = parser.chunks();
  r.body = body;
  r.consumed = consumed;
  return r;
}

Parsed parse_pieces(const std::string& wire, const std::vector<std::size_t>& cuts,
                    bool head = false) {
  ResponseParser parser;
  std::string body;
  parser.reset(head, &body);
  Parsed r;
  std::size_t from = 0;
  auto feed_to = [&](std::size_t to) {
    while (from < to && !parser.done() && !parser.failed()) {
      auto used = parser.feed(wire.data() + from, to - from);
      from += used;
      r.consumed += used;
      if (used == 0) break;
    }
  };
  for (auto cut : cuts)
    feed_to(cut);
  feed_to(wire.size());
  if (!parser.done() && !parser.failed()) parser.on_eof();
  return outcome(parser, body, r.consumed);
}

// Whole, every single split point, and byte by byte must all agree.
void expect_split_invariant(const std::string& wire, const Parsed& expected, bool head = false) {
  auto check = [&](const Parsed& got, const std::string& how) {
    EXPECT_EQ(got.done, expected.done) << how;
    EXPECT_EQ(got.failed, expected.failed) << how;
    EXPECT_EQ(got.status, expected.status) << how;
    EXPECT_EQ(got.keep_alive, expected.keep_alive) << how;
    EXPECT_EQ(got.body_bytes, expected.body_bytes) << how;
    EXPECT_EQ(got.chunks, expected.chunks) << how;
    EXPECT_EQ(got.body, expected.body) << how;
  };
  check(parse_pieces(wire, {}, head), "whole");
  for (std::size_t cut = 1; cut < wire.size(); ++cut)
    check(parse_pieces(wire, {cut}, head), "split at " + std::to_string(cut));
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < wire.size(); ++i)
    every.push_back(i);
  check(parse_pieces(wire, every, head), "byte by byte");
}

TEST(ResponseParser, ContentLengthBodyAtEverySplit) {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Content-Length: 11\r\n\r\n{\"ok\":true}";
  expect_split_invariant(wire, {true, false, 200, true, 11, 0, "{\"ok\":true}"});
}

TEST(ResponseParser, ChunkedBodyWithExtensionsAndTrailersAtEverySplit) {
  const std::string wire = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                           "5;ext=1\r\n[{\"a\"\r\n"
                           "A\r\n:1},\n{\"a\":\r\n"
                           "3\r\n2}]\r\n"
                           "0\r\nX-Trailer: yes\r\n\r\n";
  expect_split_invariant(wire, {true, false, 200, true, 18, 3, "[{\"a\":1},\n{\"a\":2}]"});
}

TEST(ResponseParser, ConnectionCloseAndHttp10DecideKeepAlive) {
  expect_split_invariant("HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                         {true, false, 503, false, 0, 0, ""});
  expect_split_invariant("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
                         {true, false, 200, false, 2, 0, "hi"});
  expect_split_invariant("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nhi",
                         {true, false, 200, true, 2, 0, "hi"});
}

TEST(ResponseParser, BodyDelimitedByCloseEndsAtEof) {
  expect_split_invariant("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
                         {true, false, 200, false, 13, 0, "until the end"});
}

TEST(ResponseParser, InterimResponsesAreSkipped) {
  expect_split_invariant(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx",
      {true, false, 201, true, 1, 0, "x"});
}

TEST(ResponseParser, HeadAnd204HaveNoBody) {
  expect_split_invariant("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
                         {true, false, 200, true, 0, 0, ""}, /*head=*/true);
  expect_split_invariant("HTTP/1.1 204 No Content\r\n\r\n", {true, false, 204, true, 0, 0, ""});
}

TEST(ResponseParser, StopsAtTheEndOfOneResponseSoPipelinedBytesRemain) {
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab";
  const std::string wire = first + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  ResponseParser parser;
  parser.reset();
  EXPECT_EQ(parser.feed(wire.data(), wire.size()), first.size());
  EXPECT_TRUE(parser.done());
  parser.reset();
  EXPECT_EQ(parser.feed(wire.data() + first.size(), wire.size() - first.size()),
            wire.size() - first.size());
  EXPECT_EQ(parser.status(), 404);
}

// One parser across the responses of a keep-alive connection, as the load generator uses it.
struct Connection {
  ResponseParser parser;
  Parsed next(const std::string& wire, bool head = false) {
    std::string body;
    parser.reset(head, &body);
    const auto consumed = parser.feed(wire.data(), wire.size());
    return outcome(parser, body, consumed);
  }
};

TEST(ResponseParser, AHeaderBlockIsReusedOnlyWhenItsBytesAreTheSame) {
  const std::string a = "HTTP/1.1 200 OK\r\nDate: Sun, 22 Nov 2026 01:19:22 GMT\r\n"
                        "Content-Length: 2\r\nConnection: keep-alive\r\n\r\nab";
  std::string later = a; // the next second: one byte of Date differs, nothing else
  later[later.find("22 GMT")] = '3';
  std::string closing = a; // same length, but the server now closes
  closing.replace(closing.find("keep-alive"), 10, "close     ");
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";

  Connection c;
  const auto first = c.next(a);
  EXPECT_EQ(c.parser.header_memo_hits(), 0u);
  for (int i = 0; i < 3; ++i) {
    const auto again = c.next(a);
    EXPECT_TRUE(again.done);
    EXPECT_EQ(again.status, 200);
    EXPECT_TRUE(again.keep_alive);
    EXPECT_EQ(again.body, "ab");
    EXPECT_EQ(again.consumed, first.consumed);
    EXPECT_EQ(c.parser.header_bytes(), a.size() - 2);
  }
  EXPECT_EQ(c.parser.header_memo_hits(), 3u);

  EXPECT_EQ(c.next(later).body, "ab"); // parsed, and remembered instead of `a`
  EXPECT_EQ(c.parser.header_memo_hits(), 3u);
  const auto closed = c.next(closing);
  EXPECT_TRUE(closed.done);
  EXPECT_FALSE(closed.keep_alive) << "a stale memo must never answer for other bytes";
  const auto closed_again = c.next(closing);
  EXPECT_FALSE(closed_again.keep_alive);
  EXPECT_EQ(c.parser.header_memo_hits(), 4u);

  // The same header bytes answering a HEAD request: no body, as a full parse decides.
  const auto head = c.next(closing.substr(0, closing.size() - 2), /*head=*/true);
  EXPECT_TRUE(head.done);
  EXPECT_EQ(head.body_bytes, 0u);

  const auto framed = c.next(chunked);
  EXPECT_TRUE(framed.done);
  EXPECT_EQ(framed.body, "x");
  EXPECT_EQ(c.next(chunked).body, "x");
}

TEST(ResponseParser, AHeaderBlockSplitAcrossReadsIsParsedNotRemembered) {
  const std::string a = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab";
  ResponseParser parser;
  for (int i = 0; i < 2; ++i) {
    parser.reset();
    EXPECT_EQ(parser.feed(a.data(), 10), 10u);
    EXPECT_EQ(parser.feed(a.data() + 10, a.size() - 10), a.size() - 10);
    EXPECT_TRUE(parser.done());
  }
  EXPECT_EQ(parser.header_memo_hits(), 0u);
  // A read that ends inside a remembered block is not a match: it is parsed as it comes.
  parser.reset();
  EXPECT_EQ(parser.feed(a.data(), a.size()), a.size());
  parser.reset();
  EXPECT_EQ(parser.feed(a.data(), 20), 20u);
  EXPECT_EQ(parser.feed(a.data() + 20, a.size() - 20), a.size() - 20);
  EXPECT_TRUE(parser.done());
  EXPECT_EQ(parser.body_bytes(), 2u);
  EXPECT_EQ(parser.header_memo_hits(), 0u);
}

TEST(ResponseParser, EncodingIsReported) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc";
  ResponseParser parser;
  parser.reset();
  parser.feed(wire.data(), wire.size());
  EXPECT_TRUE(parser.done());
  EXPECT_TRUE(parser.encoded());
  EXPECT_TRUE(parser.gzip());
  EXPECT_EQ(parser.header_bytes(), wire.size() - 3);
}

TEST(ResponseParser, CountsKsqlRowsOfEveryGenerationAtEverySplit) {
  // /query as a JSON array (ksqlDB 0.6+): header line, rows, a keep-alive blank line, final.
  const std::string array_body =
      "[{\"header\":{\"queryId\":\"q\"}},\n{\"row\":{\"columns\":[1]}},\n\n"
      "{\"row\":{\"columns\":[2]}},\n{\"finalMessage\":\"Limit Reached\"}]\n";
  // /query-stream delimited: metadata object, then bare arrays.
  const std::string delimited =
      "{\"queryId\":\"q\",\"columnNames\":[\"A\"]}\n[\"x\",0]\n[\"y\",1]\n[3]\n";
  for (const auto& [body, rows] : {std::pair{array_body, 2u}, std::pair{delimited, 3u}}) {
    const std::string wire =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (std::size_t cut = 0; cut < wire.size(); ++cut) {
      ResponseParser parser;
      parser.reset();
      parser.count_rows(true);
      parser.feed(wire.data(), cut);
      parser.feed(wire.data() + cut, wire.size() - cut);
      ASSERT_TRUE(parser.done());
      EXPECT_EQ(parser.body_rows(), rows) << "split at " << cut;
    }
  }
}

TEST(ResponseParser, ProtocolViolationsFailWithAReason) {
  struct Case {
    std::string wire;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"HTTX/1.1 200 OK\r\n\r\n", "status line"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "three digits"},
      {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "name:"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", "Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "two different"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "hexadecimal"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "longer"},
      {"HTTP/1.1 200 OK\r\n" + std::string(9000, 'x') + "\r\n\r\n", "8 KiB"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed in the middle"},
  };
  for (const auto& c : cases) {
    ResponseParser parser;
    parser.reset();
    parser.feed(c.wire.data(), c.wire.size());
    if (!parser.failed()) parser.on_eof();
    EXPECT_TRUE(parser.failed()) << c.wire.substr(0, 60);
    EXPECT_NE(std::string(parser.error()).find(c.reason), std::string::npos)
        << parser.error() << " for " << c.wire.substr(0, 60);
  }
}

} // namespace
} // namespace konform::load
