#include "record/proxy.h"

#include "http/url.h"
#include "record/seal.h"
#include "record/spill.h"
#include "serve/reference_endpoint.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

// GCC 12 at -O3 inlines asio's recycling allocator into the coroutine frames of a
// concrete-executor awaitable and then sees operator new paired with free: a false positive of
// -Wmismatched-new-delete (asio's frame operator new allocates with malloc-compatible memory).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace konform::record {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
// One event loop per thread, each owning its connections and its share of the recording: an
// exchange never crosses threads, so nothing on the relay path takes a lock. Concrete executor
// types (not any_io_executor) and plain sockets (not beast::tcp_stream's per-operation timers)
// keep the per-exchange cost to the system calls a relay needs.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using TlsStream = net::ssl::stream<Socket>;
template <class T> using Task = net::awaitable<T, Executor>;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable_t<Executor>{});

// A body's bytes, in memory up to the threshold, then in a sealed temporary file (a 60 MB ingest
// body or an hour of a push query does not sit in memory). A spool file that cannot be made or
// written is an error: the exchange cannot be kept (the bytes are not held in memory instead,
// which would make memory unbounded), the relay goes on.
class Spooler {
public:
  Spooler(Body& body, const std::string& dir, std::size_t threshold,
          const std::shared_ptr<const Sealer>& sealer)
      : body_(body), dir_(dir), threshold_(threshold), sealer_(sealer) {}
  ~Spooler() {
    if (fd_ >= 0) ::close(fd_);
  }
  Spooler(const Spooler&) = delete;
  Spooler& operator=(const Spooler&) = delete;

  void append(const char* data, std::size_t n) {
    body_.size += n;
    if (!error_.empty()) return;
    if (fd_ < 0 && body_.bytes.size() + n <= threshold_) {
      body_.bytes.append(data, n);
      return;
    }
    if (fd_ < 0) {
      std::string pattern = dir_ + "/.konform-record-spool-XXXXXX";
      fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
      if (fd_ < 0) {
        fail("cannot create a spool file in " + dir_ + ": " + std::strerror(errno));
        return;
      }
      body_.spool_file = pattern;
      body_.sealer = sealer_;
      body_.nonce = sealer_->next_nonce();
      stream_.emplace(*sealer_, body_.nonce);
      std::string held = std::move(body_.bytes);
      body_.bytes = std::string();
      if (!write_all(held.data(), held.size())) return;
    }
    write_all(data, n);
  }
  // "" while every byte is kept; otherwise why not (naming the file).
  const std::string& error() const { return error_; }

private:
  bool write_all(const char* data, std::size_t n) {
    sealed_.resize(std::min<std::size_t>(n, 1 << 16));
    while (n > 0) {
      std::size_t k = std::min(n, sealed_.size());
      if (!stream_->seal(data, k, sealed_.data())) {
        fail("cannot seal the spool file " + body_.spool_file + " (OpenSSL)");
        return false;
      }
      for (std::size_t done = 0; done < k;) {
        ssize_t w = ::write(fd_, sealed_.data() + done, k - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          fail("cannot write the spool file " + body_.spool_file + ": " +
               (w < 0 ? std::strerror(errno) : "nothing written"));
          return false;
        }
        done += static_cast<std::size_t>(w);
      }
      data += k;
      n -= k;
    }
    return true;
  }
  void fail(std::string why) {
    error_ = std::move(why);
    body_.bytes = std::string();
    if (!body_.spool_file.empty()) ::unlink(body_.spool_file.c_str());
  }
  Body& body_;
  std::string dir_;
  std::size_t threshold_;
  std::shared_ptr<const Sealer> sealer_;
  std::optional<SealedStream> stream_;
  std::vector<char> sealed_;
  int fd_ = -1;
  std::string error_;
};

enum class RelayEnd { done, source_failed, sink_failed };

// Forwards one message from src to dst as it arrives (Beast's relay pattern with buffer_body,
// reading with read_some so that each piece of a slow chunked stream is passed on at once).
using RelayBuffer = std::array<char, 16384>;

