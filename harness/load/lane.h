#pragma once
// What every transport of a load thread shares (worker.cpp, transport_*.h): a lane — one request
// outstanding at a time, with its timing and its response parser — and the wake-ups of the thread.
// Over HTTP/1.1 a lane is a connection; over HTTP/2 a stream slot on one of the connections.
#include "load/coalesce.h"
#include "load/response_parser.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

namespace konform::load {

inline constexpr std::size_t read_buffer_size = 16 * 1024;

struct LaneBase {
  explicit LaneBase(std::uint32_t i) : index(i) {}
  enum class State { down, connecting, idle, busy };

  std::uint32_t index; // in the worker's lanes
  State state = State::down;
  std::uint32_t generation = 0; // bumped on close: completions of older operations are ignored
  Clock::time_point retry_at{};
  Clock::time_point connect_started{};
  ResponseParser parser;
  std::size_t step = 0;
  std::uint64_t slot = 0; // of the request outstanding
  bool resend = false;    // its request was refused unprocessed (HTTP/2 GOAWAY): send it again
  Clock::time_point intended{}, sent{}, first_body{};
  timespec received{}; // when the kernel received the bytes of the last read (coalesce.h)
  bool have_first_body = false;
  bool measured = false;
  bool capturing = false;
  std::string capture;
};

// Tokens carry the lane and the low 30 bits of its generation (uring.h keeps 62 bits).
inline constexpr std::uint32_t generation_mask = (1u << 30) - 1;
inline std::uint64_t lane_token(const LaneBase& c) {
  return (std::uint64_t{c.index} << 30) | (c.generation & generation_mask);
}
inline bool token_current(std::uint64_t token, const LaneBase& c) {
  return (token & generation_mask) == (c.generation & generation_mask);
}

// The thread's timed wake-ups.
enum Wake : std::size_t { wake_start, wake_tick, wake_slot, wake_count };

// The deadlines of a transport that runs its own loop (epoll, io_uring): no Asio timers.
struct Deadlines {
  Deadlines() { due.fill(Clock::time_point::max()); }
  std::array<Clock::time_point, wake_count> due;

  void arm(Wake w, Clock::time_point at) { due[w] = at; }
  void soon(Wake w) { due[w] = Clock::time_point::min(); } // after the I/O that is ready now
  void cancel() { due.fill(Clock::time_point::max()); }
  Clock::time_point next() const { return *std::min_element(due.begin(), due.end()); }
  // Fires the deadlines that have passed; true when one did. A due send goes first: the
  // housekeeping tick (timeouts, the once-a-second interval hand-over) waits for it.
  template <class Core> bool fire_due(Core& core, Clock::time_point now) {
    bool fired = false;
    for (const Wake w : {wake_slot, wake_start, wake_tick}) {
      if (due[w] > now) continue;
      due[w] = Clock::time_point::max();
      core.fire(w);
      fired = true;
    }
    return fired;
  }
  // Open model: a send that fell due while a batch of events (up to 64 responses) is handled
  // goes out now, not after the rest of the batch; the responses keep their receive stamps.
  template <class Core> void send_if_due(Core& core) {
    if (!core.open_model() || due[wake_slot] > Clock::now()) return;
    due[wake_slot] = Clock::time_point::max();
    core.fire(wake_slot);
  }
};

} // namespace konform::load
