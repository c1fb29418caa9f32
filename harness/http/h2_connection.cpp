#include "http/h2_connection.h"

#include "http/connect.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

namespace konform::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;
using us = std::chrono::microseconds;

namespace {

// Header fields HTTP/2 forbids in a request (RFC 9113 §8.2.2) or that the client sets itself.
bool skipped_field(const std::string& lower) {
  return lower == "host" || lower == "content-length" || lower == "connection" ||
         lower == "keep-alive" || lower == "proxy-connection" || lower == "transfer-encoding" ||
         lower == "upgrade" || lower == "te";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

nghttp2_nv field(const std::string& name, const std::string& value) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), NGHTTP2_NV_FLAG_NONE};
}

} // namespace

struct H2Connection::Impl {
  Url origin;
  ClientOptions options;
  net::io_context ioc;
  net::ssl::context ssl_ctx{net::ssl::context::tls_client};
  Status tls_setup = Ok{}; // an unreadable --ca-file, reported when an https origin connects
  ClientStream stream;     // plain or TLS
  nghttp2_session* ng = nullptr;
  nghttp2_session_callbacks* callbacks = nullptr;
  std::unique_ptr<char[]> buf{new char[64 * 1024]};
  bool peer_settings = false; // the server's SETTINGS came: it speaks HTTP/2

  // The exchange in progress.
  struct Exchange {
    std::int32_t stream = -1;
    Response res;
    bool closed = false;          // the stream closed (fully received, or reset)
    std::uint32_t reset_code = 0; // RST_STREAM's error code, when the server reset it
    bool got_some = false;        // any frame of the response arrived
    bool over_limit = false;
    std::vector<std::string> frames; // the request body, one DATA frame each
    std::size_t frame = 0, offset = 0;
    std::optional<clock::time_point> header_at, first_chunk;
  };
  Exchange ex;

  Impl(Url o, ClientOptions opts) : origin(std::move(o)), options(std::move(opts)) {
    tls_setup = configure_tls_client(ssl_ctx, options);
    offer_h2(ssl_ctx);
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
  }
  ~Impl() {
    close();
    nghttp2_session_callbacks_del(callbacks);
  }

  beast::tcp_stream& tcp_layer() { return stream.tcp_layer(); }
  void run() {
    ioc.restart();
    ioc.run();
  }
  bool connected() const { return ng != nullptr; }

  void close() {
    stream.close();
    if (ng) nghttp2_session_del(ng);
    ng = nullptr;
  }

  Status connect(clock::time_point deadline) {
    close();
    if (origin.tls && !tls_setup) return tls_setup;
    boost::system::error_code handshake;
    if (auto st = connect_stream(ioc, ssl_ctx, stream, origin, options, deadline, &handshake);
        !st) {
      // A server that offers no h2 either ignores ALPN (checked below) or aborts the handshake
      // with the no_application_protocol alert (nginx).
      if (refused_alpn(handshake)) return not_h2();
      return st;
    }
    if (stream.secure && !agreed_h2(stream.secure->native_handle())) return not_h2();
    peer_settings = false;
    nghttp2_session_client_new(&ng, callbacks, this);
    // A large stream window: flow control never holds a response back (nghttp2 sends the
    // WINDOW_UPDATEs as the DATA is consumed); the body limit bounds what is kept.
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                               {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24}};
    nghttp2_submit_settings(ng, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_session_set_local_window_size(ng, NGHTTP2_FLAG_NONE, 0, 1 << 24);
    return Ok{};
  }

  Error not_h2() const {
    return not_h2_error(origin, "drop --http2 / \"http\": \"2\" to use HTTP/1.1");
  }

  template <class Op> void with_stream(Op&& op) {
    if (stream.secure)
      op(*stream.secure);
    else
      op(*stream.plain);
  }

