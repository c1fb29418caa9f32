#pragma once
// The https transport of a load thread: Asio's reactor and OpenSSL streams, one lane per
// connection, set up as every TLS client of the tool is (tls_setup.h). See transport_plain.h for
// the shape every transport has.
#include "http/connect.h"
#include "load/lane.h"
#include "load/tls_setup.h"
#include "load/worker.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <memory>

namespace konform::load {

// One https connection attempt: its own socket under its own TLS stream. Every handler holds it,
// so closing a connection never frees a stream under an operation still in flight (an SSL
// operation whose write already completed goes on reading), and that operation can only touch
// its own closed socket, never the connection's next one.
struct TlsSession {
  TlsSession(boost::asio::io_context& ctx, boost::asio::ssl::context& ssl)
      : sock(ctx), stream(sock, ssl) {}
  boost::asio::ip::tcp::socket sock;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream;
};

template <class Core> class TlsTransport {
  using error_code = boost::system::error_code;

public:
  struct Lane : LaneBase {
    explicit Lane(std::uint32_t i) : LaneBase(i), buf(new char[read_buffer_size]) {}
    std::unique_ptr<char[]> buf;
    std::shared_ptr<TlsSession> tls;
  };
  // A response's receive time is when it is read (no kernel stamp).
  static constexpr bool receive_stamps = false;
  static unsigned lanes_per_connection(const LoadOptions&) { return 1; }

  TlsTransport(Core& core, const WorkerConfig& cfg)
      : core_(core), opt_(*cfg.options),
        // Only this thread ever touches the io_context: no locking in scheduler or reactor.
        ctx_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE), timers_{boost::asio::steady_timer(ctx_),
                                                          boost::asio::steady_timer(ctx_),
                                                          boost::asio::steady_timer(ctx_)},
        ssl_(boost::asio::ssl::context::tls_client) {
    configure_tls(ssl_, opt_);
  }

  void arm(Wake w, Clock::time_point at) {
    timers_[w].expires_at(at);
    timers_[w].async_wait([this, w](error_code ec) {
      if (!ec) core_.fire(w);
    });
  }
  void soon(Wake w) {
    boost::asio::post(ctx_, [this, w] { core_.fire(w); });
  }
  void cancel_timers() {
    for (auto& t : timers_)
      t.cancel();
  }

  void run() { ctx_.run(); }

  void connect(Lane& c, const boost::asio::ip::tcp::endpoint& ep) {
    const auto gen = c.generation;
    auto tls = c.tls = std::make_shared<TlsSession>(ctx_, ssl_);
    tls->sock.async_connect(ep, [this, &c, gen, tls](error_code ec) {
      if (gen != c.generation) return;
      if (ec) return core_.fail(c, &ErrorCounts::connect);
      error_code ignored;
      tls->sock.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
      if (!http::name_tls_server(tls->stream.native_handle(), opt_.origin.host, opt_.insecure))
        return core_.fail(c, &ErrorCounts::connect);
      tls->stream.async_handshake(boost::asio::ssl::stream_base::client,
                                  [this, &c, gen, tls](error_code hec) {
                                    if (gen != c.generation) return;
                                    if (hec) return core_.fail(c, &ErrorCounts::connect);
                                    core_.on_connected(c);
                                  });
    });
  }

  void send(Lane& c, const PreparedStep& s) {
    const auto gen = c.generation;
    boost::asio::async_write(c.tls->stream, boost::asio::buffer(s.wire),
                             [this, &c, gen, tls = c.tls](error_code ec, std::size_t) {
                               if (gen != c.generation) return;
                               if (ec) return core_.fail(c, &ErrorCounts::write);
                               read(c);
                             });
  }

  void close(Lane& c) {
    if (!c.tls) return; // cancels its operations; their handlers still hold the session
    error_code ignored;
    c.tls->sock.close(ignored);
    c.tls.reset();
  }

private:
  void read(Lane& c) {
    const auto gen = c.generation;
    c.tls->stream.async_read_some(boost::asio::buffer(c.buf.get(), read_buffer_size),
                                  [this, &c, gen, tls = c.tls](error_code ec, std::size_t n) {
                                    if (gen != c.generation) return;
                                    if (ec == boost::asio::error::eof ||
                                        ec == boost::asio::ssl::error::stream_truncated)
                                      return core_.on_eof(c);
                                    if (ec) return core_.fail(c, &ErrorCounts::read);
                                    if (core_.consume(c, c.buf.get(), n)) read(c);
                                  });
  }

  Core& core_;
  const LoadOptions& opt_;
  boost::asio::io_context ctx_;
  std::array<boost::asio::steady_timer, wake_count> timers_;
  boost::asio::ssl::context ssl_;
};

} // namespace konform::load
