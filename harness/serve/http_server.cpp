#include "serve/http_server.h"

#include "core/text.h"
#include "serve/h2_connection.h"
#include "serve/response_head.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
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

using Message = bhttp::request<bhttp::string_body>;

// The handler's view of a parsed request (shared by connections and serve_in_memory).
ServerRequest make_request(Message& msg, std::string remote) {
  ServerRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  auto q = req.target.find('?');
  req.path = text::url_decode(std::string_view(req.target).substr(0, q));
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  for (const auto& f : msg)
    req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  req.body = std::move(msg.body());
  req.remote = std::move(remote);
  return req;
}

// What a parse error becomes: its status and the message the client reads.
std::pair<int, std::string> parse_failure(beast::error_code ec, const ServerOptions& o) {
  if (ec == bhttp::error::header_limit)
    return {431, "Request header fields too large: the limit is " + std::to_string(o.header_limit) +
                     " bytes"};
  if (ec == bhttp::error::body_limit)
    return {413, "Request body too large: the limit is " + std::to_string(o.body_limit) + " bytes"};
  return {400, "Malformed HTTP request: " + ec.message()};
}

ServerResponse call_handler(const Shared& shared, const ServerRequest& req) {
  try {
    return shared.handler(req);
  } catch (const std::exception& e) {
    std::string m = std::string("Internal server error: ") + e.what();
    return shared.options.error_response ? shared.options.error_response(500, m)
                                         : plain_error(500, m);
  }
}

class Session;

