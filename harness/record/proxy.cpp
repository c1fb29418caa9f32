#include "record/proxy.h"

#include "http/url.h"
#include "serve/reference_endpoint.h"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <thread>
#include <unistd.h>

namespace konform::record {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// A body's bytes, in memory up to the threshold, then in a temporary file (a 60 MB ingest body or
// an hour of a push query does not sit in memory).
class Spooler {
public:
  Spooler(Body& body, const std::string& dir, std::size_t threshold)
      : body_(body), dir_(dir), threshold_(threshold) {}
  ~Spooler() {
    if (fd_ >= 0) ::close(fd_);
  }
  Spooler(const Spooler&) = delete;
  Spooler& operator=(const Spooler&) = delete;

  void append(const char* data, std::size_t n) {
    body_.size += n;
    if (fd_ < 0 && (failed_ || body_.bytes.size() + n <= threshold_)) {
      body_.bytes.append(data, n);
      return;
    }
    if (fd_ < 0) {
      std::string pattern = dir_ + "/.konform-record-spool-XXXXXX";
      fd_ = ::mkstemp(pattern.data());
      if (fd_ < 0) { // no room on disk: keep it in memory rather than lose it
        failed_ = true;
        body_.bytes.append(data, n);
        return;
      }
      body_.spool_file = pattern;
      write_all(body_.bytes.data(), body_.bytes.size());
      body_.bytes.clear();
      body_.bytes.shrink_to_fit();
    }
    write_all(data, n);
  }

private:
  void write_all(const char* data, std::size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return; // a short spool file: the conversion reports what it reads back
      data += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  Body& body_;
  std::string dir_;
  std::size_t threshold_;
  int fd_ = -1;
  bool failed_ = false;
};

enum class RelayEnd { done, source_failed, sink_failed };

// Forwards one message from src to dst as it arrives (Beast's relay pattern with buffer_body,
// reading with read_some so that each piece of a slow chunked stream is passed on at once).
using RelayBuffer = std::array<char, 16384>;

template <bool isRequest, class Src, class Dst>
net::awaitable<RelayEnd> relay(Src& src, beast::flat_buffer& buffer,
                               bhttp::parser<isRequest, bhttp::buffer_body>& p, Dst& dst,
                               Spooler& spool, RelayBuffer& buf) {
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
  explicit Session(tcp::socket socket) : client(std::move(socket)) {}
  beast::tcp_stream client;
  beast::flat_buffer client_buffer;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer upstream_buffer;
  const http::Url* connected_to = nullptr;
  RelayBuffer relay_buffer; // one per connection, not one per message (the coroutine frame)

  void close_upstream() {
    beast::error_code ec;
    if (plain) plain->socket().close(ec);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ec);
    plain.reset();
    tls.reset();
    upstream_buffer.clear();
    connected_to = nullptr;
  }
  void close_all() {
    beast::error_code ec;
    client.socket().close(ec);
    if (plain) plain->socket().close(ec);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ec);
  }
};

struct Slot {
  Exchange exchange;
  bool responded = false; // the response head arrived: the exchange is part of the recording
};

std::string host_header(const http::Url& url) {
  bool default_port = url.port == (url.tls ? 443 : 80);
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return default_port ? host : host + ":" + std::to_string(url.port);
}

} // namespace

struct Proxy::Impl {
  ProxyOptions options;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::ssl::context ssl_ctx{net::ssl::context::tls_client};
  net::steady_timer duration_timer{ioc};
  http::Url kusto, ksql;
  std::string url;
  std::thread thread;
  std::atomic<bool> finished{false};
  bool stopping = false;
  std::set<std::shared_ptr<Session>> sessions;
  std::deque<std::shared_ptr<Slot>> slots;
  std::size_t recorded = 0;
  std::atomic<std::size_t> unreachable{0};

