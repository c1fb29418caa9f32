#include "load/uring.h"

#include <linux/io_uring.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace konform::load {
namespace {

constexpr unsigned buffer_count = 256; // a power of two, as the ring requires
constexpr std::size_t buffer_size = 32768;
constexpr unsigned cq_entries = 4096;
constexpr int op_bits = 2;
constexpr std::uint16_t buffer_group = 0;
// Where recvmsg puts the stamp: the control area of every provided buffer (no name).
constexpr std::size_t control_size = CMSG_SPACE(sizeof(timespec));

std::error_code last_error() {
  return {errno, std::system_category()};
}

template <typename T> T load_acquire(const T* p) {
  return std::atomic_ref<const T>(*p).load(std::memory_order_acquire);
}
template <typename T> void store_release(T* p, T v) {
  std::atomic_ref<T>(*p).store(v, std::memory_order_release);
}

std::uint64_t user_data(std::uint64_t token, Uring::Op op) {
  return (token << op_bits) | static_cast<std::uint64_t>(op);
}

// The header recvmsg receives with every message (fixed for the ring: no name, one stamp).
const msghdr& recv_header() {
  static const msghdr h = [] {
    msghdr m{};
    m.msg_controllen = control_size;
    return m;
  }();
  return h;
}

} // namespace

std::unique_ptr<Uring> Uring::open(unsigned entries, std::error_code& ec) {
  std::unique_ptr<Uring> u(new Uring());
  io_uring_params p{};
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE |
            IORING_SETUP_SUBMIT_ALL;
  p.cq_entries = cq_entries;
  u->fd_ = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
  if (u->fd_ < 0) {
    ec = last_error();
    return nullptr;
  }
  if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_EXT_ARG)) {
    ec = std::make_error_code(std::errc::function_not_supported);
    return nullptr;
  }
  u->rings_size_ = std::max<std::size_t>(p.sq_off.array + p.sq_entries * sizeof(unsigned),
                                         p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe));
  u->rings_ = mmap(nullptr, u->rings_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                   u->fd_, IORING_OFF_SQ_RING);
  if (u->rings_ == MAP_FAILED) {
    u->rings_ = nullptr;
    ec = last_error();
    return nullptr;
  }
  u->sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, u->sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                    u->fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    ec = last_error();
    return nullptr;
  }
  u->sqes_ = static_cast<io_uring_sqe*>(sqes);
  auto* base = static_cast<char*>(u->rings_);
  u->sq_head_ = reinterpret_cast<unsigned*>(base + p.sq_off.head);
  u->sq_tail_ = reinterpret_cast<unsigned*>(base + p.sq_off.tail);
  u->sq_mask_ = *reinterpret_cast<unsigned*>(base + p.sq_off.ring_mask);
  u->sq_entries_ = p.sq_entries;
  u->sq_array_ = reinterpret_cast<unsigned*>(base + p.sq_off.array);
  u->sq_local_tail_ = *u->sq_tail_;
  u->cq_head_ = reinterpret_cast<unsigned*>(base + p.cq_off.head);
  u->cq_tail_ = reinterpret_cast<unsigned*>(base + p.cq_off.tail);
  u->cq_mask_ = *reinterpret_cast<unsigned*>(base + p.cq_off.ring_mask);
  u->cqes_ = reinterpret_cast<io_uring_cqe*>(base + p.cq_off.cqes);

  // The provided-buffer ring the multishot reads take their buffers from.
  u->buf_ring_size_ = buffer_count * sizeof(io_uring_buf);
  void* ring = mmap(nullptr, u->buf_ring_size_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (ring == MAP_FAILED) {
    ec = last_error();
    return nullptr;
  }
  // An array of io_uring_buf whose first entry's `resv` is the tail. (Not through
  // io_uring_buf_ring::bufs: its flexible-array macro puts an empty struct first, which takes a
  // byte in C++ and moves the array 8 bytes from where the kernel reads it.)
  u->buf_ring_ = static_cast<io_uring_buf*>(ring);
  // Written before the kernel pins it: pinning an untouched private page can pin the shared
  // zero page, and our first write would then move the ring away from the kernel's copy.
  std::memset(ring, 0, u->buf_ring_size_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(ring);
  reg.ring_entries = buffer_count;
  reg.bgid = buffer_group;
  if (syscall(__NR_io_uring_register, u->fd_, IORING_REGISTER_PBUF_RING, &reg, 1) != 0) {
    ec = last_error();
    return nullptr;
  }
  u->buffers_.reset(new char[buffer_count * buffer_size]);
  for (unsigned b = 0; b < buffer_count; ++b)
    u->recycle(static_cast<int>(b));
  u->publish_buffers();
  u->completions_.reserve(cq_entries);
  return u;
}

Uring::~Uring() {
  if (buf_ring_) munmap(buf_ring_, buf_ring_size_);
  if (sqes_) munmap(sqes_, sqes_size_);
  if (rings_) munmap(rings_, rings_size_);
  if (fd_ >= 0) ::close(fd_);
}

int Uring::enter(unsigned submit, unsigned min_complete, unsigned flags, const void* arg,
                 std::size_t arg_size) {
  return static_cast<int>(
      syscall(__NR_io_uring_enter, fd_, submit, min_complete, flags, arg, arg_size));
}

io_uring_sqe* Uring::next_sqe() {
  if (sq_local_tail_ - load_acquire(sq_head_) == sq_entries_) { // full: hand the queue over
    store_release(sq_tail_, sq_local_tail_);
    enter(sq_local_tail_ - *sq_head_, 0, 0, nullptr, 0);
  }
  const unsigned slot = sq_local_tail_++ & sq_mask_;
  io_uring_sqe* sqe = &sqes_[slot];
  std::memset(sqe, 0, sizeof *sqe);
  sq_array_[slot] = slot;
  return sqe;
}

void Uring::connect_done(int fd, std::uint64_t token) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = fd;
  sqe->poll32_events = POLLOUT | POLLERR | POLLHUP;
  sqe->user_data = user_data(token, Op::connect);
}

