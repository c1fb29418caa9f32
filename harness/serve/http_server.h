#pragma once
// The HTTP/1.1 server under `konform serve`: Boost.Beast sessions, one io_context per thread
// (accepted sockets are spread round-robin, like nginx workers), keep-alive, documented limits.
// Protocol code (Kusto, KSQL) plugs in as a Handler and never sees Beast types.
#include "core/result.h"
#include "http/message.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace konform::serve {

// The rest of a request body that arrives while its response is already being produced (HTTP/2
// requests that ServerOptions::stream_request_body selects, e.g. ksqlDB's /inserts-stream).
class RequestBodyStream {
public:
  virtual ~RequestBodyStream() = default;
  // `callback` receives each piece of the body as it arrives, then once ({}, true) when the
  // request ends. Pieces that came before the callback was set are handed over at once. Runs on
  // the connection's thread; set it from the handler or the response producer. When the client
  // resets the stream the callback is dropped and the response sink's on_close runs instead.
  virtual void on_data(std::function<void(std::string_view data, bool end)> callback) = 0;
};

struct ServerRequest {
  std::string method;
  std::string target; // as sent: path and query
  std::string path;   // target without the query, percent-decoded
  std::string query;  // raw query string without '?'
  http::Headers headers;
  std::string body;
  std::string remote; // peer address
  bool http2 = false; // arrived on an HTTP/2 stream (prior knowledge or Upgrade: h2c)
  // Set only for requests that ServerOptions::stream_request_body selected: `body` then holds
  // the body's first line (without its newline) and the rest arrives here.
  std::shared_ptr<RequestBodyStream> body_stream;

  std::optional<std::string_view> header(std::string_view name) const {
    return http::find_header(headers, name);
  }
  // The decoded value of a query parameter (case-insensitive name), if present.
  std::optional<std::string> query_param(std::string_view name) const;
};

// Thread-safe handle on a chunked response in progress. Any thread may write; chunks are sent
// in order on the connection's own strand.
class ChunkSink {
public:
  virtual ~ChunkSink() = default;
  // Queues one chunk; false once the client has gone (the producer should stop).
  virtual bool write(std::string chunk) = 0;
  // Sends the last chunk; the connection then serves its next request (keep-alive).
  virtual void finish() = 0;
  virtual bool closed() const = 0;
  // Called once, on the connection's thread, when the client disconnects before finish().
  virtual void on_close(std::function<void()> callback) = 0;
};

struct ServerResponse {
  int status = 200;
  http::Headers headers; // Content-Length / Transfer-Encoding are set by the server
  std::string body;
  // When set, the response is streamed with chunked encoding: headers go out at once, then
  // this is called with the sink (body is sent as the first chunk if not empty).
  std::function<void(std::shared_ptr<ChunkSink>)> stream;
  // For the access log only (never sent): what the request asked, e.g. the start of a Kusto
  // command. The handler redacts secrets; the log printer escapes it.
  std::string log_note = {}; // last, with an initializer: {status, headers, body} stays valid
};

using Handler = std::function<ServerResponse(const ServerRequest&)>;

// What a request looked like afterwards, for the one-line-per-request log.
struct AccessLogEntry {
  std::string listener; // "kusto", "ksql", ...
  std::string method;
  std::string target;
  int status = 0;
  std::chrono::microseconds latency{0};
  std::string client_request_id; // x-ms-client-request-id, when sent
  std::string note;              // ServerResponse::log_note
};

struct ServerOptions {
  std::string name = "http"; // shows in the access log
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;                    // 0 = an ephemeral port (see HttpServer::port())
  unsigned threads = 0;                      // 0 = hardware concurrency
  std::size_t header_limit = 16 * 1024;      // larger → 431
  std::size_t body_limit = 64 * 1024 * 1024; // larger → 413
  std::chrono::seconds read_timeout{30};     // a request not complete by then: connection closed
  std::chrono::seconds idle_timeout{120};    // idle keep-alive connection closed after this
  // A streamed (chunked) response to a client that does not read: once more than this many
  // bytes wait to be sent, or one write has been stuck for stream_write_timeout, the client is
  // dropped and the producer's on_close runs (a push query is cleaned up) - memory stays bounded.
  std::size_t stream_buffer_limit = 4 * 1024 * 1024;
  std::chrono::milliseconds stream_write_timeout{30000};
  // Out of descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM on accept): stop accepting for this long
  // and keep serving the open connections, as nginx does, instead of retrying in a busy loop.
  std::chrono::milliseconds accept_backoff{500};
  // Server-side problems worth an operator's attention (accept failures), at most one message
  // per error_log_period; may be empty.
  std::function<void(const std::string&)> error_log;
  std::chrono::seconds error_log_period{60};
  // Builds the protocol's own error body for errors the server detects before any handler runs
  // (400 malformed, 413, 431). Defaults to a plain-text body.
  std::function<ServerResponse(int status, const std::string& message)> error_response;
  std::function<void(const AccessLogEntry&)> access_log; // may be empty
  // HTTP/2 only: requests (given with headers, no body yet) whose body is line-delimited and
  // streamed: the handler runs once the first line has arrived (ServerRequest::body_stream).
  std::function<bool(const ServerRequest&)> stream_request_body;
  // HTTP/2: SETTINGS_MAX_CONCURRENT_STREAMS offered to each client.
  std::uint32_t max_concurrent_streams = 100;
};

class HttpServer {
public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the worker threads. The error names the address and why (in use, ...).
  Status start();
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void stop();

  std::uint16_t port() const;
  std::string url() const; // "http://127.0.0.1:PORT"
  std::size_t open_connections() const;
  // How many accepts have failed so far (EMFILE and the like); for tests and diagnostics.
  std::uint64_t accept_failures() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serves one raw HTTP/1.1 request without sockets, the way a connection would: the same parser,
// limits (header_limit, body_limit -> 431/413, malformed -> 400 via options.error_response), the
// handler, and a streamed response collected chunk by chunk until the producer finishes or
// stream_buffer_limit is reached (then the sink is closed, as for a client that went away).
// Returns the raw response bytes (status line, headers, body with chunked framing as sent).
// The entry point for fuzz targets and tests of request handling; thread-safe as the handler is.
// `consumed`, when given, receives how many bytes of raw_request the request took (all of them
// after a parse error), so that a caller can serve the rest as the connection's next request.
std::string serve_in_memory(const ServerOptions& options, const Handler& handler,
                            std::string_view raw_request, std::size_t* consumed = nullptr);

} // namespace konform::serve
