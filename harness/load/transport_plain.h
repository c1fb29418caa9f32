#pragma once
// Plain-TCP transports of a load thread, without Asio's reactor: edge-triggered epoll
// (plain_tcp.h) or io_uring (uring.h). Each is the connect/send/read/close of one lane (= one
// connection) plus the thread's event loop; the worker (worker.cpp) schedules and counts above
// them and is instantiated once per transport, so the hot path has no virtual calls.
#include "load/lane.h"
#include "load/plain_tcp.h"
#include "load/uring.h"
#include "load/worker.h"

#include <boost/asio/ip/tcp.hpp>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string_view>

namespace konform::load {

// Closed model with enough requests outstanding (coalesce.h): nap, then read every response
// that came meanwhile with one poll, even when some were ready before the nap (each poll is a
// system call; one per batch instead of one per few responses). A nap that found nothing is not
// repeated before the next event, so an idle or slow server costs one extra wake-up, not a
// wake-up per nap. `poll(until, now)` handles what is ready by `until`; true when something was.
template <class Core, class Poll> void run_deadline_loop(Core& core, Deadlines& d, Poll&& poll) {
  constexpr auto none = Clock::duration::zero();
  bool idle_nap = false; // the last nap found nothing
  while (!core.finished()) {
    auto now = Clock::now();
    if (d.fire_due(core, now)) now = Clock::now();
    if (core.finished()) return;
    const auto next = d.next();
    const auto nap = idle_nap ? none : core.nap();
    if (nap > none) {
      sleep_until(std::min(next, now + nap));
      now = Clock::now();
    }
    const bool any = poll(nap > none ? now : next, now);
    idle_nap = nap > none && !any;
  }
}

template <class Core> class EpollTransport {
public:
  struct Lane : LaneBase {
    explicit Lane(std::uint32_t i) : LaneBase(i), buf(new char[read_buffer_size]) {}
    std::unique_ptr<char[]> buf;
    int fd = -1;             // a non-blocking socket in the epoll set
    std::string_view unsent; // the part of the request the socket buffer has not taken
    bool readable = false;   // an edge came that no read has answered yet
    bool hung_up = false;    // the peer closed or reset: every later read must see it
  };
  // A response's receive time is the kernel's stamp (SO_TIMESTAMPNS), not when it is read.
  static constexpr bool receive_stamps = true;
  static unsigned lanes_per_connection(const LoadOptions&) { return 1; }

  EpollTransport(Core& core, const WorkerConfig&) : core_(core) {}

  void arm(Wake w, Clock::time_point at) { d_.arm(w, at); }
  void soon(Wake w) { d_.soon(w); }
  void cancel_timers() { d_.cancel(); }

  void run() {
    run_deadline_loop(core_, d_, [this](Clock::time_point until, Clock::time_point now) {
      const auto events = epoll_.wait_until(until, now);
      for (const auto& ev : events) {
        on(ev);
        d_.send_if_due(core_);
      }
      return !events.empty();
    });
  }

  // The outcome comes as the socket's first edge, never from inside this call: a send from here
  // that fails reconnects from here, and a server that accepts and resets at once would make
  // that recursion unbounded.
  void connect(Lane& c, const boost::asio::ip::tcp::endpoint& ep) {
    std::error_code ec;
    c.fd = start_connect(ep, ec);
    if (c.fd < 0) return core_.fail(c, &ErrorCounts::connect);
    if (epoll_.add(c.fd, lane_token(c))) return core_.fail(c, &ErrorCounts::connect);
  }

  // Writes at once on the non-blocking socket (the socket buffer takes a small request whole);
  // the response is read when its edge comes.
  void send(Lane& c, const PreparedStep& s) {
    c.unsent = s.wire;
    write(c);
  }

  void close(Lane& c) {
    if (c.fd >= 0) ::close(c.fd); // also leaves the epoll set
    c.fd = -1;
    c.unsent = {};
    c.readable = false;
    c.hung_up = false;
  }

private:
  void on(const epoll_event& ev) {
    Lane& c = core_.lane(static_cast<std::size_t>(ev.data.u64 >> 30));
    if (!token_current(ev.data.u64, c)) return; // a closed socket's
    if (c.state == LaneBase::State::connecting) {
      if (connect_error(c.fd)) return core_.fail(c, &ErrorCounts::connect);
      return core_.on_connected(c);
    }
    if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.hung_up = true;
    if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.readable = true;
    if (!c.unsent.empty()) { // the read follows the write
      if (ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) write(c);
      return;
    }
    if (c.readable && c.state == LaneBase::State::busy) read(c);
  }

  // Writes what the socket takes of the request (a writable edge resumes the rest); once all of
  // it is out, reads at once if an edge came in the meantime.
  void write(Lane& c) {
    while (!c.unsent.empty()) {
      const auto r = send_some(c.fd, c.unsent.data(), c.unsent.size());
      if (r.status == IoResult::Status::would_block) return;
      if (r.status != IoResult::Status::ok) return core_.fail(c, &ErrorCounts::write);
      c.unsent.remove_prefix(r.bytes);
    }
    if (c.readable) read(c);
  }

  // Only after an edge: a recv that fills less than the buffer emptied the socket, and whatever
  // arrives later brings a new edge, so no recv ends in EAGAIN in the common case. A FIN that
  // came with the last bytes brings no edge of its own, so after a hang-up the socket stays
  // readable: the next request's read sees the EOF at once, as a blocking client would.
  void read(Lane& c) {
    c.readable = c.hung_up;
    for (;;) {
      timespec received{};
      const auto r = recv_some(c.fd, c.buf.get(), read_buffer_size, received);
      if (r.status == IoResult::Status::would_block) return;
      if (r.status == IoResult::Status::eof) return core_.on_eof(c);
      if (r.status == IoResult::Status::error) return core_.fail(c, &ErrorCounts::read);
      c.received = received;
      if (!core_.consume(c, c.buf.get(), r.bytes)) return;
      // A short read emptied the socket, unless the peer hung up: then the FIN may have come
      // with these bytes and brings no edge of its own, so read on to the EOF (a close in the
      // middle of a response is a read error, not a wait for --timeout).
      if (r.bytes < read_buffer_size && !c.hung_up) return;
    }
  }

  Core& core_;
  Deadlines d_;
  EpollSet epoll_; // throws std::system_error when the kernel refuses one
};

// io_uring (closed model, plain http, where the kernel allows it): the same poll also submits
// the sends queued since the last one.
template <class Core> class UringTransport {
public:
  struct Lane : LaneBase {
    using LaneBase::LaneBase;
    int fd = -1;
    std::string_view unsent;
  };
  // A response's receive time is the kernel's stamp (SO_TIMESTAMPNS), not when it is read.
  static constexpr bool receive_stamps = true;
  static unsigned lanes_per_connection(const LoadOptions&) { return 1; }

  UringTransport(Core& core, const WorkerConfig&, std::unique_ptr<Uring> ring)
      : core_(core), ring_(std::move(ring)) {}

  void arm(Wake w, Clock::time_point at) { d_.arm(w, at); }
  void soon(Wake w) { d_.soon(w); }
  void cancel_timers() { d_.cancel(); }

  void run() {
    run_deadline_loop(core_, d_, [this](Clock::time_point until, Clock::time_point now) {
      const auto done = ring_->wait_until(until, now);
      for (const auto& d : done)
        on(d);
      return !done.empty();
    });
  }

  void connect(Lane& c, const boost::asio::ip::tcp::endpoint& ep) {
    std::error_code ec;
    c.fd = start_connect(ep, ec);
    if (c.fd < 0) return core_.fail(c, &ErrorCounts::connect);
    ring_->connect_done(c.fd, lane_token(c));
  }

  void send(Lane& c, const PreparedStep& s) {
    c.unsent = s.wire;
    ring_->send(c.fd, c.unsent.data(), c.unsent.size(), lane_token(c));
  }

  void close(Lane& c) {
    if (c.fd >= 0) {
      ring_->cancel_all(c.fd); // its reads hold the socket open until cancelled
      ::close(c.fd);
    }
    c.fd = -1;
    c.unsent = {};
  }

private:
  void on(const Uring::Completion& done) {
    Lane& c = core_.lane(static_cast<std::size_t>(done.token >> 30));
    const bool current = token_current(done.token, c);
    switch (done.op) {
    case Uring::Op::connect:
      if (!current || c.state != LaneBase::State::connecting) return;
      if (done.result < 0 || connect_error(c.fd)) return core_.fail(c, &ErrorCounts::connect);
      ring_->recv(c.fd, lane_token(c)); // armed before the first request goes out
      return core_.on_connected(c);
    case Uring::Op::send:
      if (!current || c.unsent.empty()) return;
      if (done.result < 0) return core_.fail(c, &ErrorCounts::write);
      c.unsent.remove_prefix(
          std::min<std::size_t>(static_cast<std::size_t>(done.result), c.unsent.size()));
      if (!c.unsent.empty()) ring_->send(c.fd, c.unsent.data(), c.unsent.size(), lane_token(c));
      return;
    case Uring::Op::recv:
      received(c, current, done);
      if (done.buffer >= 0) ring_->recycle(done.buffer);
      return;
    case Uring::Op::cancel:
      return;
    }
  }

  void received(Lane& c, bool current, const Uring::Completion& done) {
    if (!current || c.fd < 0) return; // a read of a connection closed since
    if (done.result == -ENOBUFS) {    // the buffers come back as this batch is read
      if (!done.more) ring_->recv(c.fd, lane_token(c));
      return;
    }
    if (done.result < 0) return core_.fail(c, &ErrorCounts::read);
    const auto got = ring_->read(done);
    if (got.size == 0) { // the peer closed
      if (c.state == LaneBase::State::busy) return core_.on_eof(c);
      return core_.peer_closed_idle(c); // a keep-alive connection the server let go
    }
    if (!done.more) ring_->recv(c.fd, lane_token(c)); // the multishot read ended: read on
    if (c.state != LaneBase::State::busy) // bytes nobody asked for: the framing is broken
      return core_.malformed(c, "bytes arrived while no request was outstanding");
    c.received = got.stamp;
    core_.consume(c, got.data, got.size);
  }

  Core& core_;
  Deadlines d_;
  std::unique_ptr<Uring> ring_;
};

} // namespace konform::load
