#include "serve/http_server.h"

#include "core/text.h"
#include "serve/response_head.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>

namespace konform::serve {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

std::optional<std::string> ServerRequest::query_param(std::string_view name) const {
  for (auto part : text::split(query, '&')) {
    auto eq = part.find('=');
    auto raw_key = part.substr(0, eq);
    // Most keys need no decoding: compare them in place (this runs for every parameter lookup).
    bool encoded = raw_key.find_first_of("%+") != std::string_view::npos;
    if (encoded ? text::iequals(text::url_decode(raw_key), name) : text::iequals(raw_key, name))
      return eq == std::string_view::npos ? std::string() : text::url_decode(part.substr(eq + 1));
  }
  return std::nullopt;
}

namespace {

ServerResponse plain_error(int status, const std::string& message) {
  ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = message + "\n";
  return r;
}

struct Shared {
  ServerOptions options;
  Handler handler;
  std::atomic<std::size_t> connections{0};
};

class Session;

// The sink handed to a streaming producer. It only holds a weak reference to the session, so a
// producer that outlives the connection writes into nothing instead of into freed memory.
class SessionSink : public ChunkSink {
public:
  explicit SessionSink(std::weak_ptr<Session> s) : session_(std::move(s)) {}
  bool write(std::string chunk) override;
  void finish() override;
  bool closed() const override { return closed_.load(); }
  void on_close(std::function<void()> cb) override {
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        on_close_ = std::move(cb);
        return;
      }
    }
    if (cb) cb(); // already closed: tell the producer at once
  }
  void mark_closed() {
    std::function<void()> cb;
    {
      std::lock_guard lock(mu_);
      if (closed_.exchange(true)) return;
      cb = std::move(on_close_);
    }
    if (cb) cb();
  }

private:
  std::weak_ptr<Session> session_;
  std::atomic<bool> closed_{false};
  std::mutex mu_;
  std::function<void()> on_close_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
    ++shared_.connections;
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() { --shared_.connections; }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  void shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->do_close(); });
  }

  // Called through the sink from any thread: hop onto the connection's executor.
  void post_chunk(std::string chunk, bool last) {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), chunk = std::move(chunk), last]() mutable {
                if (self->closed_) return;
                if (!chunk.empty()) self->pending_.push_back(std::move(chunk));
                if (last) self->finish_requested_ = true;
                self->pump();
              });
  }

private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
    parser_->body_limit(shared_.options.body_limit);
    stream_.expires_after(first_request_ ? shared_.options.read_timeout
                                         : shared_.options.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    first_request_ = false;
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted)
      return do_close();
    if (ec == beast::error::timeout)
      return do_close(); // a slow or idle client: drop it rather than hold a thread's resources
    started_ = steady::now();
    if (ec == bhttp::error::header_limit)
      return send_error(431, "Request header fields too large: the limit is " +
                                 std::to_string(shared_.options.header_limit) + " bytes");
    if (ec == bhttp::error::body_limit)
      return send_error(413, "Request body too large: the limit is " +
                                 std::to_string(shared_.options.body_limit) + " bytes");
    if (ec) return send_error(400, "Malformed HTTP request: " + ec.message());

    auto& msg = parser_->get();
    ServerRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto q = req.target.find('?');
    req.path = text::url_decode(std::string_view(req.target).substr(0, q));
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& f : msg)
      req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    req.body = std::move(msg.body());
    req.remote = remote_;
    keep_alive_ = msg.keep_alive();
    method_ = req.method;
    target_ = req.target;
    client_request_id_ = std::string(req.header("x-ms-client-request-id").value_or(""));

    ServerResponse res;
    try {
      res = shared_.handler(req);
    } catch (const std::exception& e) {
      res = make_error(500, std::string("Internal server error: ") + e.what());
    }
    if (res.stream) return start_stream(std::move(res));
    send(std::move(res));
  }

  ServerResponse make_error(int status, const std::string& message) {
    return shared_.options.error_response ? shared_.options.error_response(status, message)
                                          : plain_error(status, message);
  }

  void send_error(int status, std::string message) {
    keep_alive_ = false; // the stream's state is unknown after a framing error
    if (method_.empty() && parser_ && parser_->is_header_done()) {
      method_ = std::string(parser_->get().method_string());
      target_ = std::string(parser_->get().target());
    }
    send(make_error(status, message));
  }

  // The head and the body go out as two plain buffers in one gather write (see response_head.h).
  void send(ServerResponse r) {
    status_ = r.status;
    body_ = std::move(r.body);
    write_response_head(head_, r.status, r.headers, {keep_alive_, false, body_.size()});
    stream_.expires_after(shared_.options.read_timeout);
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    net::async_write(stream_, buffers,
                     beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    log_request();
    if (ec || !keep_alive_) return do_close();
    do_read();
  }

  void log_request() {
    if (!shared_.options.access_log) return;
    AccessLogEntry e{
        shared_.options.name,
        method_,
        target_,
        status_,
        std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - started_),
        client_request_id_};
    shared_.options.access_log(e);
    method_.clear();
    target_.clear();
  }

  // --- chunked streaming --------------------------------------------------------------------

  void start_stream(ServerResponse r) {
    status_ = r.status;
    streaming_ = true;
    // The connection ends with the stream (see do_close_after_stream); saying so up front lets
    // keep-alive clients open a new one instead of sending their next request into a closed one.
    keep_alive_ = false;
    write_response_head(head_, r.status, r.headers, {keep_alive_, true, 0});
    if (!r.body.empty()) pending_.push_back(std::move(r.body));
    sink_ = std::make_shared<SessionSink>(weak_from_this());
    stream_.expires_never(); // a push query may legitimately stream for hours
    writing_ = true;
    net::async_write(stream_.socket(), net::buffer(head_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) return self->do_close();
                       self->pump();
                     });
    watch_for_disconnect();
    auto producer = std::move(r.stream);
    producer(sink_);
  }

  // While streaming, keep one read outstanding: its failure is how a client's disconnect is seen.
  void watch_for_disconnect() {
    stream_.socket().async_read_some(
        buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->buffer_.commit(n);
          if (ec) {
            self->do_close();
            return;
          }
          if (self->streaming_) self->watch_for_disconnect();
        });
  }

  void pump() {
    if (writing_ || closed_) return;
    if (!pending_.empty()) {
      writing_ = true;
      current_ = std::move(pending_.front());
      pending_.pop_front();
      net::async_write(stream_.socket(), bhttp::make_chunk(net::buffer(current_)),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->writing_ = false;
                         if (ec) return self->do_close();
                         self->pump();
                       });
      return;
    }
    if (finish_requested_ && streaming_) {
      writing_ = true;
      net::async_write(stream_.socket(), bhttp::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->writing_ = false;
                         self->streaming_ = false;
                         self->finish_requested_ = false;
                         self->sink_.reset();
                         if (ec) return self->do_close();
                         self->log_request();
                         // The disconnect watch is still pending on the socket; ending the
                         // connection (announced by "Connection: close") is the simplest correct
                         // choice after a finished stream. A FIN, not a close: the client reads
                         // every byte before it sees the end.
                         self->do_close_after_stream();
                       });
    }
  }

  void do_close_after_stream() {
    // A read is still outstanding from watch_for_disconnect(); a second concurrent read is not
    // allowed, so the connection ends here. Clients of streaming endpoints open a new one.
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  void do_close() {
    if (closed_) return;
    closed_ = true;
    if (streaming_ && status_ != 0) log_request();
    if (sink_) {
      auto sink = std::move(sink_);
      sink->mark_closed();
    }
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  friend class SessionSink;

  beast::tcp_stream stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = true;
  bool first_request_ = true;
  bool closed_ = false;
  int status_ = 0;
  std::string method_, target_, client_request_id_;
  std::string head_, body_; // the response being written; capacity reused across requests
  steady::time_point started_ = steady::now();

  bool streaming_ = false;
  bool writing_ = false;
  bool finish_requested_ = false;
  std::deque<std::string> pending_;
  std::string current_;
  std::shared_ptr<SessionSink> sink_;
};

bool SessionSink::write(std::string chunk) {
  if (closed_) return false;
  auto s = session_.lock();
  if (!s) return false;
  s->post_chunk(std::move(chunk), false);
  return true;
}

void SessionSink::finish() {
  if (auto s = session_.lock()) s->post_chunk({}, true);
}

} // namespace

