#pragma once
// The status line and header block of a server response, written straight into a reusable
// buffer. Beast's generic serializer walks a chain of buffer views per header field; for small
// responses that walk cost more than building the response itself (perf: ~25% of user time of a
// 3.8 KB Kusto query), so the server writes this block and the body as two plain buffers.
#include "http/message.h"

#include <cstddef>
#include <string>

namespace konform::serve {

struct HeadFraming {
  bool keep_alive = true; // false adds "Connection: close"
  bool chunked = false;   // "Transfer-Encoding: chunked" instead of Content-Length
  std::size_t content_length = 0;
};

// The standard reason phrase of a status code ("OK", "Not Found", ...); "Unknown" otherwise.
std::string_view reason_phrase(int status);

// Replaces `out` with "HTTP/1.1 <status> <reason>\r\n<headers>\r\n". Content-Length,
// Transfer-Encoding and Connection given by the handler are dropped: framing is the server's.
void write_response_head(std::string& out, int status, const http::Headers& headers,
                         const HeadFraming& framing);

} // namespace konform::serve