// The sink handed to a streaming producer. It only holds a weak reference to the session, so a
// producer that outlives the connection writes into nothing instead of into freed memory.
class SessionSink : public ChunkSink {
public:
  SessionSink(std::weak_ptr<Session> s, std::size_t limit)
      : session_(std::move(s)), limit_(limit) {}
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
  // Bytes queued for the client (counted when written to the sink, released once sent).
  void queued(std::size_t n) { queued_ += n; }
  void sent(std::size_t n) { queued_ -= n; }

private:
  std::weak_ptr<Session> session_;
  std::size_t limit_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> dropping_{false}; // over the limit: the close is on its way
  std::atomic<bool> closed_{false};
  std::mutex mu_;
  std::function<void()> on_close_;
};

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket socket, Shared& shared)
      : stream_(std::move(socket)), shared_(shared), write_timer_(stream_.get_executor()) {
    ++shared_.connections;
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() { --shared_.connections; }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_detect, shared_from_this()));
  }

  void shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (auto h2 = self->h2_.lock()) return h2->shutdown(); // h2_ is only touched here
      self->do_close();
    });
  }

  // A streaming client that does not keep up: drop it (on the connection's executor).
  void post_drop() {
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
  // The first bytes tell the protocol: the HTTP/2 connection preface ("PRI * HTTP/2.0\r\n\r\n
  // SM\r\n\r\n", h2c with prior knowledge) or an HTTP/1.1 request line. A preface that goes
  // wrong after "PRI * HTTP/2.0" still goes to HTTP/2, which answers GOAWAY(PROTOCOL_ERROR).
  void do_detect() {
    static constexpr std::string_view kPreface = "PRI * HTTP/2.0";
    auto seen = std::string_view(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (seen.size() >= kPreface.size() || kPreface.substr(0, seen.size()) != seen) {
      if (seen.substr(0, kPreface.size()) == kPreface) return start_h2(seen, std::nullopt, {});
      return do_read(); // HTTP/1.1: the parser starts from what was read
    }
    stream_.expires_after(shared_.options.read_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->do_close();
                              self->do_detect();
                            });
  }

  // Hands the socket to an HTTP/2 connection; this session stays alive (the connection count)
  // as long as it does.
  void start_h2(std::string_view received, std::optional<ServerRequest> upgrade,
                std::string settings) {
    stream_.expires_never();
    auto socket = stream_.release_socket();
    h2_ =
        start_h2_connection(std::move(socket), shared_.options, shared_.handler, remote_, received,
                            shared_from_this(), std::move(upgrade), std::move(settings));
  }

  // "Upgrade: h2c" with HTTP2-Settings (RFC 7540 §3.2): 101, then the answer over HTTP/2.
  bool wants_h2c(const ServerRequest& req) const {
    auto upgrade = req.header("Upgrade");
    auto settings = req.header("HTTP2-Settings");
    if (!upgrade || !settings) return false;
    // A SETTINGS payload is 6 bytes per setting, base64url-encoded; anything else is not an
    // upgrade the server can take, and the request is answered over HTTP/1.1 (RFC 7540 §3.2).
    auto value = text::trim(*settings);
    if (value.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=") !=
            std::string_view::npos ||
        value.substr(0, value.find('=')).size() * 6 / 8 % 6 != 0)
      return false;
    for (auto token : text::split(*upgrade, ','))
      if (text::iequals(text::trim(token), "h2c")) return true;
    return false;
  }

  void upgrade_to_h2(ServerRequest req) {
    static const std::string k101 =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
    std::string settings(*req.header("HTTP2-Settings"));
    auto rest = std::make_shared<std::string>(static_cast<const char*>(buffer_.data().data()),
                                              buffer_.size());
    net::async_write(stream_, net::buffer(k101),
                     [self = shared_from_this(), req = std::move(req), settings,
                      rest](beast::error_code ec, std::size_t) mutable {
                       if (ec) return self->do_close();
                       self->start_h2(*rest, std::move(req), std::move(settings));
                     });
  }

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
    if (ec) {
      auto [status, message] = parse_failure(ec, shared_.options);
      return send_error(status, std::move(message));
    }

    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    ServerRequest req = make_request(msg, remote_);
    if (wants_h2c(req)) return upgrade_to_h2(std::move(req));
    method_ = req.method;
    target_ = req.target;
    client_request_id_ = std::string(req.header("x-ms-client-request-id").value_or(""));

    ServerResponse res = call_handler(shared_, req);
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
    note_ = std::move(r.log_note);
    body_ = std::move(r.body);
    write_response_head(head_, r.status, r.headers, {keep_alive_, false, body_.size()});
    stream_.expires_after(shared_.options.read_timeout);
    // HEAD: the headers GET would send (Content-Length included), no body.
    std::size_t body_bytes = method_ == "HEAD" ? 0 : body_.size();
    std::array<net::const_buffer, 2> buffers{net::buffer(head_),
                                             net::buffer(body_.data(), body_bytes)};
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
        client_request_id_,
        std::move(note_)};
    shared_.options.access_log(e);
    method_.clear();
    target_.clear();
    note_.clear();
  }

  // --- chunked streaming --------------------------------------------------------------------

  void start_stream(ServerResponse r) {
    status_ = r.status;
    note_ = std::move(r.log_note);
    streaming_ = true;
    // The connection ends with the stream (see do_close_after_stream); saying so up front lets
    // keep-alive clients open a new one instead of sending their next request into a closed one.
    keep_alive_ = false;
    write_response_head(head_, r.status, r.headers, {keep_alive_, true, 0});
    sink_ = std::make_shared<SessionSink>(weak_from_this(), shared_.options.stream_buffer_limit);
    if (!r.body.empty()) {
      sink_->queued(r.body.size());
      pending_.push_back(std::move(r.body));
    }
    // A push query may legitimately stream for hours; what bounds it is the client keeping up
    // (stream_buffer_limit, stream_write_timeout).
    stream_.expires_never();
    writing_ = true;
    arm_write_timer();
    net::async_write(stream_.socket(), net::buffer(head_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->write_done();
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
      arm_write_timer();
      net::async_write(stream_.socket(), bhttp::make_chunk(net::buffer(current_)),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->write_done();
                         if (self->sink_) self->sink_->sent(self->current_.size());
                         if (ec) return self->do_close();
                         self->pump();
                       });
      return;
    }
    if (finish_requested_ && streaming_) {
      writing_ = true;
      arm_write_timer();
      net::async_write(stream_.socket(), bhttp::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->write_done();
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

  // A streamed write that does not complete in stream_write_timeout means a client that stopped
  // reading: drop it. The generation tells a stale expiry from the current write's.
  void arm_write_timer() {
    auto generation = ++write_generation_;
    write_timer_.expires_after(shared_.options.stream_write_timeout);
    write_timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
      if (!ec && self->writing_ && generation == self->write_generation_) self->do_close();
    });
  }
  void write_done() {
    writing_ = false;
    ++write_generation_;
    write_timer_.cancel();
  }

  void do_close_after_stream() {
    // A read is still outstanding from watch_for_disconnect(); a second concurrent read is not
    // allowed, so the connection ends here. Clients of streaming endpoints open a new one.
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  void do_close() {
    if (closed_ || !h2_.expired()) return;
    closed_ = true;
    write_timer_.cancel();
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
  std::string note_;
  std::string method_, target_, client_request_id_;
  std::string head_, body_; // the response being written; capacity reused across requests
  steady::time_point started_ = steady::now();

  bool streaming_ = false;
  bool writing_ = false;
  bool finish_requested_ = false;
  std::deque<std::string> pending_;
  std::string current_;
  std::shared_ptr<SessionSink> sink_;
  net::steady_timer write_timer_;
  std::uint64_t write_generation_ = 0;
  std::weak_ptr<H2Connection> h2_; // set once the connection speaks HTTP/2
};

bool SessionSink::write(std::string chunk) {
  if (closed_ || dropping_) return false;
  auto s = session_.lock();
  if (!s) return false;
  // The queue is bounded: a client that does not read is dropped, not buffered without end.
  std::size_t n = chunk.size();
  if (queued_.fetch_add(n) + n > limit_) {
    dropping_ = true;
    s->post_drop();
    return false;
  }
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
  std::optional<net::steady_timer> accept_timer; // the pause after running out of descriptors
  std::atomic<std::uint64_t> accept_failures{0};
  std::uint64_t failures_logged = 0; // accept_failures when the last message went out
  std::optional<steady::time_point> last_logged;

  static bool out_of_resources(const beast::error_code& ec) {
    int v = ec.value();
    return ec.category() == boost::system::system_category() &&
           (v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM);
  }

  // One message per error_log_period, however fast accepts fail (runs on contexts[0]).
  void log_accept_failure(const beast::error_code& ec) {
    auto& o = shared.options;
    if (!o.error_log) return;
    auto now = steady::now();
    if (last_logged && now - *last_logged < o.error_log_period) return;
    std::uint64_t total = accept_failures.load();
    std::string m = o.name + ": cannot accept connections: " + ec.message() +
                    " (raise the descriptor limit, ulimit -n, or lower the number of clients); "
                    "pausing new connections for " +
                    std::to_string(o.accept_backoff.count()) +
                    " ms at a time, open connections are still served";
    if (last_logged)
      m += " (" + std::to_string(total - failures_logged) +
           " failed accepts since the last message)";
    o.error_log(m);
    last_logged = now;
    failures_logged = total;
  }

  void do_accept() {
    // Each accepted socket belongs to the next io_context in turn.
    auto& ctx = *contexts[next++ % contexts.size()];
    acceptor->async_accept(ctx, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) ++accept_failures;
      if (ec && out_of_resources(ec)) {
        // Retrying at once fails at once: the loop would spin at 100% CPU and starve the
        // connections this thread serves. Wait; a closing connection frees a descriptor.
        log_accept_failure(ec);
        accept_timer->expires_after(shared.options.accept_backoff);
        accept_timer->async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && acceptor->is_open()) do_accept();
        });
        return;
      }
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
  impl_->accept_timer.emplace(*impl_->contexts[0]);
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
    impl_->accept_timer->cancel();
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

std::uint64_t HttpServer::accept_failures() const {
  return impl_->accept_failures.load();
}

namespace {

// Collects a streamed response in memory for serve_in_memory.
class MemorySink : public ChunkSink {
public:
  explicit MemorySink(std::size_t limit) : limit_(limit) {}
  bool write(std::string chunk) override {
    std::lock_guard lock(mu_);
    if (closed_ || finished_) return false;
    if (bytes_ + chunk.size() > limit_) return false; // closed by the caller afterwards
    bytes_ += chunk.size();
    if (!chunk.empty()) chunks_.push_back(std::move(chunk));
    return true;
  }
  void finish() override {
    std::lock_guard lock(mu_);
    finished_ = true;
  }
  bool closed() const override {
    std::lock_guard lock(mu_);
    return closed_;
  }
  void on_close(std::function<void()> cb) override {
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        on_close_ = std::move(cb);
        return;
      }
    }
    if (cb) cb();
  }
  // Like a client that goes away: the producer's on_close runs (a push query is cleaned up).
  void close() {
    std::function<void()> cb;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      cb = std::move(on_close_);
    }
    if (cb) cb();
  }
  // The chunked body as it would go on the wire; the last chunk only if the producer finished.
  std::string framed() const {
    std::lock_guard lock(mu_);
    std::string out;
    char size[24];
    for (const auto& c : chunks_) {
      std::snprintf(size, sizeof size, "%zx\r\n", c.size());
      out += size;
      out += c;
      out += "\r\n";
    }
    if (finished_) out += "0\r\n\r\n";
    return out;
  }