template <bool isRequest, class Src, class Dst>
Task<RelayEnd> relay(Src& src, beast::flat_buffer& buffer,
                     bhttp::parser<isRequest, bhttp::buffer_body>& p, Dst& dst, Spooler& spool,
                     RelayBuffer& buf) {
  bhttp::serializer<isRequest, bhttp::buffer_body> sr{p.get()};
  if (p.is_done()) {
    p.get().body().data = nullptr;
    p.get().body().size = 0;
    p.get().body().more = false;
  }
  // When body bytes came in with the head (a small message), the head goes out with the first
  // piece in one write; otherwise at once, so a client sees the head of a slow stream before its
  // first chunk.
  if (p.is_done() || buffer.size() == 0) {
    auto [head_ec, head_n] = co_await bhttp::async_write_header(dst, sr, use_tuple);
    if (head_ec) co_return RelayEnd::sink_failed;
  }
  while (!sr.is_done()) {
    if (!p.is_done()) {
      p.get().body().data = buf.data();
      p.get().body().size = buf.size();
      auto [ec, n] = co_await bhttp::async_read_some(src, buffer, p, use_tuple);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        co_return RelayEnd::source_failed;
      }
      std::size_t got = buf.size() - p.get().body().size;
      spool.append(buf.data(), got);
      // A read that parsed only framing (a chunk header) has no body bytes: nothing to write,
      // and a zero-length piece would go out as the last chunk, ending the stream for the client.
      if (got == 0 && !p.is_done()) continue;
      p.get().body().data = got == 0 ? nullptr : buf.data();
      p.get().body().size = got;
      p.get().body().more = !p.is_done();
    } else {
      p.get().body().data = nullptr;
      p.get().body().size = 0;
      p.get().body().more = false;
    }
    auto [ec, n] = co_await bhttp::async_write(dst, sr, use_tuple);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      co_return RelayEnd::sink_failed;
    }
  }
  co_return RelayEnd::done;
}

struct Session {
  explicit Session(Socket socket) : client(std::move(socket)) {}
  Socket client;
  beast::flat_buffer client_buffer;
  std::optional<Socket> plain;
  std::optional<TlsStream> tls;
  beast::flat_buffer upstream_buffer;
  const http::Url* connected_to = nullptr;
  RelayBuffer relay_buffer; // one per connection, not one per message (the coroutine frame)

  void close_upstream() {
    beast::error_code ec;
    if (plain) plain->close(ec);
    if (tls) tls->next_layer().close(ec);
    plain.reset();
    tls.reset();
    upstream_buffer.clear();
    connected_to = nullptr;
  }
  void close_all() {
    beast::error_code ec;
    client.close(ec);
    if (plain) plain->close(ec);
    if (tls) tls->next_layer().close(ec);
  }
};

// What one thread owns: its connections and its spill file, so an exchange never crosses threads
// and nothing on the relay path takes a lock.
struct Worker {
  Worker(const ProxyOptions& o, const std::shared_ptr<const Sealer>& sealer)
      : spill(o.spool_dir, sealer, o.spill_buffer) {}
  net::io_context ioc{1};
  net::executor_work_guard<Executor> guard{ioc.get_executor()};
  std::set<std::shared_ptr<Session>> sessions;
  SpillWriter spill;
  std::size_t spool_lost = 0; // exchanges whose large body could not be spooled
  std::thread thread;
};

std::string host_header(const http::Url& url) {
  bool default_port = url.port == (url.tls ? 443 : 80);
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return default_port ? host : host + ":" + std::to_string(url.port);
}

// The request again, from what was recorded, for the one retry on a fresh connection (the body is
// whole in memory: the retry is only made then).
bhttp::request<bhttp::string_body> rebuild(const Exchange& ex, const std::string& host) {
  bhttp::request<bhttp::string_body> r;
  r.method_string(ex.method);
  r.target(ex.target);
  r.version(11);
  for (const auto& [name, value] : ex.request_headers)
    r.insert(name, value);
  r.set(bhttp::field::host, host);
  r.body() = ex.request_body.bytes;
  if (!r.chunked()) r.prepare_payload();
  return r;
}

bool is_eof_like(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == bhttp::error::partial_message;
}

} // namespace

