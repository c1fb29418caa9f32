#pragma once
// The HTTP/2 transport of a load thread (--http2), as h2load does: h2c with prior knowledge over
// plain TCP on an http:// URL, HTTP/2 over TLS (ALPN h2) on an https:// one. libnghttp2 does the
// framing, HPACK and flow control; this moves its bytes through the thread's edge-triggered epoll
// set (plain_tcp.h), through OpenSSL on the same non-blocking socket for https (set up as every
// TLS client of the tool is: tls_setup.h, http/connect.h).
//
// h2load's model: -c connections, -m streams each. Every stream slot is a lane of the worker (one
// request outstanding at a time), so the worker's closed and open models, counting and
// validation are the same as over HTTP/1.1; lane i is on connection i / m. A lane's "connect"
// joins its connection's session (opening the connection if it is down), its "close" resets its
// stream. A connection that fails fails the lanes that had a request on it.
#include "http/connect.h"
#include "load/lane.h"
#include "load/plain_tcp.h"
#include "load/tls_setup.h"
#include "load/transport_plain.h"
#include "load/worker.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

namespace konform::load {

template <class Core> class H2Transport {
public:
  struct Lane : LaneBase {
    using LaneBase::LaneBase;
    std::int32_t stream = -1; // the stream of the request outstanding; -1: none
    int status = 0;           // of the current stream's final header block
    bool encoded = false, gzip = false;
    std::size_t body_sent = 0; // of the request body (the data provider's position)
  };
  // A response's receive time is when it is read (no kernel stamp).
  static constexpr bool receive_stamps = false;
  static unsigned lanes_per_connection(const LoadOptions& o) {
    return std::max(1u, o.max_concurrent_streams);
  }

  H2Transport(Core& core, const WorkerConfig& cfg)
      : core_(core), opt_(*cfg.options), per_(lanes_per_connection(*cfg.options)),
        sessions_(cfg.connections), buf_(new char[buf_size]),
        ssl_ctx_(boost::asio::ssl::context::tls_client) {
    if (opt_.origin.tls) {
      configure_tls(ssl_ctx_, opt_);
      // OpenSSL writes to the socket with write(), which raises SIGPIPE on a connection the
      // server closed (the plain path sends with MSG_NOSIGNAL): blocked on this load thread, the
      // write fails with EPIPE instead and the connection is counted and reopened.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    }
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
      sessions_[i].index = static_cast<std::uint32_t>(i);
      sessions_[i].t = this;
    }
    nghttp2_session_callbacks_new(&callbacks_);
    nghttp2_session_callbacks_set_on_header_callback(callbacks_, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks_, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks_, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks_, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks_, on_frame_not_send);
  }
  ~H2Transport() {
    for (auto& s : sessions_)
      drop(s);
    nghttp2_session_callbacks_del(callbacks_);
  }
  H2Transport(const H2Transport&) = delete;
  H2Transport& operator=(const H2Transport&) = delete;

  void arm(Wake w, Clock::time_point at) { d_.arm(w, at); }
  void soon(Wake w) { d_.soon(w); }
  void cancel_timers() { d_.cancel(); }

  void run() {
    run_deadline_loop(core_, d_, [this](Clock::time_point until, Clock::time_point now) {
      flush_dirty(); // what the deadlines just submitted goes out before the wait
      const auto events = epoll_.wait_until(until, now);
      for (const auto& ev : events)
        on(ev);
      join_waiting();
      flush_dirty();
      retire_drained();
      return !events.empty();
    });
  }

  void connect(Lane& c, const boost::asio::ip::tcp::endpoint& ep) {
    Session& s = session_of(c);
    if (s.up && !s.draining) { // joins at once, never from inside this call (EpollTransport)
      waiting_.push_back({c.index, c.generation});
      return;
    }
    // Connecting, or draining after a GOAWAY: the lane joins the next connection when it is up.
    if (s.fd >= 0) return;
    s.ep = ep;
    open(s, c);
  }

  void send(Lane& c, const PreparedStep& step) {
    Session& s = session_of(c);
    nv_.clear();
    for (const auto& [name, value] : step.fields) // the step outlives every stream of the run
      nv_.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                     reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                     value.size(), NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE});
    nghttp2_data_provider body{};
    body.source.ptr = &c;
    body.read_callback = read_body;
    c.body_sent = 0;
    c.status = 0;
    c.encoded = c.gzip = false;
    const auto id = nghttp2_submit_request(s.ng, nullptr, nv_.data(), nv_.size(),
                                           step.body.empty() ? nullptr : &body, &c);
    if (id < 0) return core_.fail(c, &ErrorCounts::write);
    c.stream = id;
    dirty(s);
  }

  // Resets the lane's stream, if one is open; the session stays.
  void close(Lane& c) {
    if (c.stream < 0) return;
    Session& s = session_of(c);
    if (s.ng) {
      nghttp2_session_set_stream_user_data(s.ng, c.stream, nullptr);
      nghttp2_submit_rst_stream(s.ng, NGHTTP2_FLAG_NONE, c.stream, NGHTTP2_CANCEL);
      dirty(s);
    }
    c.stream = -1;
  }