void Uring::send(int fd, const char* data, std::size_t size, std::uint64_t token) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_SEND;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<std::uint64_t>(data);
  sqe->len = static_cast<std::uint32_t>(size);
  sqe->msg_flags = MSG_NOSIGNAL;
  sqe->user_data = user_data(token, Op::send);
}

void Uring::recv(int fd, std::uint64_t token) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_RECVMSG;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<std::uint64_t>(&recv_header());
  sqe->len = 1;
  sqe->ioprio = IORING_RECV_MULTISHOT;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffer_group;
  sqe->user_data = user_data(token, Op::recv);
}

void Uring::cancel_all(int fd) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = fd;
  sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
  sqe->user_data = user_data(0, Op::cancel);
  store_release(sq_tail_, sq_local_tail_);
  enter(sq_local_tail_ - *sq_head_, 0, 0, nullptr, 0); // looked up by number now, before a close
}

std::span<const Uring::Completion> Uring::wait_until(TimePoint deadline, TimePoint now) {
  publish_buffers();
  store_release(sq_tail_, sq_local_tail_);
  const unsigned submit = sq_local_tail_ - *sq_head_;
  if (deadline <= now) {
    enter(submit, 0, IORING_ENTER_GETEVENTS, nullptr, 0); // runs the deferred reads
  } else if (deadline == TimePoint::max()) {
    enter(submit, 1, IORING_ENTER_GETEVENTS, nullptr, 0);
  } else {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
    __kernel_timespec ts{ns / 1'000'000'000, ns % 1'000'000'000};
    io_uring_getevents_arg arg{};
    arg.ts = reinterpret_cast<std::uint64_t>(&ts);
    enter(submit, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
  }
  completions_.clear();
  unsigned head = *cq_head_;
  const unsigned tail = load_acquire(cq_tail_);
  for (; head != tail; ++head) {
    const io_uring_cqe& cqe = cqes_[head & cq_mask_];
    Completion c{};
    c.token = cqe.user_data >> op_bits;
    c.op = static_cast<Op>(cqe.user_data & ((1u << op_bits) - 1));
    c.result = cqe.res;
    c.more = (cqe.flags & IORING_CQE_F_MORE) != 0;
    c.buffer = (cqe.flags & IORING_CQE_F_BUFFER)
                   ? static_cast<int>(cqe.flags >> IORING_CQE_BUFFER_SHIFT)
                   : -1;
    if (c.op != Op::cancel)
      completions_.push_back(c);
    else if (c.buffer >= 0)
      recycle(c.buffer);
  }
  store_release(cq_head_, head);
  return completions_;
}

Uring::Received Uring::read(const Completion& c) const {
  Received r;
  if (c.buffer < 0 || c.result <= 0) return r;
  const char* buf = buffers_.get() + static_cast<std::size_t>(c.buffer) * buffer_size;
  io_uring_recvmsg_out out;
  std::memcpy(&out, buf, sizeof out);
  const char* control = buf + sizeof out; // no name was asked for
  r.data = control + control_size;
  r.size = out.payloadlen;
  msghdr m{};
  m.msg_control = const_cast<char*>(control);
  m.msg_controllen = out.controllen;
  for (cmsghdr* h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_TIMESTAMPNS)
      std::memcpy(&r.stamp, CMSG_DATA(h), sizeof r.stamp);
  return r;
}

void Uring::recycle(int buffer) {
  const auto mask = static_cast<std::uint16_t>(buffer_count - 1);
  io_uring_buf& b = buf_ring_[buf_tail_ & mask];
  b.addr = reinterpret_cast<std::uint64_t>(buffers_.get() +
                                           static_cast<std::size_t>(buffer) * buffer_size);
  b.len = buffer_size;
  b.bid = static_cast<std::uint16_t>(buffer);
  ++buf_tail_;
  buffers_dirty_ = true;
}

void Uring::publish_buffers() {
  if (!buffers_dirty_) return;
  store_release(&buf_ring_[0].resv, buf_tail_);
  buffers_dirty_ = false;
}

} // namespace konform::load