struct Proxy::Impl {
  ProxyOptions options;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<net::basic_socket_acceptor<tcp, Executor>> acceptor;
  std::optional<net::basic_waitable_timer<std::chrono::steady_clock,
                                          net::wait_traits<std::chrono::steady_clock>, Executor>>
      duration_timer;
  net::ssl::context ssl_ctx{net::ssl::context::tls_client};
  std::shared_ptr<const Sealer> sealer;
  std::atomic<bool> first_loss{false};
  std::mutex loss_mu;
  std::string loss_reason;
  std::size_t lost = 0; // set by take_exchanges
  bool taken = false;   // take_exchanges ran: the spill files are the caller's now
  http::Url kusto, ksql;
  std::string kusto_host, ksql_host; // the Host header each upstream gets
  std::string url;
  std::atomic<bool> finished{false};
  std::atomic<bool> stopping{false};
  std::atomic<int> running{0};
  std::atomic<std::uint64_t> arrivals{0};
  std::atomic<std::size_t> recorded{0};
  std::atomic<std::size_t> unreachable{0};
  std::atomic<std::size_t> retried{0};

  // Thread-safe: every loop closes its own connections and then ends.
  void begin_stop() {
    if (stopping.exchange(true)) return;
    net::post(workers[0]->ioc, [this] {
      beast::error_code ec;
      acceptor->close(ec);
      duration_timer->cancel();
    });
    for (auto& w : workers)
      net::post(w->ioc, [w = w.get()] {
        for (const auto& s : w->sessions)
          s->close_all();
        w->guard.reset();
      });
  }

  Task<void> accept_loop() {
    std::size_t next = 0;
    for (;;) {
      Worker& w = *workers[next++ % workers.size()];
      auto [ec, socket] = co_await acceptor->async_accept(w.ioc, use_tuple);
      if (stopping || !acceptor->is_open()) co_return;
      if (ec) continue; // out of descriptors, a reset before accept: keep serving the others
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      // Spawned onto its loop: the session registers itself there, on that loop's thread.
      net::co_spawn(w.ioc, session(w, std::make_shared<Session>(std::move(socket))), net::detached);
    }
  }

  // "" when connected; otherwise why not. The connect timeout closes the socket, which ends
  // whatever step was waiting.
  Task<std::string> connect(Worker& w, std::shared_ptr<Session> sp, const http::Url& up) {
    Session& s = *sp;
    if (s.connected_to == &up) co_return std::string();
    s.close_upstream();
    net::ip::basic_resolver<tcp, Executor> resolver(w.ioc);
    auto [rec, results] =
        co_await resolver.async_resolve(up.host, std::to_string(up.port), use_tuple);
    if (rec) co_return rec.message();
    net::basic_waitable_timer<std::chrono::steady_clock,
                              net::wait_traits<std::chrono::steady_clock>, Executor>
        timer(w.ioc);
    timer.expires_after(options.connect_timeout);
    Socket& socket = up.tls ? s.tls.emplace(w.ioc, ssl_ctx).next_layer() : s.plain.emplace(w.ioc);
    timer.async_wait([sp, &socket](beast::error_code e) {
      beast::error_code ignored;
      if (!e) socket.close(ignored);
    });
    auto [cec, ep] = co_await net::async_connect(socket, results, use_tuple);
    if (cec) co_return cec == net::error::operation_aborted ? "connect timed out" : cec.message();
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (up.tls) {
      if (!SSL_set_tlsext_host_name(s.tls->native_handle(), up.host.c_str()))
        co_return std::string("cannot set the TLS server name");
      s.tls->set_verify_callback(net::ssl::host_name_verification(up.host));
      auto [hec] = co_await s.tls->async_handshake(net::ssl::stream_base::client, use_tuple);
      if (hec) co_return "TLS handshake failed: " + hec.message();
    }
    timer.cancel();
    s.connected_to = &up;
    co_return std::string();
  }

  Task<void> bad_gateway(Session& s, const http::Url& up, const std::string& why) {
    ++unreachable;
    bhttp::response<bhttp::string_body> r{bhttp::status::bad_gateway, 11};
    r.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    r.set(bhttp::field::server, "konform-record");
    r.body() = "konform record: the upstream " + up.origin() + " is unreachable: " + why + "\n";
    r.keep_alive(false);
    r.prepare_payload();
    co_await bhttp::async_write(s.client, r, use_tuple);
    if (options.log) options.log("502: the upstream " + up.origin() + " is unreachable: " + why);
  }

