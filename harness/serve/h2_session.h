#pragma once
// The HTTP/2 side of one server connection, without its socket: bytes in (receive), bytes out
// (send). libnghttp2 does the framing, HPACK, flow control and protocol checks (a protocol error
// queues a GOAWAY with its error code); this class maps streams onto the same Handler,
// ServerRequest and ServerResponse as HTTP/1.1, so every route answers with the same status,
// headers and body. A streamed response goes out as one DATA frame per chunk written to its sink
// (as long as the client's window and frame size allow), paced by the client's flow control; a
// stream whose producer gets more than stream_buffer_limit ahead of the client is reset. Used by
// the socket glue (h2_connection.h), the unit tests and the fuzz target.
#include "serve/http_server.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct nghttp2_session;

namespace konform::serve {

class H2ServerSession {
public:
  // `wake` is called from any thread when a producer wrote to a stream or finished it; the owner
  // must then call send() on the session's thread (later, never from inside wake).
  H2ServerSession(const ServerOptions& options, const Handler& handler, std::string remote,
                  std::function<void()> wake);
  // Open streams are closed as on a disconnect: their producers' on_close callbacks run.
  ~H2ServerSession();
  H2ServerSession(const H2ServerSession&) = delete;
  H2ServerSession& operator=(const H2ServerSession&) = delete;

  // h2c upgrade (RFC 7540 §3.2): `http2_settings` is the HTTP2-Settings header (base64url); the
  // HTTP/1.1 request becomes stream 1 and is answered over HTTP/2. Call before receive(). False
  // when the header does not decode (the caller answers 400 over HTTP/1.1 instead).
  bool upgrade(std::string_view http2_settings, ServerRequest request);

  // Feeds bytes read from the client (the connection preface first). False on a connection
  // error: a GOAWAY is queued; send() it, then close.
  bool receive(std::string_view bytes);

  // Appends what should be written to the client now (at most about `max` bytes), after resuming
  // the streams whose producers wrote since the last call.
  void send(std::string& out, std::size_t max = 256 * 1024);

  // Nothing more to read or write (after a GOAWAY was sent, or both sides are done).
  bool finished() const;
  std::size_t open_streams() const { return streams_.size(); }
  // Sends GOAWAY(NO_ERROR): streams in progress finish, no new ones are accepted.
  void shutdown();
  // The error code of the GOAWAY this side queued, if any (for tests and logs).
  std::optional<std::uint32_t> goaway_code() const { return goaway_code_; }

  struct Stream; // one request/response exchange (h2_session.cpp)
  struct Waker;  // shared with sinks: outlives the session safely

private:
  friend struct Callbacks;
  void begin_stream(std::int32_t id);
  void dispatch(Stream& s);
  void submit(Stream& s, ServerResponse res);
  void start_streamed_body(Stream& s);
  void close_stream(std::int32_t id, std::uint32_t error_code);
  void log(const Stream& s);
  void fail(std::uint32_t error_code, std::string_view why);

  const ServerOptions& options_;
  const Handler& handler_;
  std::string remote_;
  std::shared_ptr<Waker> waker_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, std::unique_ptr<Stream>> streams_;
  std::optional<std::uint32_t> goaway_code_;
  std::int32_t max_stream_id_ = 0; // the highest client stream id seen
};

} // namespace konform::serve