  void begin_stop() {
    if (stopping) return;
    stopping = true;
    beast::error_code ec;
    acceptor.close(ec);
    duration_timer.cancel();
    for (const auto& s : sessions)
      s->close_all();
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (stopping || !acceptor.is_open()) co_return;
      if (ec) continue; // out of descriptors, a reset before accept: keep serving the others
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto s = std::make_shared<Session>(std::move(socket));
      sessions.insert(s);
      net::co_spawn(ioc, session(s), net::detached);
    }
  }

  // "" when connected; otherwise why not.
  net::awaitable<std::string> connect(Session& s, const http::Url& up) {
    if (s.connected_to == &up) co_return std::string();
    s.close_upstream();
    tcp::resolver resolver(ioc);
    auto [rec, results] =
        co_await resolver.async_resolve(up.host, std::to_string(up.port), use_tuple);
    if (rec) co_return rec.message();
    beast::error_code ignored;
    if (up.tls) {
      s.tls.emplace(ioc, ssl_ctx);
      auto& layer = beast::get_lowest_layer(*s.tls);
      layer.expires_after(options.connect_timeout);
      auto [cec, ep] = co_await layer.async_connect(results, use_tuple);
      if (cec) co_return cec.message();
      layer.socket().set_option(tcp::no_delay(true), ignored);
      if (!SSL_set_tlsext_host_name(s.tls->native_handle(), up.host.c_str()))
        co_return std::string("cannot set the TLS server name");
      s.tls->set_verify_callback(net::ssl::host_name_verification(up.host));
      auto [hec] = co_await s.tls->async_handshake(net::ssl::stream_base::client, use_tuple);
      if (hec) co_return "TLS handshake failed: " + hec.message();
      layer.expires_never();
    } else {
      s.plain.emplace(ioc);
      s.plain->expires_after(options.connect_timeout);
      auto [cec, ep] = co_await s.plain->async_connect(results, use_tuple);
      if (cec) co_return cec.message();
      s.plain->socket().set_option(tcp::no_delay(true), ignored);
      s.plain->expires_never();
    }
    s.connected_to = &up;
    co_return std::string();
  }

  net::awaitable<void> bad_gateway(Session& s, const http::Url& up, const std::string& why) {
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

  template <class F> net::awaitable<RelayEnd> with_upstream(Session& s, F f) {
    if (s.tls) co_return co_await f(*s.tls);
    co_return co_await f(*s.plain);
  }

  net::awaitable<void> session(std::shared_ptr<Session> s) {
    while (!stopping) {
      bhttp::request_parser<bhttp::buffer_body> req;
      req.body_limit(boost::none);
      auto [ec, n] = co_await bhttp::async_read_header(s->client, s->client_buffer, req, use_tuple);
      if (ec) break;
      auto& msg = req.get();
      std::string target(msg.target());
      const http::Url& up =
          !ksql.host.empty() && service_of(target) == Service::ksql ? ksql : kusto;
      auto failed = co_await connect(*s, up);
      if (stopping) break;
      if (!failed.empty()) {
        co_await bad_gateway(*s, up, failed);
        break;
      }
      auto slot = std::make_shared<Slot>();
      Exchange& ex = slot->exchange;
      ex.method = std::string(msg.method_string());
      ex.target = target;
      for (const auto& field : msg)
        ex.request_headers.emplace_back(std::string(field.name_string()),
                                        std::string(field.value()));
      slots.push_back(slot);
      bool client_keep_alive = msg.keep_alive();
      bool head = msg.method() == bhttp::verb::head;
      msg.set(bhttp::field::host, host_header(up));

      Spooler request_spool(ex.request_body, options.spool_dir, options.spool_threshold);
      auto sent = co_await with_upstream(*s, [&](auto& upstream) {
        return relay(s->client, s->client_buffer, req, upstream, request_spool, s->relay_buffer);
      });
      if (sent == RelayEnd::source_failed) break; // the client went away mid-request
      if (sent == RelayEnd::sink_failed) {
        s->close_upstream();
        if (!stopping)
          co_await bad_gateway(*s, up, "the connection broke while sending the request");
        break;
      }

      bhttp::response_parser<bhttp::buffer_body> res;
      res.body_limit(boost::none);
      if (head) res.skip(true);
      beast::error_code rec;
      if (s->tls)
        std::tie(rec, n) =
            co_await bhttp::async_read_header(*s->tls, s->upstream_buffer, res, use_tuple);
      else
        std::tie(rec, n) =
            co_await bhttp::async_read_header(*s->plain, s->upstream_buffer, res, use_tuple);
      if (rec) {
        s->close_upstream();
        if (!stopping) co_await bad_gateway(*s, up, "no response: " + rec.message());
        break;
      }
      ex.status = static_cast<int>(res.get().result_int());
      for (const auto& field : res.get())
        ex.response_headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
      slot->responded = true;
      bool upstream_keep_alive = res.get().keep_alive();
      auto started = std::chrono::steady_clock::now();
      Spooler response_spool(ex.response_body, options.spool_dir, options.spool_threshold);
      auto received = co_await with_upstream(*s, [&](auto& upstream) {
        return relay(upstream, s->upstream_buffer, res, s->client, response_spool, s->relay_buffer);
      });
      ex.streamed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      ex.truncated = received != RelayEnd::done;
      ++recorded;
      if (options.log)
        options.log(ex.method + " " + ex.target.substr(0, ex.target.find('?')) + " → " +
                    std::to_string(ex.status) + (ex.truncated ? " (stream cut)" : ""));
      if (options.max_exchanges > 0 && recorded >= options.max_exchanges) begin_stop();
      if (received != RelayEnd::done || !upstream_keep_alive) s->close_upstream();
      if (received != RelayEnd::done || !client_keep_alive || !upstream_keep_alive) break;
    }
    beast::error_code ignored;
    s->client.socket().shutdown(tcp::socket::shutdown_both, ignored);
    s->close_all();
    sessions.erase(s);
  }
};

