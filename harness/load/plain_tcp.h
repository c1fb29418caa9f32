#pragma once
// Plain-TCP sockets of a load thread without Asio's reactor. Asio 1.81 tries a speculative recv
// whenever a read starts on a socket that had an event since its last EAGAIN, and a keep-alive
// read always starts right after a send, before the response can be there: one failed recv per
// request. Here each socket is registered once, edge-triggered, in the thread's own epoll set and
// read only when an edge says data arrived, so a request costs send + recv + a share of one
// epoll_wait, and nothing re-arms the descriptor (no epoll_ctl per request).
#include <boost/asio/ip/tcp.hpp>
#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <span>
#include <system_error>

namespace konform::load {

// The epoll set also holds a timerfd for the thread's next deadline. Blocking with a timeout
// instead would arm and cancel an hrtimer around every sleep, and in a VM each of those programs
// the (virtual) timer device: that alone cost ~1 µs per request, more than the EAGAIN it saves.
// The timerfd is re-armed only when the next deadline moves (as Asio's reactor does).
class EpollSet {
public:
  using TimePoint = std::chrono::steady_clock::time_point; // CLOCK_MONOTONIC, as the timerfd

  EpollSet(); // throws std::system_error when the kernel refuses an epoll instance or timerfd
  ~EpollSet();
  EpollSet(const EpollSet&) = delete;
  EpollSet& operator=(const EpollSet&) = delete;

  // Registers `fd` for readable, writable and peer-closed edges (and errors), reported with
  // `token`.
  std::error_code add(int fd, std::uint64_t token);
  // Waits for socket edges until `deadline` (already passed: a poll; TimePoint::max(): no limit)
  // and returns them; none when the deadline came or a signal interrupted the wait.
  std::span<const epoll_event> wait_until(TimePoint deadline, TimePoint now);

private:
  static constexpr std::uint64_t timer_token = ~std::uint64_t{0};
  void arm_timer(TimePoint deadline);

  int fd_ = -1;
  int timer_fd_ = -1;
  TimePoint armed_ = TimePoint::max(); // what the timerfd is set to; max(): nothing
  std::array<epoll_event, 64> events_{};
};

// A non-blocking TCP socket with TCP_NODELAY and receive timestamps (SO_TIMESTAMPNS), connecting
// to `to`. Returns the descriptor, or -1
// with `ec` set. The outcome comes as an edge once the socket is in an EpollSet (even when the
// connect finished at once: epoll reports a descriptor that is ready when it is added).
int start_connect(const boost::asio::ip::tcp::endpoint& to, std::error_code& ec);
// The outcome of a non-blocking connect once the socket reported an edge (SO_ERROR).
std::error_code connect_error(int fd);

struct IoResult {
  enum class Status { ok, would_block, eof, error };
  Status status = Status::ok;
  std::size_t bytes = 0;
};
// One send/recv on a non-blocking socket (EINTR retried; no SIGPIPE on a closed peer). recv_some
// also returns when the kernel received the last byte read (CLOCK_REALTIME; all zero when the
// socket has no stamp for it).
IoResult send_some(int fd, const char* data, std::size_t size);
IoResult recv_some(int fd, char* data, std::size_t size, timespec& received);

// Sleeps until `deadline` (CLOCK_MONOTONIC, as steady_clock) whatever becomes readable meanwhile.
void sleep_until(EpollSet::TimePoint deadline);

} // namespace konform::load