struct HttpServer::Impl {
  Shared shared;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::optional<tcp::acceptor> acceptor;
  std::size_t next = 0;
  std::uint16_t port = 0;
  bool running = false;
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<Session>> sessions;

  void do_accept() {
    // Each accepted socket belongs to the next io_context in turn.
    auto& ctx = *contexts[next++ % contexts.size()];
    acceptor->async_accept(ctx, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket), shared);
        {
          std::lock_guard lock(sessions_mu);
          std::erase_if(sessions, [](auto& w) { return w.expired(); });
          sessions.push_back(session);
        }
        session->run();
      }
      do_accept();
    });
  }
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.handler = std::move(handler);
}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  auto& o = impl_->shared.options;
  unsigned n = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    impl_->contexts.push_back(std::make_unique<net::io_context>(1));
    impl_->guards.push_back(net::make_work_guard(*impl_->contexts.back()));
  }
  boost::system::error_code ec;
  auto address = net::ip::make_address(o.address, ec);
  if (ec)
    return make_error("'" + o.address + "' is not an IP address to listen on (" + ec.message() +
                      ")");
  tcp::endpoint endpoint(address, o.port);
  auto& acc = impl_->acceptor.emplace(*impl_->contexts[0]);
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error("cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " +
                      ec.message() + " (choose another port, or 0 for any free port)");
  impl_->port = acc.local_endpoint().port();
  impl_->do_accept();
  for (auto& ctx : impl_->contexts)
    impl_->threads.emplace_back([c = ctx.get()] { c->run(); });
  impl_->running = true;
  return Ok{};
}

void HttpServer::stop() {
  if (!impl_ || !impl_->running) return;
  impl_->running = false;
  net::post(*impl_->contexts[0], [this] {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
  });
  {
    std::lock_guard lock(impl_->sessions_mu);
    for (auto& w : impl_->sessions)
      if (auto s = w.lock()) s->shutdown();
    impl_->sessions.clear();
  }
  impl_->guards.clear();
  for (auto& ctx : impl_->contexts)
    ctx->stop();
  for (auto& t : impl_->threads)
    t.join();
  impl_->threads.clear();
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

std::string HttpServer::url() const {
  auto& a = impl_->shared.options.address;
  return "http://" + (a.find(':') != std::string::npos ? "[" + a + "]" : a) + ":" +
         std::to_string(impl_->port);
}

std::size_t HttpServer::open_connections() const {
  return impl_->shared.connections.load();
}

} // namespace konform::serve
