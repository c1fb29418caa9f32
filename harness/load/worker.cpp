#include "load/worker.h"

#include "core/gzip.h"
#include "load/coalesce.h"
#include "load/plain_tcp.h"
#include "load/response_parser.h"
#include "load/uring.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <sys/prctl.h>
#include <unistd.h>

namespace konform::load {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr std::size_t read_buffer_size = 16 * 1024;
constexpr std::size_t pending_capacity = 1 << 16; // queued open-model sends per thread
constexpr auto tick_period = std::chrono::milliseconds(10);
constexpr auto reconnect_backoff = std::chrono::milliseconds(100);
constexpr std::int64_t late_threshold_us = 1000;
// Open model: how early the slot timer fires, and how close a send must be to spin for it. Waking
// an idle (virtual) CPU from the timer took 40-200 µs at p99 on the 2-core bench machine; firing
// 60 µs early and spinning the rest brought the p99 schedule lag from 120 µs to ~20 µs at
// 10k req/s. A send further away than spin_window sleeps on the timer, so the spin costs at most
// spin_window of CPU per send and nothing at low rates beyond that.
constexpr auto wake_early = std::chrono::microseconds(60);
constexpr auto spin_window = std::chrono::microseconds(60);

std::int64_t micros(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

class Worker;

// One https connection attempt: its own socket under its own TLS stream. Every handler holds it,
// so closing a connection never frees a stream under an operation still in flight (an SSL
// operation whose write already completed goes on reading), and that operation can only touch
// its own closed socket, never the connection's next one.
struct TlsSession {
  TlsSession(net::io_context& ctx, ssl::context& ssl) : sock(ctx), stream(sock, ssl) {}
  tcp::socket sock;
  ssl::stream<tcp::socket&> stream;
};

struct Connection {
  explicit Connection(std::uint32_t i) : index(i), buf(new char[read_buffer_size]) {}
  enum class State { down, connecting, idle, busy };

  std::uint32_t index;             // in the worker's conns_
  std::shared_ptr<TlsSession> tls; // https
  int fd = -1;                     // http: a non-blocking socket in the epoll set or io_uring
  std::string_view unsent;         // http: the part of the request the socket buffer has not taken
  bool readable = false;           // http: an edge came that no read has answered yet
  bool hung_up = false;            // http: the peer closed or reset: every later read must see it
  State state = State::down;
  std::uint32_t generation = 0; // bumped on close: completions of older operations are ignored
  Clock::time_point retry_at{};
  Clock::time_point connect_started{};
  ResponseParser parser;
  std::unique_ptr<char[]> buf;
  std::size_t step = 0;
  Clock::time_point intended{}, sent{}, first_body{};
  timespec received{}; // http: when the kernel received the bytes of the last read (coalesce.h)
  bool have_first_body = false;
  bool measured = false;
  bool capturing = false;
  std::string capture;
};

struct PendingSend {
  std::uint64_t slot;
  Clock::time_point intended;
};

class Worker {
public:
  Worker(const WorkerConfig& cfg, Collector& collector)
      : cfg_(cfg), opt_(*cfg.options), steps_(*cfg.steps), collector_(collector),
        // Only this thread ever touches the io_context: no locking in scheduler or reactor.
        ctx_(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE), timers_{net::steady_timer(ctx_),
                                                          net::steady_timer(ctx_),
                                                          net::steady_timer(ctx_)},
        schedule_(opt_.rate, opt_.shard, cfg.threads, cfg.index, weighted_cycle(opt_.steps)),
        cur_(steps_.size()), pending_(pending_capacity) {
    open_ = opt_.rate > 0;
    if (opt_.max_in_flight > 0)
      max_in_flight_ = std::max<std::uint64_t>(1, opt_.max_in_flight / cfg.threads);
    if (opt_.origin.tls) {
      ssl_ = std::make_unique<ssl::context>(ssl::context::tls_client);
      if (opt_.insecure) {
        ssl_->set_verify_mode(ssl::verify_none);
      } else {
        ssl_->set_default_verify_paths();
        if (!opt_.ca_file.empty()) {
          error_code ignored;
          ssl_->load_verify_file(opt_.ca_file, ignored);
        }
        ssl_->set_verify_mode(ssl::verify_peer);
      }
    } else {
      plain_ = true;
      if (cfg.use_uring) {
        std::error_code ignored; // the engine probed it; should this thread be refused, epoll
        uring_ = Uring::open(256, ignored);
      }
      if (!uring_) epoll_.emplace();
    }
    due_.fill(Clock::time_point::max());
    for (unsigned i = 0; i < cfg.connections; ++i)
      conns_.push_back(std::make_unique<Connection>(i));
    idle_.reserve(conns_.size());
  }

  void run() {
    if (open_) { // connect now: the connections are ready when the first slot is due
      connect_all();
      arm(wake_slot, cfg_.start + schedule_.offset_of(schedule_.slot(0)) - wake_early);
    } else { // closed: the first request of every connection goes out at the start
      arm(wake_start, cfg_.start);
    }
    arm(wake_tick, Clock::now() + tick_period);
    if (plain_)
      run_plain();
    else
      ctx_.run();
    publish_interval();
    collector_.finish(cfg_.index, std::move(examples_), std::move(malformed_examples_));
  }

private:
  // ---- timers: Asio's on the https path, deadlines of the epoll loop on the http path ----
  enum Wake : std::size_t { wake_start, wake_tick, wake_slot, wake_count };

  void arm(Wake w, Clock::time_point at) {
    if (plain_) {
      due_[w] = at;
      return;
    }
    timers_[w].expires_at(at);
    timers_[w].async_wait([this, w](error_code ec) {
      if (!ec) fire(w);
    });
  }

  // Runs `w` as soon as the I/O that is ready now has been handled.
  void soon(Wake w) {
    if (plain_) {
      due_[w] = Clock::time_point::min();
      return;
    }
    net::post(ctx_, [this, w] { fire(w); });
  }

  void cancel_timers() {
    for (auto& t : timers_)
      t.cancel();
    due_.fill(Clock::time_point::max());
  }

  void fire(Wake w) {
    switch (w) {
    case wake_start:
      return connect_all();
    case wake_tick:
      return on_tick();
    case wake_slot:
      return on_slot_timer();
    default:
      return;
    }
  }

  // Fires the deadlines that have passed; true when one did. A due send goes first: the
  // housekeeping tick (timeouts, the once-a-second interval hand-over) waits for it.
  bool fire_due(Clock::time_point now) {
    bool fired = false;
    for (const Wake w : {wake_slot, wake_start, wake_tick}) {
      if (due_[w] > now) continue;
      due_[w] = Clock::time_point::max();
      fire(w);
      fired = true;
    }
    return fired;
  }

  // ---- the http path's event loop: due deadlines, then the sockets' edges or completions ----
  // Closed model with enough requests outstanding (coalesce.h): nap, then read every response
  // that came meanwhile with one poll, even when some were ready before the nap (each poll is a
  // system call; one per batch instead of one per few responses). A nap that found nothing is
  // not repeated before the next event, so an idle or slow server costs one extra wake-up, not a
  // wake-up per nap. On io_uring (uring.h) the same poll also submits the sends queued since.
  void run_plain() {
    constexpr auto none = Clock::duration::zero();
    bool idle_nap = false; // the last nap found nothing
    while (!finished_) {
      auto now = Clock::now();
      if (fire_due(now)) now = Clock::now();
      if (finished_) return;
      const auto next = *std::min_element(due_.begin(), due_.end());
      const auto nap = idle_nap || open_ ? none : opt_.coalesce.nap(busy_, completion_gap_);
      if (nap > none) {
        sleep_until(std::min(next, now + nap));
        now = Clock::now();
      }
      const auto until = nap > none ? now : next;
      const bool any =
          uring_ ? handle(uring_->wait_until(until, now)) : handle(epoll_->wait_until(until, now));
      idle_nap = nap > none && !any;
    }
  }

  template <typename Happened> bool handle(std::span<const Happened> happened) {
    for (const auto& h : happened) {
      on(h);
      // Open model: a send that fell due while this batch (up to 64 responses) is handled goes
      // out now, not after the rest of the batch; the responses keep their kernel receive stamps.
      if (open_ && due_[wake_slot] <= Clock::now()) {
        due_[wake_slot] = Clock::time_point::max();
        on_slot_timer();
      }
    }
    return !happened.empty();
  }

  void on(const Uring::Completion& done) {
    Connection& c = *conns_[static_cast<std::size_t>(done.token >> 30)];
    const bool current = (done.token & generation_mask) == (c.generation & generation_mask);
    switch (done.op) {
    case Uring::Op::connect:
      if (!current || c.state != Connection::State::connecting) return;
      if (done.result < 0) return fail(c, &ErrorCounts::connect);
      return on_connected(c);
    case Uring::Op::send:
      if (!current || c.unsent.empty()) return;
      if (done.result < 0) return fail(c, &ErrorCounts::write);
      c.unsent.remove_prefix(
          std::min<std::size_t>(static_cast<std::size_t>(done.result), c.unsent.size()));
      if (!c.unsent.empty()) uring_->send(c.fd, c.unsent.data(), c.unsent.size(), token(c));
      return;
    case Uring::Op::recv:
      on_received(c, current, done);
      if (done.buffer >= 0) uring_->recycle(done.buffer);
      return;
    case Uring::Op::cancel:
      return;
    }
  }

  void on_received(Connection& c, bool current, const Uring::Completion& done) {
    if (!current || c.fd < 0) return; // a read of a connection closed since
    if (done.result == -ENOBUFS) {    // the buffers come back as this batch is read
      if (!done.more) uring_->recv(c.fd, token(c));
      return;
    }
    if (done.result < 0) return fail(c, &ErrorCounts::read);
    const auto got = uring_->read(done);
    if (got.size == 0) { // the peer closed
      if (c.state == Connection::State::busy) return on_eof(c);
      close(c); // an idle keep-alive connection the server let go: not an error
      if (!finished_ && !sending_done_) connect(c);
      return;
    }
    if (!done.more) uring_->recv(c.fd, token(c)); // the multishot read ended: read on
    if (c.state != Connection::State::busy)       // bytes nobody asked for: the framing is broken
      return malformed(c, "bytes arrived while no request was outstanding");
    c.received = got.stamp;
    consume(c, got.data, got.size);
  }

  // Tokens carry the connection and the low 30 bits of its generation (uring.h keeps 62 bits).
  static constexpr std::uint32_t generation_mask = (1u << 30) - 1;
  static std::uint64_t token(const Connection& c) {
    return (std::uint64_t{c.index} << 30) | (c.generation & generation_mask);
  }

  void on(const epoll_event& ev) {
    Connection& c = *conns_[static_cast<std::size_t>(ev.data.u64 >> 30)];
    if ((ev.data.u64 & generation_mask) != (c.generation & generation_mask))
      return; // a closed socket's
    if (c.state == Connection::State::connecting) return on_connected(c);
    if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.hung_up = true;
    if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.readable = true;
    if (!c.unsent.empty()) { // the read follows the write
      if (ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) write_plain(c);
      return;
    }
    if (c.readable && c.state == Connection::State::busy) read_plain(c);
  }

  // ---- connections ----
  void connect_all() {
    for (auto& c : conns_)
      connect(*c);
  }

  void connect(Connection& c) {
    close(c);
    c.state = Connection::State::connecting;
    c.connect_started = Clock::now();
    const auto& ep = cfg_.endpoints[(cfg_.index + reconnects_++) % cfg_.endpoints.size()];
    if (plain_) return connect_plain(c, ep);
    const auto gen = c.generation;
    auto tls = c.tls = std::make_shared<TlsSession>(ctx_, *ssl_);
    tls->sock.async_connect(ep, [this, &c, gen, tls](error_code ec) {
      if (gen != c.generation) return;
      if (ec) return fail(c, &ErrorCounts::connect);
      error_code ignored;
      tls->sock.set_option(tcp::no_delay(true), ignored);
      if (!SSL_set_tlsext_host_name(tls->stream.native_handle(), opt_.origin.host.c_str()))
        return fail(c, &ErrorCounts::connect);
      if (!opt_.insecure)
        tls->stream.set_verify_callback(ssl::host_name_verification(opt_.origin.host));
      tls->stream.async_handshake(ssl::stream_base::client, [this, &c, gen, tls](error_code hec) {
        if (gen != c.generation) return;
        if (hec) return fail(c, &ErrorCounts::connect);
        ready(c);
      });
    });
  }

  // The outcome comes as the socket's first edge (on_connected), never from inside this call: a
  // send from here that fails reconnects from here, and a server that accepts and resets at once
  // would make that recursion unbounded.
  void connect_plain(Connection& c, const tcp::endpoint& ep) {
    std::error_code ec;
    c.fd = start_connect(ep, ec);
    if (c.fd < 0) return fail(c, &ErrorCounts::connect);
    if (uring_) return uring_->connect_done(c.fd, token(c));
    if (epoll_->add(c.fd, token(c))) return fail(c, &ErrorCounts::connect);
  }

  void on_connected(Connection& c) {
    if (connect_error(c.fd)) return fail(c, &ErrorCounts::connect);
    if (uring_) uring_->recv(c.fd, token(c)); // armed before the first request goes out
    ready(c);
  }

  void close(Connection& c) {
    ++c.generation;
    if (c.tls) { // cancels its operations; their handlers still hold the session
      error_code ignored;
      c.tls->sock.close(ignored);
      c.tls.reset();
    }
    if (c.fd >= 0) {
      if (uring_) uring_->cancel_all(c.fd); // its reads hold the socket open until cancelled
      ::close(c.fd);                        // also leaves the epoll set
    }
    c.fd = -1;
    c.unsent = {};
    c.readable = false;
    c.hung_up = false;
    c.state = Connection::State::down;
  }

  void ready(Connection& c) {
    c.state = Connection::State::idle;
    give_work(c, Clock::now());
  }

  // A failed connect, write, read or timeout: count it, drop the connection, reconnect.
  void fail(Connection& c, std::uint64_t ErrorCounts::*category) {
    const auto now = Clock::now();
    const bool was_busy = c.state == Connection::State::busy;
    if (was_busy) {
      --busy_;
      if (c.measured) {
        count(cur_.counters.errors, category);
        count(cur_.steps[c.step].counters.errors, category);
      }
    } else if (now >= cfg_.measure_start) {
      count(cur_.counters.errors, category);
    }
    close(c);
    if (finished_) return;
    // Refused connects back off so a dead target does not spin the CPU; others retry at once.
    if (category == &ErrorCounts::connect) {
      c.retry_at = now + reconnect_backoff;
    } else {
      connect(c);
    }
    maybe_finish();
  }

  static void count(ErrorCounts& e, std::uint64_t ErrorCounts::*category) {
    ++(e.*category);
    if (category == &ErrorCounts::protocol) ++e.malformed; // without a response: see result.h
  }

  // What came was no HTTP response: a protocol error without a response (it counts as one
  // failed attempt), and the first few say what was wrong, for the report.
  void malformed(Connection& c, const char* why) {
    const bool counted =
        c.state == Connection::State::busy ? c.measured : Clock::now() >= cfg_.measure_start;
    if (counted && malformed_examples_.size() < 5) { // distinct ones: a few allocations at most
      auto example = steps_[c.step].name + ": " + why;
      if (std::find(malformed_examples_.begin(), malformed_examples_.end(), example) ==
          malformed_examples_.end())
        malformed_examples_.push_back(std::move(example));
    }
    fail(c, &ErrorCounts::protocol);
  }

  // ---- sending ----
  bool closed_model_has_more(Clock::time_point now) const {
    if (stopping_) return false;
    if (cfg_.total_slots > 0) return schedule_.slot(next_j_) < cfg_.total_slots;
    return now < cfg_.deadline;
  }

  // `now`: when the connection became free (a clock read costs as much as the rest of a send's
  // bookkeeping, so the caller's is reused).
  void give_work(Connection& c, Clock::time_point now) {
    if (open_) {
      if (pending_count_ > 0) {
        const auto p = pending_[pending_head_];
        pending_head_ = (pending_head_ + 1) % pending_.size();
        --pending_count_;
        return send(c, p.slot, p.intended, now);
      }
      idle_.push_back(&c);
      return maybe_finish();
    }
    if (!closed_model_has_more(now)) {
      sending_done_ = true;
      idle_.push_back(&c);
      return maybe_finish();
    }
    send(c, schedule_.slot(next_j_++), now, now); // closed: corrected == uncorrected
  }

  void send(Connection& c, std::uint64_t slot, Clock::time_point intended, Clock::time_point now) {
    c.step = schedule_.step_of(slot);
    const PreparedStep& s = steps_[c.step];
    c.sent = now;
    c.intended = intended;
    c.measured = intended >= cfg_.measure_start;
    c.capturing = opt_.validate && c.measured && (++validate_counter_ % opt_.validate_every == 0);
    if (c.capturing) c.capture.clear();
    c.parser.reset(s.head, c.capturing ? &c.capture : nullptr);
    c.parser.count_rows(s.streaming);
    c.have_first_body = false;
    c.received = {};
    c.state = Connection::State::busy;
    ++busy_;
    if (c.measured) {
      ++cur_.sent;
      if (open_) {
        const auto lag = micros(c.sent - intended);
        cur_.lag.record(lag);
        if (lag > late_threshold_us) ++cur_.late;
      }
    }
    const auto gen = c.generation;
    if (c.tls) {
      net::async_write(c.tls->stream, net::buffer(s.wire),
                       [this, &c, gen, tls = c.tls](error_code ec, std::size_t) {
                         if (gen != c.generation) return;
                         if (ec) return fail(c, &ErrorCounts::write);
                         read_tls(c);
                       });
      return;
    }
    // Plain TCP: write at once on the non-blocking socket (the socket buffer takes a small
    // request whole); the response is read when its edge comes.
    c.unsent = s.wire;
    if (uring_) return uring_->send(c.fd, c.unsent.data(), c.unsent.size(), token(c));
    write_plain(c);
  }

  // Writes what the socket takes of the request (a writable edge resumes the rest); once all of
  // it is out, reads at once if an edge came in the meantime.
  void write_plain(Connection& c) {
    while (!c.unsent.empty()) {
      const auto r = send_some(c.fd, c.unsent.data(), c.unsent.size());
      if (r.status == IoResult::Status::would_block) return;
      if (r.status != IoResult::Status::ok) return fail(c, &ErrorCounts::write);
      c.unsent.remove_prefix(r.bytes);
    }
    if (c.readable) read_plain(c);
  }

  // ---- receiving ----
  // Only after an edge: a recv that fills less than the buffer emptied the socket, and whatever
  // arrives later brings a new edge, so no recv ends in EAGAIN in the common case. A FIN that
  // came with the last bytes brings no edge of its own, so after a hang-up the socket stays
  // readable: the next request's read sees the EOF at once, as a blocking client would.
  void read_plain(Connection& c) {
    c.readable = c.hung_up;
    for (;;) {
      timespec received{};
      const auto r = recv_some(c.fd, c.buf.get(), read_buffer_size, received);
      if (r.status == IoResult::Status::would_block) return;
      if (r.status == IoResult::Status::eof) return on_eof(c);
      if (r.status == IoResult::Status::error) return fail(c, &ErrorCounts::read);
      c.received = received;
      if (!consume(c, c.buf.get(), r.bytes)) return;
      // A short read emptied the socket, unless the peer hung up: then the FIN may have come
      // with these bytes and brings no edge of its own, so read on to the EOF (a close in the
      // middle of a response is a read error, not a wait for --timeout).
      if (r.bytes < read_buffer_size && !c.hung_up) return;
    }
  }

  void read_tls(Connection& c) {
    const auto gen = c.generation;
    c.tls->stream.async_read_some(net::buffer(c.buf.get(), read_buffer_size),
                                  [this, &c, gen, tls = c.tls](error_code ec, std::size_t n) {
                                    if (gen != c.generation) return;
                                    if (ec == net::error::eof || ec == ssl::error::stream_truncated)
                                      return on_eof(c);
                                    if (ec) return fail(c, &ErrorCounts::read);
                                    if (consume(c, c.buf.get(), n)) read_tls(c);
                                  });
  }

  void on_eof(Connection& c) {
    c.parser.on_eof();
    if (c.parser.done()) return complete(c, /*reuse=*/false);
    fail(c, &ErrorCounts::read);
  }

  // Feeds bytes to the parser; true when the response needs more.
  bool consume(Connection& c, const char* data, std::size_t n) {
    const auto used = c.parser.feed(data, n);
    // Only a stream's latency ends at its first row (record()).
    if (!c.have_first_body && steps_[c.step].streaming && c.parser.body_bytes() > 0) {
      c.first_body = receive_clock_.to_steady(c.received, c.sent, Clock::now());
      c.have_first_body = true;
    }
    if (c.parser.failed()) {
      malformed(c, c.parser.error());
      return false;
    }
    if (c.parser.done()) {
      // Bytes after the response without a request for them: the server broke the framing (the
      // response counts, as a failed one).
      const bool trailing = used < n;
      if (trailing && c.measured) {
        ++cur_.counters.errors.protocol;
        ++cur_.steps[c.step].counters.errors.protocol;
      }
      complete(c, !trailing && c.parser.keep_alive(), trailing);
      return false;
    }
    return true;
  }

  // `broken`: the response came with bytes after it (already counted as a protocol error).
  void complete(Connection& c, bool reuse, bool broken = false) {
    const auto now = Clock::now();
    --busy_;
    ++completions_;
    if (c.measured) record(c, receive_clock_.to_steady(c.received, c.sent, now), now, broken);
    if (!reuse) {
      close(c);
      if (!finished_) connect(c);
      return maybe_finish();
    }
    c.state = Connection::State::idle;
    give_work(c, now);
  }

  // `arrived`: when the kernel received the end of the response (on https: `now`).
  void record(Connection& c, Clock::time_point arrived, Clock::time_point now, bool broken) {
    const PreparedStep& s = steps_[c.step];
    StepData& sd = cur_.steps[c.step];
    // A stream never "ends": its latency is the time to the first row.
    const auto end = s.streaming ? (c.have_first_body ? c.first_body : now) : arrived;
    const auto corrected = micros(end - c.intended);
    const auto uncorrected = micros(end - c.sent);
    cur_.corrected.record(corrected);
    cur_.uncorrected.record(uncorrected);
    sd.corrected.record(corrected);
    sd.uncorrected.record(uncorrected);
    const auto bytes = c.parser.header_bytes() + c.parser.body_bytes();
    const auto status = static_cast<std::size_t>(std::clamp(c.parser.status(), 0, 599));
    // A failed response counts once in the error rate, whichever categories it is in.
    const bool violated = c.capturing && validate(c, sd, s);
    const bool failed = status >= 400 || broken || violated;
    for (HotCounters* hc : {&cur_.counters, &sd.counters}) {
      ++hc->requests;
      hc->bytes += bytes;
      ++hc->status[status];
      if (status >= 400) ++hc->errors.status;
      if (failed) ++hc->errors.failed_responses;
    }
    if (s.streaming) {
      ++sd.streams;
      sd.rows += c.parser.body_rows();
      sd.stream_seconds += std::chrono::duration<double>(now - c.sent).count();
      if (c.have_first_body) sd.time_to_first_row.record(micros(c.first_body - c.sent));
    }
  }

  // True when the sampled response breaks the protocol (counted in note_violation).
  bool validate(Connection& c, StepData& sd, const PreparedStep& s) {
    // Longer than the validators read (the capture stopped at its cap): not sampled.
    if (c.parser.capture_truncated()) return false;
    std::string decoded;
    std::string_view body = c.capture;
    if (c.parser.encoded()) {
      auto d = gzip::decompress(c.capture,
                                c.parser.gzip() ? gzip::Format::gzip : gzip::Format::zlib_deflate,
                                std::size_t(64) << 20);
      if (!d) {
        note_violation(sd, s.name + ": content-encoding: " + d.error().message);
        return true;
      }
      decoded = std::move(*d);
      body = decoded;
    }
    auto kind = s.kind ? s.kind : protocol::detect_kind(body);
    if (!kind) kind = protocol::Kind::text;
    protocol::Exchange ex;
    ex.status = c.parser.status();
    ex.request_accept = s.accept;
    ++cur_.validated;
    for (const auto& f : protocol::validate(*kind, body, ex)) {
      if (f.level == protocol::Level::violation) {
        note_violation(sd, s.name + ": " + f.rule + " at " + (f.path.empty() ? "HTTP" : f.path) +
                               ": " + f.message);
        return true;
      }
    }
    return false;
  }

  void note_violation(StepData& sd, std::string example) {
    ++cur_.violations;
    ++cur_.counters.errors.protocol;
    ++sd.counters.errors.protocol;
    if (examples_.size() < 5) examples_.push_back(std::move(example));
  }

  // ---- open model ----
  // The timer wakes the thread wake_early before a send is due (waking an idle CPU takes tens of
  // µs); the last stretch before the send is covered by re-posting this handler, so the reactor
  // keeps polling I/O (epoll_wait with a zero timeout) between the clock checks. The spin is
  // bounded: it only runs when the next send is at most spin_window away.
  void on_slot_timer() {
    if (finished_) return;
    for (;;) {
      const auto slot = schedule_.slot(next_j_);
      if (slot >= cfg_.total_slots || stopping_) {
        sending_done_ = true;
        return maybe_finish();
      }
      const auto at = cfg_.start + schedule_.offset_of(slot);
      const auto now = Clock::now(); // again for every slot: a send takes a few µs
      if (at > now) {
        if (at - now <= spin_window) return soon(wake_slot);
        return arm(wake_slot, at - wake_early);
      }
      ++next_j_;
      dispatch(slot, at, now);
    }
  }

  void dispatch(std::uint64_t slot, Clock::time_point intended, Clock::time_point now) {
    const bool measured = intended >= cfg_.measure_start;
    if (max_in_flight_ > 0 && busy_ + pending_count_ >= max_in_flight_) {
      if (measured) ++cur_.dropped;
      return;
    }
    if (!idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      return send(*c, slot, intended, now);
    }
    if (pending_count_ == pending_.size()) {
      if (measured) ++cur_.dropped;
      return;
    }
    pending_[(pending_head_ + pending_count_) % pending_.size()] = {slot, intended};
    ++pending_count_;
  }

  // ---- housekeeping: timeouts, reconnects, intervals, the end ----
  void on_tick() {
    const auto now = Clock::now();
    receive_clock_.refresh();
    completion_gap_ =
        (now - last_tick_) / static_cast<Clock::rep>(std::max<std::uint64_t>(1, completions_));
    completions_ = 0;
    last_tick_ = now;
    for (auto& cp : conns_) {
      Connection& c = *cp;
      if (c.state == Connection::State::busy) {
        const PreparedStep& s = steps_[c.step];
        if (s.streaming && s.stream_for.count() > 0 && now - c.sent >= s.stream_for) {
          complete(c, /*reuse=*/false); // the stream was read for as long as asked
        } else if (now - c.sent > opt_.timeout) {
          fail(c, &ErrorCounts::timeout);
        }
      } else if (c.state == Connection::State::connecting &&
                 now - c.connect_started > opt_.timeout) {
        fail(c, &ErrorCounts::connect);
      } else if (c.state == Connection::State::down && !finished_ && now >= c.retry_at &&
                 now >= cfg_.start) {
        connect(c);
      }
    }
    if (!open_ && !sending_done_ && !closed_model_has_more(now)) sending_done_ = true;
    while (now >= cfg_.measure_start + std::chrono::seconds(interval_ + 1)) {
      publish_interval();
      ++interval_;
    }
    if (sending_done_ && sending_done_at_ == Clock::time_point{}) sending_done_at_ = now;
    // -d: the duration is a deadline, whatever --timeout says (engine.cpp, abandon_grace).
    if (now >= cfg_.abandon_at) return finish(/*abandon=*/true);
    // Responses still missing a timeout after the last send will never be counted: stop.
    if (sending_done_ && now - sending_done_at_ > opt_.timeout + tick_period * 2) return finish();
    maybe_finish();
    if (!finished_) arm(wake_tick, now + tick_period);
  }

  void publish_interval() {
    if (Clock::now() < cfg_.measure_start && cur_.counters.requests == 0 &&
        cur_.counters.errors.total() == 0)
      return; // warm-up: nothing measured yet
    collector_.publish(cfg_.index, interval_, cur_);
    cur_.reset();
  }

  void maybe_finish() {
    if (finished_ || !sending_done_) return;
    if (busy_ == 0 && pending_count_ == 0) finish();
  }

  // abandon: the duration ended (-d) with these requests outstanding for less than --timeout:
  // `unfinished`, not errors (a healthy server has one in flight per connection at any moment).
  // Otherwise the last responses were waited for as long as --timeout: a timeout.
  void finish(bool abandon = false) {
    if (finished_) return;
    finished_ = true;
    for (auto& c : conns_) {
      if (c->state == Connection::State::busy && c->measured) {
        if (abandon && steps_[c->step].streaming) { // read for as long as the run lasted
          complete(*c, /*reuse=*/false);
          continue;
        }
        if (abandon) {
          ++cur_.unfinished;
        } else {
          ++cur_.counters.errors.timeout;
          ++cur_.steps[c->step].counters.errors.timeout;
        }
      }
      close(*c);
    }
    busy_ = 0;
    if (pending_count_ > 0) {
      cur_.dropped += pending_count_;
      pending_count_ = 0;
    }
    cancel_timers();
  }

  const WorkerConfig& cfg_;
  const LoadOptions& opt_;
  const std::vector<PreparedStep>& steps_;
  Collector& collector_;
  net::io_context ctx_;
  std::array<net::steady_timer, wake_count> timers_; // https
  std::array<Clock::time_point, wake_count> due_{};  // http: the epoll loop's deadlines
  std::optional<EpollSet> epoll_;                    // http, unless uring_
  std::unique_ptr<Uring> uring_;                     // http, closed model, where the kernel allows
  bool plain_ = false;                               // http: the loop's deadlines are due_
  std::unique_ptr<ssl::context> ssl_;
  Schedule schedule_;
  IntervalData cur_;
  std::vector<std::unique_ptr<Connection>> conns_;
  std::vector<Connection*> idle_;
  std::vector<PendingSend> pending_;
  std::size_t pending_head_ = 0;
  std::size_t pending_count_ = 0;
  std::uint64_t busy_ = 0;
  ReceiveClock receive_clock_;
  std::uint64_t completions_ = 0; // responses since the last tick
  Clock::time_point last_tick_ = Clock::now();
  Clock::duration completion_gap_{0}; // between responses, over the last tick (0: unknown)
  std::uint64_t max_in_flight_ = 0;
  std::uint64_t next_j_ = 0;
  std::uint64_t interval_ = 0;
  std::uint64_t validate_counter_ = 0;
  std::size_t reconnects_ = 0;
  bool open_ = false;
  bool stopping_ = false;
  bool sending_done_ = false;
  bool finished_ = false;
  Clock::time_point sending_done_at_{};
  std::vector<std::string> examples_;
  std::vector<std::string> malformed_examples_;
};

} // namespace

void run_worker(const WorkerConfig& config, Collector& collector) {
  // The kernel's default 50 µs timer slack would be most of the send-time error budget.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  Worker worker(config, collector);
  worker.run();
}

} // namespace konform::load