  template <class F> Task<RelayEnd> with_upstream(Session& s, F f) {
    if (s.tls) co_return co_await f(*s.tls);
    co_return co_await f(*s.plain);
  }

  template <class Message> Task<beast::error_code> write_upstream(Session& s, Message& m) {
    beast::error_code ec;
    std::size_t n = 0;
    if (s.tls)
      std::tie(ec, n) = co_await bhttp::async_write(*s.tls, m, use_tuple);
    else
      std::tie(ec, n) = co_await bhttp::async_write(*s.plain, m, use_tuple);
    co_return ec;
  }

  Task<beast::error_code> read_response_header(Session& s,
                                               bhttp::response_parser<bhttp::buffer_body>& res) {
    beast::error_code ec;
    std::size_t n = 0;
    if (s.tls)
      std::tie(ec, n) =
          co_await bhttp::async_read_header(*s.tls, s.upstream_buffer, res, use_tuple);
    else
      std::tie(ec, n) =
          co_await bhttp::async_read_header(*s.plain, s.upstream_buffer, res, use_tuple);
    co_return ec;
  }

  // The first loss of the run is reported at once (the proxy keeps forwarding); the count is
  // taken when the recording ends.
  void lost_one(const std::string& why) {
    if (first_loss.exchange(true)) return;
    {
      std::lock_guard lock(loss_mu);
      loss_reason = why;
    }
    if (options.error) options.error(why);
  }

  // True when the exchange is in the spill file (its spool files are then the recording's).
  bool keep(Worker& w, const Exchange& ex, std::uint64_t order, const std::string& request_error,
            const std::string& response_error) {
    if (!request_error.empty() || !response_error.empty()) {
      ++w.spool_lost;
      lost_one(request_error.empty() ? response_error : request_error);
      return false;
    }
    auto st = w.spill.append(ex, order);
    if (!st) lost_one(st.error().message);
    return st.ok();
  }