private:
  static constexpr std::size_t buf_size = 64 * 1024;

  struct Session {
    H2Transport* t = nullptr;
    std::uint32_t index = 0;
    std::uint32_t generation = 0; // bumped per connection: edges of older sockets are ignored
    int fd = -1;                  // connecting or up
    nghttp2_session* ng = nullptr;
    boost::asio::ip::tcp::endpoint ep;
    bool up = false;
    bool draining = false; // a GOAWAY came: no new streams; reconnect once the last one ends
    bool hung_up = false;
    SSL* ssl = nullptr;     // https: the TLS connection on fd (handshaking while !up)
    bool dirty = false;     // in dirty_: has frames to write
    std::string out;        // frames nghttp2 produced that the socket has not taken yet
    std::size_t out_at = 0; // how much of `out` was written
  };
  struct Waiting {
    std::uint32_t lane, generation;
  };

  // Starts the session's connection; `c`: the lane that wanted it (it carries a failure).
  void open(Session& s, Lane& c) {
    std::error_code ec;
    s.fd = start_connect(s.ep, ec);
    if (s.fd < 0) return core_.fail(c, &ErrorCounts::connect);
    ++s.generation;
    if (epoll_.add(s.fd, session_token(s))) {
      drop(s);
      return core_.fail(c, &ErrorCounts::connect);
    }
  }

  Session& session_of(const LaneBase& c) { return sessions_[c.index / per_]; }
  static std::uint64_t session_token(const Session& s) {
    return (std::uint64_t{s.index} << 30) | (s.generation & generation_mask);
  }
  void dirty(Session& s) {
    if (s.dirty) return;
    s.dirty = true;
    dirty_.push_back(s.index);
  }

  void on(const epoll_event& ev) {
    Session& s = sessions_[static_cast<std::size_t>(ev.data.u64 >> 30)];
    if (s.fd < 0 || (ev.data.u64 & generation_mask) != (s.generation & generation_mask)) return;
    if (!s.up) return s.ssl ? handshake(s) : connected(s);
    if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) s.hung_up = true;
    if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read(s);
    if (s.fd >= 0 && (ev.events & EPOLLOUT) && s.out_at < s.out.size()) dirty(s);
  }

  void connected(Session& s) {
    if (connect_error(s.fd)) return fail(s, &ErrorCounts::connect, nullptr);
    if (!opt_.origin.tls) return start_session(s);
    s.ssl = SSL_new(ssl_ctx_.native_handle());
    if (!s.ssl || SSL_set_fd(s.ssl, s.fd) != 1 ||
        !http::name_tls_server(s.ssl, opt_.origin.host, opt_.insecure))
      return fail(s, &ErrorCounts::connect, nullptr);
    // The frames nghttp2 produced are kept in `out`, which may grow (move) between a write the
    // socket refused and its retry; a partial write is taken as the plain socket's is.
    SSL_set_mode(s.ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_connect_state(s.ssl);
    handshake(s);
  }

  // Goes on with the TLS handshake at each edge of the socket. The target agreed to h2 before the
  // run (tls_setup.h); one that stops agreeing fails its connects, as a refused certificate does.
  void handshake(Session& s) {
    const int r = SSL_do_handshake(s.ssl);
    if (r == 1) {
      if (!http::agreed_h2(s.ssl)) return fail(s, &ErrorCounts::connect, nullptr);
      start_session(s);
      // Bytes that came with the end of the handshake raise no new edge: read them now.
      if (s.up) read(s);
      return;
    }
    const int e = SSL_get_error(s.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return; // the next edge goes on
    ERR_clear_error(); // the thread's queue: one failure must not show in the next
    fail(s, &ErrorCounts::connect, nullptr);
  }

  void start_session(Session& s) {
    nghttp2_session_client_new(&s.ng, callbacks_, &s);
    // As h2load by default (-w 30 -W 30): windows large enough that flow control never holds a
    // response back; nghttp2 sends the WINDOW_UPDATEs as the DATA is consumed.
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1u << 30) - 1},
    };
    nghttp2_submit_settings(s.ng, NGHTTP2_FLAG_NONE, settings, 2);
    nghttp2_session_set_local_window_size(s.ng, NGHTTP2_FLAG_NONE, 0, (1 << 30) - 1);
    s.up = true;
    dirty(s);
    for (std::uint32_t i = s.index * per_; i < (s.index + 1) * per_; ++i) {
      auto& c = core_.lane(i);
      if (c.state == LaneBase::State::connecting) core_.on_connected(c);
    }
  }

  // Lanes that joined a session that was up: their turn comes after the events.
  void join_waiting() {
    while (!waiting_.empty()) {
      joining_.swap(waiting_);
      for (const auto& w : joining_) {
        auto& c = core_.lane(w.lane);
        if (c.generation == w.generation && c.state == LaneBase::State::connecting &&
            session_of(c).up)
          core_.on_connected(c);
      }
      joining_.clear();
    }
  }

  // One read or write of the connection's bytes: plain, or through TLS.
  IoResult receive(Session& s) {
    if (!s.ssl) {
      timespec received{};
      return recv_some(s.fd, buf_.get(), buf_size, received);
    }
    const int n = SSL_read(s.ssl, buf_.get(), static_cast<int>(buf_size));
    if (n > 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
    return {tls_status(s, n), 0};
  }
  IoResult transmit(Session& s, const char* data, std::size_t size) {
    if (!s.ssl) return send_some(s.fd, data, size);
    const int n = SSL_write(s.ssl, data, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
    if (n > 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
    return {tls_status(s, n), 0};
  }
  static IoResult::Status tls_status(Session& s, int r) {
    switch (SSL_get_error(s.ssl, r)) {
    case SSL_ERROR_WANT_READ:  // a read edge comes, and read() marks the session dirty
    case SSL_ERROR_WANT_WRITE: // a write edge comes
      return IoResult::Status::would_block;
    case SSL_ERROR_ZERO_RETURN: // close_notify
      return IoResult::Status::eof;
    default:
      ERR_clear_error(); // the thread's queue: one failure must not show in the next
      return IoResult::Status::error;
    }
  }

  void read(Session& s) {
    for (;;) {
      const auto r = receive(s);
      if (r.status == IoResult::Status::would_block) return;
      if (r.status == IoResult::Status::eof) return fail(s, &ErrorCounts::read, nullptr);
      if (r.status == IoResult::Status::error) return fail(s, &ErrorCounts::read, nullptr);
      const auto used = nghttp2_session_mem_recv(
          s.ng, reinterpret_cast<const std::uint8_t*>(buf_.get()), r.bytes);
      if (used < 0)
        return fail(s, &ErrorCounts::protocol, nghttp2_strerror(static_cast<int>(used)));
      dirty(s); // WINDOW_UPDATE, SETTINGS ack, the next requests
      // A short plain read emptied the socket; TLS hands out a record at a time, so it reads on
      // until OpenSSL would block.
      if (!s.ssl && r.bytes < buf_size && !s.hung_up) return;
    }
  }

  void flush_dirty() {
    for (std::size_t i = 0; i < dirty_.size(); ++i) { // a flush may fail lanes, which may add
      Session& s = sessions_[dirty_[i]];
      s.dirty = false;
      if (s.up) flush(s);
    }
    dirty_.clear();
  }

  // Everything nghttp2 has to send, in one write where the socket takes it.
  void flush(Session& s) {
    if (s.out_at == s.out.size()) {
      s.out.clear();
      s.out_at = 0;
    }
    for (;;) {
      const std::uint8_t* data = nullptr;
      const auto n = nghttp2_session_mem_send(s.ng, &data);
      if (n < 0) return fail(s, &ErrorCounts::write, nghttp2_strerror(static_cast<int>(n)));
      if (n == 0) break;
      s.out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    while (s.out_at < s.out.size()) {
      const auto r = transmit(s, s.out.data() + s.out_at, s.out.size() - s.out_at);
      if (r.status == IoResult::Status::would_block) return; // the writable edge resumes
      if (r.status != IoResult::Status::ok) return fail(s, &ErrorCounts::write, nullptr);
      s.out_at += r.bytes;
    }
    // GOAWAY from the server, or a fatal error: nothing more to read or write.
    if (!nghttp2_session_want_read(s.ng) && !nghttp2_session_want_write(s.ng))
      fail(s, &ErrorCounts::read, nullptr);
  }

  // Sessions that got a GOAWAY and have no stream left: closed, and reopened for the lanes
  // waiting to join (nginx sends GOAWAY after keepalive_requests, 1000 by default).
  void retire_drained() {
    for (std::size_t i = 0; i < draining_.size();) {
      Session& s = sessions_[draining_[i]];
      bool busy = false;
      for (std::uint32_t l = s.index * per_; l < (s.index + 1) * per_ && !busy; ++l)
        busy = core_.lane(l).state == LaneBase::State::busy;
      if (busy && s.draining && s.fd >= 0) {
        ++i;
        continue;
      }
      draining_[i] = draining_.back();
      draining_.pop_back();
      if (!s.draining) continue; // failed meanwhile
      drop(s);
      for (std::uint32_t l = s.index * per_; l < (s.index + 1) * per_; ++l) {
        auto& c = core_.lane(l);
        if (c.state == LaneBase::State::idle) {
          core_.peer_closed_idle(c); // joins the next connection
        } else if (c.state == LaneBase::State::connecting && s.fd < 0) {
          open(s, c);
        }
      }
    }
  }

  void drop(Session& s) {
    if (s.ng) nghttp2_session_del(s.ng);
    s.ng = nullptr;
    if (s.ssl) SSL_free(s.ssl); // no close_notify: the connection is dropped, as over TCP
    s.ssl = nullptr;
    if (s.fd >= 0) ::close(s.fd); // also leaves the epoll set
    s.fd = -1;
    s.up = s.hung_up = s.draining = false;
    s.out.clear();
    s.out_at = 0;
    ++s.generation;
  }

  // The connection is gone: requests outstanding on it failed (`why`: a protocol error's text);
  // idle lanes reconnect without an error, as a keep-alive connection the server closed.
  void fail(Session& s, std::uint64_t ErrorCounts::*category, const char* why) {
    drop(s);
    bool counted = false; // a failed connect is one error, not one per stream slot
    for (std::uint32_t i = s.index * per_; i < (s.index + 1) * per_; ++i) {
      auto& c = core_.lane(i);
      c.stream = -1;
      if ((c.state == LaneBase::State::idle || c.state == LaneBase::State::connecting) &&
          category != &ErrorCounts::connect) {
        core_.peer_closed_idle(c); // had nothing outstanding here: reconnects, no error
      } else if (c.state == LaneBase::State::connecting && category == &ErrorCounts::connect &&
                 counted) {
        core_.retry_later(c);
      } else if (c.state != LaneBase::State::down) {
        counted |= c.state == LaneBase::State::connecting;
        if (why)
          core_.malformed(c, why);
        else
          core_.fail(c, category);
      }
    }
  }

  // ---- nghttp2 callbacks (user_data: the Session) ----
  static Lane* lane_of(nghttp2_session* ng, std::int32_t stream) {
    auto* c = static_cast<Lane*>(nghttp2_session_get_stream_user_data(ng, stream));
    return c && c->stream == stream ? c : nullptr;
  }

  static int on_header(nghttp2_session* ng, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void*) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    Lane* c = lane_of(ng, frame->hd.stream_id);
    if (!c) return 0;
    const std::string_view n(reinterpret_cast<const char*>(name), namelen);
    const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status") {
      int status = 0;
      for (char ch : v)
        status = status * 10 + (ch - '0'); // nghttp2 checked: three digits
      c->status = status;
    } else if (n == "content-encoding" && v != "identity") {
      c->encoded = true;
      c->gzip = v == "gzip" || v == "x-gzip";
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session* ng, const nghttp2_frame* frame, void* user) {
    auto& s = *static_cast<Session*>(user);
    if (frame->hd.type == NGHTTP2_GOAWAY && !s.draining) {
      s.draining = true;
      s.t->draining_.push_back(s.index);
    }
    Lane* c = frame->hd.stream_id > 0 ? lane_of(ng, frame->hd.stream_id) : nullptr;
    if (!c) return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && c->status >= 200 &&
        frame->headers.cat == NGHTTP2_HCAT_RESPONSE)
      s.t->core_.stream_head(*c, c->status, frame->hd.length + 9, c->encoded, c->gzip);
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && c->status >= 200) {
      nghttp2_session_set_stream_user_data(ng, c->stream, nullptr);
      c->stream = -1; // the lane may take its next request on a new stream at once
      s.t->core_.stream_end(*c);
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* ng, std::uint8_t, std::int32_t stream,
                           const std::uint8_t* data, std::size_t len, void* user) {
    auto& s = *static_cast<Session*>(user);
    if (Lane* c = lane_of(ng, stream))
      s.t->core_.stream_data(*c, reinterpret_cast<const char*>(data), len);
    return 0;
  }

  // A stream that closed before its response ended: the server reset it.
  static int on_stream_close(nghttp2_session* ng, std::int32_t stream, std::uint32_t error_code,
                             void* user) {
    auto& s = *static_cast<Session*>(user);
    Lane* c = lane_of(ng, stream);
    if (!c) return 0;
    c->stream = -1;
    if (c->state != LaneBase::State::busy) return 0;
    // Refused unprocessed (beyond a GOAWAY's last stream id, or REFUSED_STREAM): safe to retry.
    if (error_code == NGHTTP2_REFUSED_STREAM) {
      s.t->core_.refused(*c);
      return 0;
    }
    s.t->core_.malformed(*c, "the server reset the stream before the response ended");
    return 0;
  }

  // A request nghttp2 did not send (a GOAWAY came first): it never reached the server, so it
  // goes out again on the next connection. No stream exists for it: the lane is found by id.
  static int on_frame_not_send(nghttp2_session*, const nghttp2_frame* frame, int, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    auto& s = *static_cast<Session*>(user);
    auto& t = *s.t;
    for (std::uint32_t i = s.index * t.per_; i < (s.index + 1) * t.per_; ++i) {
      auto& c = t.core_.lane(i);
      if (c.stream != frame->hd.stream_id) continue;
      c.stream = -1;
      t.core_.refused(c);
      break;
    }
    return 0;
  }

  static ssize_t read_body(nghttp2_session* ng, std::int32_t, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void* user) {
    (void)ng;
    auto& s = *static_cast<Session*>(user);
    auto& c = *static_cast<Lane*>(source->ptr);
    const std::string& body = s.t->core_.step_of(c).body;
    const auto n = std::min(length, body.size() - c.body_sent);
    std::memcpy(buf, body.data() + c.body_sent, n);
    c.body_sent += n;
    if (c.body_sent == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  Core& core_;
  const LoadOptions& opt_;
  const unsigned per_; // lanes (streams) per connection
  std::vector<Session> sessions_;
  std::unique_ptr<char[]> buf_;
  nghttp2_session_callbacks* callbacks_ = nullptr;
  std::vector<nghttp2_nv> nv_;
  std::vector<std::uint32_t> dirty_;
  std::vector<std::uint32_t> draining_; // sessions that got a GOAWAY
  std::vector<Waiting> waiting_, joining_;
  Deadlines d_;
  EpollSet epoll_;
  boost::asio::ssl::context ssl_ctx_; // https: the thread's TLS client context
};

} // namespace konform::load
