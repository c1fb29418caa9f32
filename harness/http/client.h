#pragma once
// The conformance client: one keep-alive connection to one origin (and one HTTP/2 connection
// when a request asks for HTTP/2, h2_connection.h), requests sent one at a time,
// every response read in full (status, headers, body, chunk boundaries, timings). Used by
// `check` and by tests; `load` has its own allocation-free path on the same transport (load/).
#include "core/result.h"
#include "http/message.h"
#include "http/url.h"

#include <chrono>
#include <memory>
#include <string>

namespace konform::http {

struct ClientOptions {
  std::chrono::milliseconds timeout{30000};    // deadline per request: connect + write + whole read
  std::string ca_file;                         // extra trust anchors for https (PEM)
  bool insecure = false;                       // skip certificate verification (test servers only)
  std::size_t max_body = std::size_t(1) << 30; // larger: an error of kind ErrorKind::limit
};

struct SendOptions {
  // For endless streams (a push query without LIMIT): stop reading after this long and return
  // what arrived, with Response::truncated set. Zero means read to the end of the message.
  std::chrono::milliseconds stream_for{0};
  // HTTP/2: h2c with prior knowledge on http://, ALPN h2 on https:// (a connection of its own,
  // kept beside the HTTP/1.1 one).
  bool http2 = false;
};

class Client {
public:
  Client(Url origin, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request. Host, Content-Length and (unless given) Connection: keep-alive are added.
  // A kept connection the server closed meanwhile is reopened once, transparently.
  // Errors carry kind ErrorKind::connect, tls, write, read, timeout or limit.
  Result<Response> send(const Request& request, const SendOptions& options = {});

  const Url& origin() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace konform::http
