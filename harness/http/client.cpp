#include "http/client.h"

#include "http/connect.h"
#include "http/h2_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>

namespace konform::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using clock = std::chrono::steady_clock;

struct Client::Impl {
  Url origin;
  ClientOptions options;
  net::io_context ioc;
  net::ssl::context ssl_ctx{net::ssl::context::tls_client};
  Status tls_setup = Ok{};   // an unreadable --ca-file, reported when an https origin connects
  ClientStream stream;       // plain or TLS
  beast::flat_buffer buffer; // must persist between reads: it may hold the next message's bytes
  bool connected = false;
  std::unique_ptr<H2Connection> h2; // made when a request first asks for HTTP/2

  Impl(Url o, ClientOptions opts) : origin(std::move(o)), options(std::move(opts)) {
    tls_setup = configure_tls_client(ssl_ctx, options);
  }

  beast::tcp_stream& tcp_layer() { return stream.tcp_layer(); }

  // Runs the queued asynchronous operation to completion. Operations carry their own deadline
  // through tcp_stream::expires_after, so this never blocks past the timeout.
  void run() {
    ioc.restart();
    ioc.run();
  }

  void close() {
    stream.close();
    buffer.clear();
    connected = false;
  }

  Status connect(clock::time_point deadline) {
    close();
    if (origin.tls && !tls_setup) return tls_setup;
    if (auto st = connect_stream(ioc, ssl_ctx, stream, origin, options, deadline); !st) return st;
    connected = true;
    return Ok{};
  }

  template <class Op> void with_stream(Op&& op) {
    if (stream.secure)
      op(*stream.secure);
    else
      op(*stream.plain);
  }

  // Reads and parses until the head (or the whole message) is in, checking the deadline between
  // reads. The stream's own timer is armed too (for a silent server) but it cannot be the only
  // guard: against a socket that always has data, each read completes before the expired
  // timer's handler runs, which cancels it, so an endless body was read for 45 s past a 2 s
  // timeout.
  template <class Parser>
  boost::system::error_code read_until(Parser& parser, clock::time_point deadline,
                                       bool header_only) {
    boost::system::error_code ec;
    while (!(header_only ? parser.is_header_done() : parser.is_done())) {
      if (clock::now() >= deadline) return beast::error::timeout;
      with_stream([&](auto& s) {
        bhttp::async_read_some(s, buffer, parser, [&](auto e, auto) { ec = e; });
      });
      run();
      if (ec) return ec;
    }
    return ec;
  }

  std::string timed_out_message(std::size_t body_bytes) const {
    return "no complete response within the timeout of " + std::to_string(options.timeout.count()) +
           " ms (a deadline for connect, send and the "
           "whole response; " +
           std::to_string(body_bytes) + " body bytes had arrived)";
  }

