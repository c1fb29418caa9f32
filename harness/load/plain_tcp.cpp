#include "load/plain_tcp.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace konform::load {
namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

IoResult io_result(ssize_t n, bool zero_is_eof) {
  if (n > 0) return {IoResult::Status::ok, static_cast<std::size_t>(n)};
  if (n == 0) return {zero_is_eof ? IoResult::Status::eof : IoResult::Status::ok, 0};
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0};
  return {IoResult::Status::error, 0};
}

timespec to_timespec(EpollSet::TimePoint t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

} // namespace

EpollSet::EpollSet() : fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(last_error(), "epoll_create1");
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0 || add(timer_fd_, timer_token)) {
    const auto ec = last_error();
    ::close(fd_);
    if (timer_fd_ >= 0) ::close(timer_fd_);
    throw std::system_error(ec, "timerfd");
  }
}

EpollSet::~EpollSet() {
  ::close(timer_fd_);
  ::close(fd_);
}

std::error_code EpollSet::add(int fd, std::uint64_t token) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = token;
  if (epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return last_error();
  return {};
}

void EpollSet::arm_timer(TimePoint deadline) {
  if (deadline == armed_) return;
  itimerspec spec{};
  if (deadline != TimePoint::max()) spec.it_value = to_timespec(deadline); // all zero disarms
  if (timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr) == 0) armed_ = deadline;
}

std::span<const epoll_event> EpollSet::wait_until(TimePoint deadline, TimePoint now) {
  const bool poll = deadline <= now;
  if (!poll) arm_timer(deadline);
  // The timer's precision is the thread's timer slack (1 ns on load threads).
  const int n = epoll_wait(fd_, events_.data(), static_cast<int>(events_.size()), poll ? 0 : -1);
  std::size_t kept = 0;
  for (int i = 0; i < n; ++i) {
    if (events_[i].data.u64 == timer_token) {
      armed_ = TimePoint::min(); // fired: set it again even for the same deadline
      continue;
    }
    events_[kept++] = events_[i];
  }
  return {events_.data(), kept};
}

int start_connect(const boost::asio::ip::tcp::endpoint& to, std::error_code& ec) {
  const int fd = ::socket(to.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec = last_error();
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Without it, a response's latency would end when the thread read it (coalesce.h).
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  if (::connect(fd, to.data(), static_cast<socklen_t>(to.size())) != 0 && errno != EINPROGRESS) {
    ec = last_error();
    ::close(fd);
    return -1;
  }
  return fd;
}

std::error_code connect_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return last_error();
  return {err, std::system_category()};
}

void sleep_until(EpollSet::TimePoint deadline) {
  const auto at = to_timespec(deadline);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
  }
}

IoResult send_some(int fd, const char* data, std::size_t size) {
  for (;;) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n >= 0 || errno != EINTR) return io_result(n, /*zero_is_eof=*/false);
  }
}

IoResult recv_some(int fd, char* data, std::size_t size, timespec& received) {
  iovec iov{data, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  for (;;) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const auto n = ::recvmsg(fd, &msg, 0);
    if (n < 0 && errno == EINTR) continue;
    received = {};
    if (n > 0)
      for (auto* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
          std::memcpy(&received, CMSG_DATA(c), sizeof received);
    return io_result(n, /*zero_is_eof=*/true);
  }
}

} // namespace konform::load
