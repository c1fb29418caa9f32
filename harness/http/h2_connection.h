#pragma once
// One HTTP/2 connection of the conformance client: h2c with prior knowledge on http:// (as the
// ksqlDB clients do), ALPN "h2" over TLS on https://. libnghttp2 does the framing, HPACK and flow
// control. One request at a time, read in full as Client::send does: status, headers, the body
// reassembled from its DATA frames (their sizes kept as Response::chunks), timings.
#include "core/result.h"
#include "http/client.h"
#include "http/message.h"
#include "http/url.h"

#include <memory>

namespace konform::http {

class H2Connection {
public:
  H2Connection(Url origin, ClientOptions options);
  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  // Connects on first use; a kept connection the server ended meanwhile (GOAWAY, close) is
  // reopened once. Errors carry kind "connect", "tls", "write", "read", "timeout", "limit" or
  // "protocol" (the server broke HTTP/2 or reset the stream).
  Result<Response> send(const Request& request, const SendOptions& options);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace konform::http