  // Writes whatever nghttp2 has to send.
  Status flush(clock::time_point deadline) {
    std::string out;
    for (;;) {
      const std::uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(ng, &data);
      if (n < 0)
        return make_error(std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)),
                          ErrorKind::protocol);
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (out.empty()) return Ok{};
    boost::system::error_code ec;
    tcp_layer().expires_at(deadline);
    with_stream(
        [&](auto& s) { net::async_write(s, net::buffer(out), [&](auto e, auto) { ec = e; }); });
    run();
    if (ec == beast::error::timeout)
      return make_error("the request could not be sent within the timeout of " +
                            std::to_string(options.timeout.count()) + " ms",
                        ErrorKind::timeout);
    if (ec) return make_error("writing the request failed: " + ec.message(), ErrorKind::write);
    return Ok{};
  }

  // Reads once (up to `deadline`) and feeds nghttp2. An error of kind "timeout" when the
  // deadline came first.
  Status read_once(clock::time_point deadline) {
    boost::system::error_code ec;
    std::size_t n = 0;
    tcp_layer().expires_at(deadline);
    with_stream([&](auto& s) {
      s.async_read_some(net::buffer(buf.get(), 64 * 1024), [&](auto e, std::size_t got) {
        ec = e;
        n = got;
      });
    });
    run();
    if (ec == beast::error::timeout) return make_error("timeout", ErrorKind::timeout);
    if (ec == net::error::eof || ec == net::ssl::error::stream_truncated)
      return make_error("the server closed the HTTP/2 connection before the response ended",
                        ErrorKind::read);
    if (ec) return make_error("reading the response failed: " + ec.message(), ErrorKind::read);
    const auto used =
        nghttp2_session_mem_recv(ng, reinterpret_cast<const std::uint8_t*>(buf.get()), n);
    if (used < 0)
      return make_error(std::string("the server broke HTTP/2: ") +
                            nghttp2_strerror(static_cast<int>(used)),
                        ErrorKind::protocol);
    return Ok{};
  }

  std::vector<nghttp2_nv> request_fields(const Request& request,
                                         std::vector<std::string>& storage) {
    const bool default_port =
        (origin.tls && origin.port == 443) || (!origin.tls && origin.port == 80);
    storage.clear();
    storage.reserve(8 + 2 * request.headers.size());
    auto add = [&](std::string name, std::string value) {
      storage.push_back(std::move(name));
      storage.push_back(std::move(value));
    };
    add(":method", request.method);
    add(":scheme", origin.tls ? "https" : "http");
    std::string authority;
    for (const auto& [k, v] : request.headers)
      if (lower(k) == "host") authority = v;
    if (authority.empty())
      authority =
          (origin.host.find(':') != std::string::npos ? "[" + origin.host + "]" : origin.host) +
          (default_port ? "" : ":" + std::to_string(origin.port));
    add(":authority", authority);
    add(":path", request.target.empty() ? "/" : request.target);
    for (const auto& [k, v] : request.headers) {
      auto name = lower(k);
      if (!skipped_field(name)) add(std::move(name), v);
    }
    std::size_t size = 0;
    for (const auto& f : ex.frames)
      size += f.size();
    if (size > 0 || request.method == "POST" || request.method == "PUT")
      add("content-length", std::to_string(size));
    std::vector<nghttp2_nv> nv;
    for (std::size_t i = 0; i + 1 < storage.size(); i += 2)
      nv.push_back(field(storage[i], storage[i + 1]));
    return nv;
  }

  // One attempt on the current connection; `stale`: it failed before any of the response came,
  // as on a kept connection the server had ended (worth one retry on a fresh connection).
  Result<Response> attempt(const Request& request, const SendOptions& so,
                           clock::time_point deadline, bool& stale) {
    stale = false;
    ex = Exchange{};
    if (!request.body_frames.empty())
      ex.frames = request.body_frames;
    else if (!request.body.empty())
      ex.frames.push_back(request.body);
    std::vector<std::string> storage;
    const auto nv = request_fields(request, storage);
    nghttp2_data_provider body{};
    body.read_callback = read_body;
    const auto start = clock::now();
    ex.stream = nghttp2_submit_request(ng, nullptr, nv.data(), nv.size(),
                                       ex.frames.empty() ? nullptr : &body, nullptr);
    if (ex.stream < 0) {
      stale = true; // e.g. the stream ids of this connection are used up
      return make_error(std::string("HTTP/2: cannot start a stream: ") +
                            nghttp2_strerror(ex.stream),
                        ErrorKind::write);
    }
    const bool streaming = so.stream_for.count() > 0;
    const auto read_deadline = streaming ? std::min(deadline, start + so.stream_for) : deadline;
    bool timed_out = false;
    while (!ex.closed) {
      if (auto f = flush(deadline); !f) {
        stale = !ex.got_some;
        return f.error();
      }
      if (ex.closed) break;
      if (!nghttp2_session_want_read(ng)) {
        stale = !ex.got_some && peer_settings;
        if (!peer_settings)
          return make_error(origin.origin() +
                                " does not speak HTTP/2 here: no SETTINGS frame answered the "
                                "connection preface (h2c with prior knowledge); drop --http2 / "
                                "\"http\": \"2\" for an HTTP/1.1 server",
                            ErrorKind::protocol);
        return make_error("the server ended the HTTP/2 connection (GOAWAY) before the response "
                          "ended",
                          ErrorKind::read);
      }
      if (clock::now() >= read_deadline) {
        timed_out = true;
        break;
      }
      if (auto r = read_once(read_deadline); !r) {
        if (r.error().kind == ErrorKind::timeout) {
          timed_out = true;
          break;
        }
        stale = !ex.got_some && r.error().kind == ErrorKind::read;
        return r.error();
      }
    }
    const auto done = clock::now();
    if (ex.over_limit)
      return make_error("the response body exceeds the limit of " +
                            std::to_string(options.max_body) + " bytes (--max-body)",
                        ErrorKind::limit);
    if (timed_out) {
      // A stream read for so.stream_for (or up to the timeout) ends there: the stream is reset,
      // the connection stays.
      nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, ex.stream, NGHTTP2_CANCEL);
      (void)flush(deadline);
      if (!(streaming && ex.header_at))
        return make_error("no complete response within the timeout of " +
                              std::to_string(options.timeout.count()) +
                              " ms (a deadline for connect, send and the whole response; " +
                              std::to_string(ex.res.body.size()) + " body bytes had arrived)",
                          ErrorKind::timeout);
    } else if (ex.reset_code != 0 || ex.res.status == 0) {
      return make_error(std::string("the server reset the HTTP/2 stream (") +
                            nghttp2_http2_strerror(ex.reset_code) + ") before the response ended",
                        ErrorKind::protocol);
    }
    Response res = std::move(ex.res);
    res.http_version = 20;
    res.truncated = timed_out;
    res.latency = std::chrono::duration_cast<us>(done - start);
    if (ex.header_at)
      res.time_to_first_byte = std::chrono::duration_cast<us>(*ex.header_at - start);
    if (ex.first_chunk)
      res.time_to_first_chunk = std::chrono::duration_cast<us>(*ex.first_chunk - start);
    return res;
  }

  // ---- nghttp2 callbacks (user_data: this) ----
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user) {
    auto& self = *static_cast<Impl*>(user);
    if (frame->hd.stream_id != self.ex.stream || frame->hd.type != NGHTTP2_HEADERS) return 0;
    std::string n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    self.ex.got_some = true;
    if (n == ":status") {
      const int status = std::atoi(v.c_str());
      if (status >= 100 && status < 200) return 0; // an interim response: the final one follows
      self.ex.res.status = status;
      self.ex.res.headers.clear();
      return 0;
    }
    if (self.ex.res.status == 0) return 0; // fields of an interim response
    self.ex.res.headers.emplace_back(std::move(n), std::move(v));
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto& self = *static_cast<Impl*>(user);
    if (frame->hd.type == NGHTTP2_SETTINGS) self.peer_settings = true;
    if (frame->hd.stream_id != self.ex.stream) return 0;
    self.ex.got_some = true;
    if (frame->hd.type == NGHTTP2_HEADERS && !self.ex.header_at && self.ex.res.status >= 200)
      self.ex.header_at = clock::now();
    // Chunk sizes are kept for the report; an endless stream of tiny frames must not grow the
    // list without bound (the body limit bounds the bytes, not the number of frames).
    constexpr std::size_t max_chunks_recorded = 100000;
    if (frame->hd.type == NGHTTP2_DATA && frame->hd.length > 0 &&
        self.ex.res.chunks.size() < max_chunks_recorded)
      self.ex.res.chunks.push_back(frame->hd.length -
                                   (frame->data.padlen > 0 ? frame->data.padlen : 0));
    return 0;
  }

  static int on_data_chunk(nghttp2_session* ng, std::uint8_t, std::int32_t stream,
                           const std::uint8_t* data, std::size_t len, void* user) {
    auto& self = *static_cast<Impl*>(user);
    if (stream != self.ex.stream) return 0;
    if (!self.ex.first_chunk && len > 0) self.ex.first_chunk = clock::now();
    if (self.ex.res.body.size() + len > self.options.max_body) {
      self.ex.over_limit = true;
      nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
      return 0;
    }
    self.ex.res.body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t code,
                             void* user) {
    auto& self = *static_cast<Impl*>(user);
    if (stream != self.ex.stream) return 0;
    self.ex.closed = true;
    self.ex.reset_code = code;
    return 0;
  }

  // One DATA frame per piece of the body (a piece longer than a frame takes several).
  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* out, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source*, void* user) {
    auto& ex = static_cast<Impl*>(user)->ex;
    while (ex.frame < ex.frames.size() && ex.offset == ex.frames[ex.frame].size()) {
      ++ex.frame;
      ex.offset = 0;
    }
    std::size_t n = 0;
    if (ex.frame < ex.frames.size()) {
      const auto& piece = ex.frames[ex.frame];
      n = std::min(length, piece.size() - ex.offset);
      std::memcpy(out, piece.data() + ex.offset, n);
      ex.offset += n;
    }
    bool last = ex.frame >= ex.frames.size() ||
                (ex.frame + 1 == ex.frames.size() && ex.offset == ex.frames[ex.frame].size());
    if (last) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

H2Connection::H2Connection(Url origin, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(origin), std::move(options))) {}

H2Connection::~H2Connection() = default;

Result<Response> H2Connection::send(const Request& request, const SendOptions& options) {
  const auto deadline = clock::now() + impl_->options.timeout;
  const bool reused = impl_->connected();
  if (!reused) {
    auto c = impl_->connect(deadline);
    if (!c) {
      impl_->close();
      return c.error();
    }
  }
  bool stale = false;
  auto r = impl_->attempt(request, options, deadline, stale);
  if (!r && stale && reused) { // the server ended the kept connection: not its failure
    auto c = impl_->connect(deadline);
    if (!c) {
      impl_->close();
      return c.error();
    }
    r = impl_->attempt(request, options, deadline, stale);
  }
  // A reset stream or an oversized body ends the stream only; anything else, the connection.
  const bool stream_only =
      !r && (r.error().kind == ErrorKind::limit || r.error().kind == ErrorKind::protocol) &&
      impl_->ng && nghttp2_session_want_read(impl_->ng);
  if (!r && !stream_only) impl_->close();
  return r;
}

} // namespace konform::http