  Task<void> session(Worker& w, std::shared_ptr<Session> s) {
    w.sessions.insert(s);
    while (!stopping) {
      bhttp::request_parser<bhttp::buffer_body> req;
      req.body_limit(boost::none);
      auto [ec, n] = co_await bhttp::async_read_header(s->client, s->client_buffer, req, use_tuple);
      if (ec) break;
      auto& msg = req.get();
      std::string_view target(msg.target());
      const http::Url& up =
          !ksql.host.empty() && service_of(target) == Service::ksql ? ksql : kusto;
      bool reused = s->connected_to == &up;
      std::string failed;
      if (!reused) failed = co_await connect(w, s, up); // no coroutine frame when kept alive
      if (stopping) break;
      if (!failed.empty()) {
        co_await bad_gateway(*s, up, failed);
        break;
      }
      // The exchange lives in this frame while in flight, then in the thread's spill file.
      std::uint64_t order = arrivals++;
      Exchange ex;
      // An exchange that ends before it is kept (no response, the client went away) leaves no
      // spool file behind.
      struct Unkept {
        Exchange& ex;
        bool kept = false;
        ~Unkept() {
          if (kept) return;
          for (const Body* b : {&ex.request_body, &ex.response_body})
            if (!b->spool_file.empty()) ::unlink(b->spool_file.c_str());
        }
      } unkept{ex};
      ex.method = std::string(msg.method_string());
      ex.target = std::string(target);
      for (const auto& field : msg)
        ex.request_headers.emplace_back(std::string(field.name_string()),
                                        std::string(field.value()));
      bool client_keep_alive = msg.keep_alive();
      bool head = msg.method() == bhttp::verb::head;
      const std::string& host = &up == &ksql ? ksql_host : kusto_host;
      msg.set(bhttp::field::host, host);

      Spooler request_spool(ex.request_body, options.spool_dir, options.spool_threshold, sealer);
      auto sent = co_await with_upstream(*s, [&](auto& upstream) {
        return relay(s->client, s->client_buffer, req, upstream, request_spool, s->relay_buffer);
      });
      if (sent == RelayEnd::source_failed) break; // the client went away mid-request
      // An upstream may close a kept-alive connection while it is idle; the request then fails
      // on the reused connection before any byte of a response. Sent once more on a fresh
      // connection: the upstream never read it. Only when the whole request is in hand.
      bool can_retry = reused && req.is_done() && ex.request_body.spool_file.empty();
      std::optional<bhttp::response_parser<bhttp::buffer_body>> parser;
      auto fresh_parser = [&]() -> bhttp::response_parser<bhttp::buffer_body>& {
        parser.emplace();
        parser->body_limit(boost::none);
        if (head) parser->skip(true);
        return *parser;
      };
      beast::error_code rec;
      if (sent == RelayEnd::done) rec = co_await read_response_header(*s, fresh_parser());
      bool nothing_answered = !parser || (s->upstream_buffer.size() == 0 && !parser->got_some());
      if (can_retry && !stopping &&
          (sent == RelayEnd::sink_failed || (is_eof_like(rec) && nothing_answered))) {
        ++retried;
        s->close_upstream();
        failed = co_await connect(w, s, up);
        if (stopping) break;
        if (!failed.empty()) {
          co_await bad_gateway(*s, up, failed);
          break;
        }
        auto again = rebuild(ex, host);
        rec = co_await write_upstream(*s, again);
        if (rec) {
          sent = RelayEnd::sink_failed;
        } else {
          sent = RelayEnd::done;
          rec = co_await read_response_header(*s, fresh_parser());
        }
      }
      if (sent == RelayEnd::sink_failed) {
        s->close_upstream();
        if (!stopping)
          co_await bad_gateway(*s, up, "the connection broke while sending the request");
        break;
      }
      if (rec) {
        s->close_upstream();
        if (!stopping) co_await bad_gateway(*s, up, "no response: " + rec.message());
        break;
      }
      auto& res = *parser;
      ex.status = static_cast<int>(res.get().result_int());
      for (const auto& field : res.get())
        ex.response_headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
      bool upstream_keep_alive = res.get().keep_alive();
      auto started = std::chrono::steady_clock::now();
      Spooler response_spool(ex.response_body, options.spool_dir, options.spool_threshold, sealer);
      auto received = co_await with_upstream(*s, [&](auto& upstream) {
        return relay(upstream, s->upstream_buffer, res, s->client, response_spool, s->relay_buffer);
      });
      ex.streamed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      ex.truncated = received != RelayEnd::done;
      unkept.kept = keep(w, ex, order, request_spool.error(), response_spool.error());
      std::size_t count = ++recorded;
      if (options.log)
        options.log(ex.method + " " + ex.target.substr(0, ex.target.find('?')) + " → " +
                    std::to_string(ex.status) + (ex.truncated ? " (stream cut)" : ""));
      if (options.max_exchanges > 0 && count >= options.max_exchanges) begin_stop();
      if (received != RelayEnd::done || !upstream_keep_alive) s->close_upstream();
      if (received != RelayEnd::done || !client_keep_alive || !upstream_keep_alive) break;
    }
    beast::error_code ignored;
    s->client.shutdown(tcp::socket::shutdown_both, ignored);
    s->close_all();
    w.sessions.erase(s);
  }
};

Proxy::Proxy() : impl_(std::make_unique<Impl>()) {}

Proxy::~Proxy() {
  stop();
  if (!impl_->taken) // never read back: nothing may stay in the user's folder
    for (auto& w : impl_->workers)
      if (!w->spill.path().empty()) ::unlink(w->spill.path().c_str());
}