  // One attempt on the current connection, bounded by `deadline` as a whole: a body that keeps
  // arriving (an endless chunked stream) is cut off there, not only a silent server. `stale` is
  // set when the failure looks like a kept connection the server had already closed (worth one
  // retry on a fresh connection).
  Result<Response> attempt(const bhttp::request<bhttp::string_body>& req, const SendOptions& so,
                           clock::time_point deadline, bool& stale) {
    stale = false;
    boost::system::error_code ec;
    auto start = clock::now();
    tcp_layer().expires_at(deadline);
    with_stream([&](auto& s) { bhttp::async_write(s, req, [&](auto e, auto) { ec = e; }); });
    run();
    if (ec == beast::error::timeout)
      return make_error("the request could not be sent within the timeout of " +
                            std::to_string(options.timeout.count()) + " ms",
                        ErrorKind::timeout);
    if (ec) {
      stale = true;
      return make_error("writing the request failed: " + ec.message(), ErrorKind::write);
    }

    Response res;
    std::optional<clock::time_point> first_chunk;
    // Chunk sizes are kept for the report; an endless stream of tiny chunks must not grow the
    // list without bound (the body limit bounds the bytes, not the number of chunks).
    constexpr std::size_t max_chunks_recorded = 100000;
    auto on_chunk = [&](std::uint64_t size, std::string_view, boost::system::error_code&) {
      if (size == 0) return;
      if (res.chunks.size() < max_chunks_recorded)
        res.chunks.push_back(static_cast<std::size_t>(size));
      if (!first_chunk) first_chunk = clock::now();
    };
    // A push query read for so.stream_for ends early on purpose (Response::truncated).
    bool streaming = so.stream_for.count() > 0;
    auto read_deadline = streaming ? std::min(deadline, clock::now() + so.stream_for) : deadline;
    tcp_layer().expires_at(read_deadline);

    // Interim 1xx responses (100 Continue, 103 Early Hints) come before the final one: each is a
    // complete message without a body; skip them. 101 is final (the protocol switches).
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    clock::time_point header_at;
    for (int interim = 0;; ++interim) {
      parser.emplace();
      parser->body_limit(options.max_body);
      parser->header_limit(64 * 1024);
      parser->on_chunk_header(on_chunk);
      ec = read_until(*parser, read_deadline, /*header_only=*/true);
      header_at = clock::now();
      if (ec) break;
      unsigned status = parser->get().result_int();
      if (status < 100 || status >= 200 || status == 101) break;
      if (interim >= 100) {
        close();
        return make_error("the server sent more than 100 interim 1xx responses and no final one",
                          ErrorKind::read);
      }
    }
    if (!ec) ec = read_until(*parser, read_deadline, /*header_only=*/false);
    auto done = clock::now();
    bool timed_out = ec == beast::error::timeout;
    // A stream read for so.stream_for (or up to the timeout, whichever comes first) ends there.
    bool stream_ended = timed_out && streaming && parser->is_header_done();
    if (ec && !stream_ended) {
      if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
          ec == net::error::connection_reset)
        stale = !parser->got_some();
      if (ec == bhttp::error::body_limit)
        return make_error("the response body exceeds the limit of " +
                              std::to_string(options.max_body) + " bytes (--max-body)",
                          ErrorKind::limit);
      if (timed_out)
        return make_error(timed_out_message(parser->get().body().size()), ErrorKind::timeout);
      return make_error("reading the response failed: " + ec.message(), ErrorKind::read);
    }
    auto& msg = parser->get();
    res.status = static_cast<int>(msg.result_int());
    res.reason = std::string(msg.reason());
    for (const auto& field : msg)
      res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    res.body = std::move(msg.body());
    res.truncated = timed_out;
    using us = std::chrono::microseconds;
    // Measured from the first byte written, like curl's time_total: the write is part of the
    // exchange the user is timing.
    res.latency = std::chrono::duration_cast<us>(done - start);
    res.time_to_first_byte = std::chrono::duration_cast<us>(header_at - start);
    if (first_chunk) res.time_to_first_chunk = std::chrono::duration_cast<us>(*first_chunk - start);
    if (timed_out || !msg.keep_alive()) close();
    return res;
  }
};

Client::Client(Url origin, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(origin), std::move(options))) {}

Client::~Client() {
  impl_->close();
}

const Url& Client::origin() const {
  return impl_->origin;
}

Result<Response> Client::send(const Request& request, const SendOptions& options) {
  if (options.http2) {
    if (!impl_->h2) impl_->h2 = std::make_unique<H2Connection>(impl_->origin, impl_->options);
    return impl_->h2->send(request, options);
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  bool has_connection = false;
  for (const auto& [k, v] : request.headers) {
    req.insert(k, v);
    if (beast::iequals(k, "connection")) has_connection = true;
  }
  if (req.find(bhttp::field::host) == req.end()) {
    bool default_port = (impl_->origin.tls && impl_->origin.port == 443) ||
                        (!impl_->origin.tls && impl_->origin.port == 80);
    req.set(bhttp::field::host,
            default_port ? impl_->origin.host
                         : impl_->origin.host + ":" + std::to_string(impl_->origin.port));
  }
  if (!has_connection) req.set(bhttp::field::connection, "keep-alive");
  req.body() = request.body;
  for (const auto& piece : request.body_frames) // HTTP/1.1 has no frames: the pieces in a row
    req.body() += piece;
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
    req.prepare_payload();

  // One deadline for the whole exchange, the reconnect of a stale connection included.
  auto deadline = clock::now() + impl_->options.timeout;
  bool reused = impl_->connected;
  if (!impl_->connected) {
    auto c = impl_->connect(deadline);
    if (!c) return c.error();
  }
  bool stale = false;
  auto r = impl_->attempt(req, options, deadline, stale);
  if (!r && stale && reused) {
    // The server closed the idle keep-alive connection; this is not the server's failure.
    auto c = impl_->connect(deadline);
    if (!c) return c.error();
    r = impl_->attempt(req, options, deadline, stale);
  }
  if (!r) impl_->close();
  return r;
}

} // namespace konform::http
