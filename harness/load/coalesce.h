#pragma once
// Response coalescing on the plain-TCP event loop, and the clock that makes it honest.
//
// A load thread that blocks in epoll_wait whenever it has nothing to read is woken once per
// response, and on a loaded server that wake-up is paid by the server: its send path finds our
// thread asleep and has to wake it (an inter-processor interrupt, which in a VM is a costly exit).
// On the 2-core bench VM nginx spent 10-20% more CPU per request that way, and served that much
// less, than with the naps below (and more than under wrk, whose slower loop sleeps less often). So
// while enough requests are outstanding that the server cannot run dry, the thread naps a few tens
// of microseconds before each poll and then reads every response that came meanwhile in one go.
// The sleeps cost too (each is a halt and a timer exit on a VM), so the nap is as long as the
// queued work allows, up to --coalesce.
//
// Napping must not show in the latencies: a response's end is the time the kernel received it
// (SO_TIMESTAMPNS, CLOCK_REALTIME), not the time the thread got round to reading it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace konform::load {

using Clock = std::chrono::steady_clock;

struct CoalescePolicy {
  std::chrono::microseconds longest{0}; // --coalesce; 0: never nap (read each response at once)

  // A nap shorter than this saves less than the sleep and wake-up it costs.
  static constexpr std::chrono::microseconds shortest{10};

  // How long to nap with `in_flight` requests outstanding and the server answering one every
  // `gap`; zero: read at once. The server needs in_flight × gap to drain what is outstanding,
  // and the nap plus the batch it collects (read and re-sent at least as fast as the server
  // answers) last about two naps; one eighth of the queued work leaves a margin of four for the
  // server's variance, so it still has work when the batch has gone out. Scaling the nap with the
  // queue, rather than napping a fixed time or not at all, keeps small connection counts
  // coalescing.
  Clock::duration nap(std::uint64_t in_flight, Clock::duration gap) const {
    if (longest.count() <= 0 || gap.count() <= 0) return Clock::duration::zero();
    const auto fair = gap * static_cast<Clock::rep>(in_flight) / 8;
    const auto capped = std::min<Clock::duration>(fair, longest);
    return capped < shortest ? Clock::duration::zero() : capped;
  }
};

// Converts the kernel's CLOCK_REALTIME receive stamps to the steady clock every other time in a
// load thread comes from. The offset between the two clocks is re-read on the thread's 10 ms tick;
// NTP slews it by at most 0.5 ms/s, so its error stays in the nanoseconds, and a clock step is
// contained by clamping every converted time into the window the caller knows it lies in.
class ReceiveClock {
public:
  ReceiveClock() { refresh(); }
  void refresh() {
    timespec real{};
    clock_gettime(CLOCK_REALTIME, &real);
    const auto steady = Clock::now();
    offset_ = std::chrono::seconds(real.tv_sec) + std::chrono::nanoseconds(real.tv_nsec) -
              steady.time_since_epoch();
  }
  // `stamp` all zero (no stamp came): `latest`.
  Clock::time_point to_steady(const timespec& stamp, Clock::time_point earliest,
                              Clock::time_point latest) const {
    if (stamp.tv_sec == 0 && stamp.tv_nsec == 0) return latest;
    const auto t = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
        std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec) - offset_));
    return t < earliest ? earliest : (t > latest ? latest : t);
  }

private:
  std::chrono::nanoseconds offset_{0}; // realtime − steady
};

} // namespace konform::load
