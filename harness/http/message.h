#pragma once
// Plain HTTP messages as the conformance side sees them: the whole request that was sent and the
// whole response that came back, with timings. No Beast types leak out of http/.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace konform::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup of the first header with this name.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string target = "/"; // path and query
  Headers headers;          // sent as given; Host, Content-Length are added by the client
  std::string body;
  // HTTP/2: when not empty, the body is these pieces, each sent as a DATA frame of its own (a
  // ksqlDB /inserts-stream row per frame); over HTTP/1.1 they are sent one after another.
  std::vector<std::string> body_frames{};
};

struct Response {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;                // as received (still compressed if Content-Encoding says so)
  std::vector<std::size_t> chunks; // sizes of the chunks of a chunked body (HTTP/2: of the
                                   // DATA frames), in order
  int http_version = 11;           // 11 or 20
  std::chrono::microseconds latency{0}; // first request byte written → response complete
  std::chrono::microseconds time_to_first_byte{0};
  std::chrono::microseconds time_to_first_chunk{0}; // first body chunk (streaming /query)
  bool truncated = false; // reading stopped early on purpose (SendOptions::stream_for)

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

// The body with Content-Encoding (gzip, deflate) undone; identity bodies come back as they are.
// max_output bounds decompression (gzip bombs).
struct DecodedBody {
  std::string text;
  std::string error; // non-empty when the encoding was declared but the bytes do not decode
};
DecodedBody decoded_body(const Response& response, std::size_t max_output = std::size_t(1) << 31);

} // namespace konform::http