Result<std::unique_ptr<Proxy>> Proxy::start(ProxyOptions options) {
  std::unique_ptr<Proxy> proxy(new Proxy());
  Impl& m = *proxy->impl_;
  m.options = std::move(options);
  if (m.options.upstream.empty()) return make_error("no upstream URL: pass --upstream URL");
  auto kusto = http::parse_url(m.options.upstream);
  if (!kusto) return make_error("--upstream " + m.options.upstream + ": " + kusto.error().message);
  m.kusto = *kusto;
  if (!m.options.ksql_upstream.empty()) {
    auto ksql = http::parse_url(m.options.ksql_upstream);
    if (!ksql)
      return make_error("--ksql-upstream " + m.options.ksql_upstream + ": " + ksql.error().message);
    m.ksql = *ksql;
    m.ksql_host = host_header(m.ksql);
  }
  m.kusto_host = host_header(m.kusto);
  if (m.options.insecure) {
    m.ssl_ctx.set_verify_mode(net::ssl::verify_none);
  } else {
    m.ssl_ctx.set_default_verify_paths();
    if (!m.options.ca_file.empty()) {
      boost::system::error_code ec;
      m.ssl_ctx.load_verify_file(m.options.ca_file, ec);
      if (ec) return make_error("--ca-file " + m.options.ca_file + ": " + ec.message());
    }
    m.ssl_ctx.set_verify_mode(net::ssl::verify_peer);
  }
  std::size_t threads = m.options.threads;
  if (threads == 0) threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 16);
  m.sealer = Sealer::make();
  if (!m.sealer) return make_error("cannot make a key to seal the recording's files (OpenSSL)");
  for (std::size_t i = 0; i < threads; ++i)
    m.workers.push_back(std::make_unique<Worker>(m.options, m.sealer));
  auto& first = m.workers[0]->ioc;
  m.acceptor.emplace(first);
  m.duration_timer.emplace(first);
  auto listen = serve::parse_listen(m.options.listen);
  if (!listen) return make_error("--listen: " + listen.error().message);
  beast::error_code ec;
  auto address = net::ip::make_address(listen->first, ec);
  if (ec) return make_error("--listen " + m.options.listen + ": not an IP address");
  tcp::endpoint endpoint(address, listen->second);
  m.acceptor->open(endpoint.protocol(), ec);
  if (!ec) m.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(endpoint, ec);
  if (!ec) m.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return make_error("cannot listen on " + m.options.listen + ": " + ec.message());
  auto bound = m.acceptor->local_endpoint();
  std::string host = bound.address().to_string();
  if (bound.address().is_v6()) host = "[" + host + "]";
  m.url = "http://" + host + ":" + std::to_string(bound.port());

  net::co_spawn(first, m.accept_loop(), net::detached);
  if (m.options.duration.count() > 0) {
    m.duration_timer->expires_after(m.options.duration);
    m.duration_timer->async_wait([&m](beast::error_code e) {
      if (!e) m.begin_stop();
    });
  }
  m.running = static_cast<int>(threads);
  for (auto& w : m.workers)
    w->thread = std::thread([&m, &w = *w] {
      w.ioc.run();
      // Every session has ended: what is left in the buffer goes to the file.
      if (auto st = w.spill.flush(); !st) m.lost_one(st.error().message);
      if (--m.running == 0) m.finished = true;
    });
  return proxy;
}

std::string Proxy::url() const {
  return impl_->url;
}

void Proxy::stop() {
  Impl& m = *impl_;
  if (m.workers.empty() || !m.workers[0]->thread.joinable()) return;
  m.begin_stop();
  for (auto& w : m.workers)
    if (w->thread.joinable()) w->thread.join();
}

bool Proxy::finished() const {
  return impl_->finished;
}

std::vector<Exchange> Proxy::take_exchanges() {
  stop();
  Impl& m = *impl_;
  if (m.taken) return {};
  m.taken = true;
  std::vector<Spilled> all;
  for (auto& w : m.workers) {
    SpillWriter& spill = w->spill;
    m.lost += w->spool_lost + (spill.appended() - spill.kept());
    w->spool_lost = 0;
    if (spill.path().empty()) continue;
    auto read = read_spill(spill.path(), m.sealer, spill.nonce(), spill.kept());
    if (!read) {
      m.lost += spill.kept();
      m.lost_one(read.error().message);
    } else {
      for (auto& e : *read)
        all.push_back(std::move(e));
    }
    if (!read || read->empty()) ::unlink(spill.path().c_str()); // nothing refers to it
  }
  // Correlation needs the exchanges in the order their requests arrived, across threads.
  std::sort(all.begin(), all.end(),
            [](const Spilled& a, const Spilled& b) { return a.order < b.order; });
  std::vector<Exchange> out;
  out.reserve(all.size());
  for (auto& s : all)
    out.push_back(std::move(s.exchange));
  return out;
}

std::size_t Proxy::lost() const {
  return impl_->lost;
}

std::string Proxy::lost_reason() const {
  std::lock_guard lock(impl_->loss_mu);
  return impl_->loss_reason;
}

std::size_t Proxy::unreachable() const {
  return impl_->unreachable;
}

std::size_t Proxy::retried() const {
  return impl_->retried;
}

} // namespace konform::record
