#pragma once
// The plain-TCP sockets of a load thread on io_uring, where the kernel allows it (load/worker.cpp
// falls back to EpollSet otherwise). On the 2-core bench VM a system call costs ~190 ns, and
// with epoll each response costs a recvmsg and a share of epoll_wait on top of its send. Here
// every socket has one multishot recvmsg armed: the kernel reads each response into a buffer of a
// ring registered once, with its SO_TIMESTAMPNS stamp, and defers that work (DEFER_TASKRUN) until
// the thread asks for completions; the thread's sends are queued and go out with the same call.
// A batch of responses and the requests that answer them cost one io_uring_enter.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

struct io_uring_sqe;
struct io_uring_cqe;
struct io_uring_buf;

namespace konform::load {

class Uring {
public:
  using TimePoint = std::chrono::steady_clock::time_point; // CLOCK_MONOTONIC

  // Kinds of operation, in the low bits of a completion's token.
  enum class Op : std::uint8_t { connect, send, recv, cancel };
  struct Completion {
    std::uint64_t token; // as given, without the kind
    Op op;
    int result; // bytes, or -errno
    bool more;  // recv: the multishot read stays armed
    int buffer; // recv with data: the provided buffer to read(), then recycle(); -1 otherwise
  };
  struct Received {
    const char* data = nullptr;
    std::size_t size = 0;
    timespec stamp{}; // CLOCK_REALTIME; all zero when the kernel sent none
  };

  // Null, with `ec`, when the kernel refuses io_uring (too old, disabled, or a seccomp filter):
  // the caller uses epoll.
  static std::unique_ptr<Uring> open(unsigned entries, std::error_code& ec);
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  // Queued; submitted by the next wait_until. Tokens must fit in 62 bits.
  void connect_done(int fd, std::uint64_t token); // a one-shot poll for writable: connect ended
  void send(int fd, const char* data, std::size_t size, std::uint64_t token);
  void recv(int fd, std::uint64_t token); // multishot, into the ring's buffers, with the stamp
  // Cancels every operation on `fd` and waits for the kernel to take the cancellation, so the
  // descriptor can be closed (and its number reused) right after.
  void cancel_all(int fd);

  // Submits what was queued and returns the completions that are there by `deadline` (already
  // passed: without waiting; TimePoint::max(): until at least one). Valid until the next call.
  std::span<const Completion> wait_until(TimePoint deadline, TimePoint now);
  Received read(const Completion& c) const;
  void recycle(int buffer);

private:
  Uring() = default;
  io_uring_sqe* next_sqe();
  int enter(unsigned submit, unsigned min_complete, unsigned flags, const void* arg,
            std::size_t arg_size);
  void publish_buffers();

  int fd_ = -1;
  void* rings_ = nullptr;
  std::size_t rings_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqes_size_ = 0;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_head_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sq_entries_ = 0;
  unsigned* sq_array_ = nullptr;
  unsigned sq_local_tail_ = 0;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  io_uring_buf* buf_ring_ = nullptr; // the provided-buffer ring
  std::size_t buf_ring_size_ = 0;
  std::unique_ptr<char[]> buffers_;
  std::uint16_t buf_tail_ = 0;
  bool buffers_dirty_ = false;
  std::vector<Completion> completions_;
};

} // namespace konform::load