Proxy::Proxy() : impl_(std::make_unique<Impl>()) {}

Proxy::~Proxy() {
  stop();
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
  }
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
  auto listen = serve::parse_listen(m.options.listen);
  if (!listen) return make_error("--listen: " + listen.error().message);
  beast::error_code ec;
  auto address = net::ip::make_address(listen->first, ec);
  if (ec) return make_error("--listen " + m.options.listen + ": not an IP address");
  tcp::endpoint endpoint(address, listen->second);
  m.acceptor.open(endpoint.protocol(), ec);
  if (!ec) m.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(endpoint, ec);
  if (!ec) m.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return make_error("cannot listen on " + m.options.listen + ": " + ec.message());
  auto bound = m.acceptor.local_endpoint();
  std::string host = bound.address().to_string();
  if (bound.address().is_v6()) host = "[" + host + "]";
  m.url = "http://" + host + ":" + std::to_string(bound.port());

  net::co_spawn(m.ioc, m.accept_loop(), net::detached);
  if (m.options.duration.count() > 0) {
    m.duration_timer.expires_after(m.options.duration);
    m.duration_timer.async_wait([&m](beast::error_code e) {
      if (!e) m.begin_stop();
    });
  }
  m.thread = std::thread([&m] {
    m.ioc.run();
    m.finished = true;
  });
  return proxy;
}

std::string Proxy::url() const {
  return impl_->url;
}

void Proxy::stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  net::post(m.ioc, [&m] { m.begin_stop(); });
  m.thread.join();
}

bool Proxy::finished() const {
  return impl_->finished;
}

std::vector<Exchange> Proxy::take_exchanges() {
  stop();
  std::vector<Exchange> out;
  for (auto& slot : impl_->slots)
    if (slot->responded) out.push_back(std::move(slot->exchange));
  impl_->slots.clear();
  return out;
}

std::size_t Proxy::unreachable() const {
  return impl_->unreachable;
}

} // namespace konform::record