private:
  mutable std::mutex mu_;
  std::size_t limit_;
  std::size_t bytes_ = 0;
  bool closed_ = false, finished_ = false;
  std::vector<std::string> chunks_;
  std::function<void()> on_close_;
};

} // namespace

std::string serve_in_memory(const ServerOptions& options, const Handler& handler,
                            std::string_view raw_request, std::size_t* consumed) {
  Shared shared;
  shared.options = options;
  shared.handler = handler;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
  parser.body_limit(options.body_limit);
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < raw_request.size()) {
    std::size_t n =
        parser.put(net::buffer(raw_request.data() + used, raw_request.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more) {
      // The whole request is here, so needing more means it ends early (partial_message below).
      // Calling put() again with the same bytes would gain nothing, and after a last chunk's
      // "0\r\n" it trips an assertion in Beast 1.81's parse_chunk_header (boostorg/beast#2861).
      ec = {};
      break;
    }
    if (n == 0) break;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (!ec && !parser.is_done()) ec = bhttp::error::partial_message;
  if (consumed) *consumed = ec ? raw_request.size() : used;

  ServerResponse res;
  bool keep_alive = false;
  bool head_only = false;
  if (ec) {
    auto [status, message] = parse_failure(ec, options);
    res = options.error_response ? options.error_response(status, message)
                                 : plain_error(status, message);
  } else {
    auto& msg = parser.get();
    keep_alive = msg.keep_alive();
    ServerRequest req = make_request(msg, "127.0.0.1");
    head_only = req.method == "HEAD";
    res = call_handler(shared, req);
  }
  std::string out;
  if (!res.stream) {
    write_response_head(out, res.status, res.headers, {keep_alive, false, res.body.size()});
    if (!head_only) out += res.body;
    return out;
  }
  write_response_head(out, res.status, res.headers, {false, true, 0});
  auto sink = std::make_shared<MemorySink>(options.stream_buffer_limit);
  if (!res.body.empty()) sink->write(std::move(res.body));
  res.stream(sink);
  sink->close(); // nobody reads on: what was written synchronously is the answer
  return out + sink->framed();
}

} // namespace konform::serve
