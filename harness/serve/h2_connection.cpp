#include "serve/h2_connection.h"

#include "serve/h2_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>

namespace konform::serve {

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using error_code = boost::system::error_code;

class Connection : public H2Connection, public std::enable_shared_from_this<Connection> {
public:
  Connection(tcp::socket socket, const ServerOptions& options, std::shared_ptr<void> owner)
      : socket_(std::move(socket)), options_(options), owner_(std::move(owner)),
        write_timer_(socket_.get_executor()), idle_timer_(socket_.get_executor()),
        wake_posted_(std::make_shared<std::atomic<bool>>(false)) {}

  void start(const Handler& handler, std::string remote, std::string_view received,
             std::optional<ServerRequest> upgrade, const std::string& http2_settings) {
    // Producers call wake from any thread (some with the ksqlDB database locked): it only posts,
    // and the connection is looked up again on its own thread.
    auto executor = socket_.get_executor();
    std::weak_ptr<Connection> weak = shared_from_this();
    auto posted = wake_posted_;
    session_ = std::make_unique<H2ServerSession>(options_, handler, std::move(remote),
                                                 [executor, weak, posted] {
                                                   if (posted->exchange(true)) return;
                                                   net::post(executor, [weak, posted] {
                                                     posted->store(false);
                                                     if (auto self = weak.lock()) self->flush();
                                                   });
                                                 });
    if (upgrade && !session_->upgrade(http2_settings, std::move(*upgrade))) return close();
    if (!received.empty()) session_->receive(received);
    last_read_ = steady::now();
    arm_idle_timer();
    flush();
    do_read();
  }

  void shutdown() override {
    net::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

private:
  void do_read() {
    if (closed_) return;
    socket_.async_read_some(
        net::buffer(buffer_), [self = shared_from_this()](error_code ec, std::size_t n) {
          if (ec) return self->close();
          self->last_read_ = steady::now();
          if (self->draining_) return self->do_read(); // after our GOAWAY: read to EOF, ignore
          bool ok = self->session_->receive(std::string_view(self->buffer_.data(), n));
          self->flush();
          if (ok || self->draining_) self->do_read();
        });
  }

  void flush() {
    if (closed_ || writing_ || !session_) return;
    out_.clear();
    session_->send(out_);
    if (out_.empty()) {
      if (session_->finished()) finish();
      return;
    }
    writing_ = true;
    // A client that stops reading altogether: the write would never end; drop it.
    write_timer_.expires_after(options_.stream_write_timeout);
    write_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && self->writing_) self->close();
    });
    net::async_write(socket_, net::buffer(out_),
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       self->writing_ = false;
                       self->write_timer_.cancel();
                       if (ec) return self->close();
                       self->flush();
                     });
  }

  // Everything is said (GOAWAY sent): close our side, let the client read it all, then close.
  void finish() {
    if (draining_) return;
    draining_ = true;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    idle_timer_.expires_after(std::chrono::seconds(2));
    idle_timer_.async_wait([self = shared_from_this()](error_code e) {
      if (!e) self->close();
    });
  }

  // An HTTP/2 connection without streams for idle_timeout gets GOAWAY, like an idle keep-alive.
  // The timer also ticks every stream_write_timeout so that a stream the client stopped reading
  // is reset (in send()) even when its producer writes nothing more.
  void arm_idle_timer() {
    auto tick =
        std::min<std::chrono::milliseconds>(options_.idle_timeout, options_.stream_write_timeout);
    idle_timer_.expires_after(std::max(tick, std::chrono::milliseconds(10)));
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->closed_ || self->draining_) return;
      if (self->session_->open_streams() == 0 &&
          steady::now() - self->last_read_ >= self->options_.idle_timeout) {
        self->session_->shutdown();
        self->flush();
        return;
      }
      self->flush();
      self->arm_idle_timer();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    write_timer_.cancel();
    idle_timer_.cancel();
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    session_.reset(); // open streams end as on a disconnect (push queries are cleaned up)
  }

  tcp::socket socket_;
  const ServerOptions& options_;
  std::shared_ptr<void> owner_;
  net::steady_timer write_timer_, idle_timer_;
  std::shared_ptr<std::atomic<bool>> wake_posted_;
  std::unique_ptr<H2ServerSession> session_;
  std::array<char, 16384> buffer_{};
  std::string out_;
  bool writing_ = false, closed_ = false, draining_ = false;
  steady::time_point last_read_ = steady::now();
};

} // namespace

std::shared_ptr<H2Connection>
start_h2_connection(tcp::socket socket, const ServerOptions& options, const Handler& handler,
                    std::string remote, std::string_view received, std::shared_ptr<void> owner,
                    std::optional<ServerRequest> upgrade, std::string http2_settings) {
  auto c = std::make_shared<Connection>(std::move(socket), options, std::move(owner));
  c->start(handler, std::move(remote), received, std::move(upgrade), http2_settings);
  return c;
}

} // namespace konform::serve
