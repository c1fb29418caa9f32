#include "load/coalesce.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

using namespace std::chrono_literals;

TEST(CoalescePolicy, NapsOnlyWhileTheOutstandingWorkOutlastsFourNaps) {
  const CoalescePolicy policy{50us};
  // 50 requests out, one answered every 20 µs: 1 ms of work queued at the server.
  EXPECT_TRUE(policy.may_nap(50, 20us));
  // 8 out at 6 µs each: the server would run dry within the nap.
  EXPECT_FALSE(policy.may_nap(8, 6us));
  EXPECT_TRUE(policy.may_nap(10, 20us)); // exactly four naps
  EXPECT_FALSE(policy.may_nap(9, 20us));
  EXPECT_FALSE(policy.may_nap(0, 10ms));                 // nothing outstanding: nothing to collect
  EXPECT_FALSE(policy.may_nap(50, 0us));                 // no rate measured yet
  EXPECT_FALSE((CoalescePolicy{0us}.may_nap(1000, 1s))); // --coalesce 0
}

timespec realtime_now() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

TEST(ReceiveClock, ConvertsAKernelStampToTheSteadyClock) {
  const ReceiveClock clock;
  const auto before = Clock::now();
  const auto stamp = realtime_now();
  const auto after = Clock::now();
  const auto lo = before - 1s, hi = after + 1s; // wide window: no clamping
  const auto t = clock.to_steady(stamp, lo, hi);
  EXPECT_GE(t, before - 1ms);
  EXPECT_LE(t, after + 1ms);
}

TEST(ReceiveClock, ClampsIntoTheKnownWindowAndFallsBackWithoutAStamp) {
  const ReceiveClock clock;
  const auto now = Clock::now();
  timespec old_stamp = realtime_now();
  old_stamp.tv_sec -= 3600; // a clock step, or a stamp from before the request was sent
  EXPECT_EQ(clock.to_steady(old_stamp, now - 10ms, now), now - 10ms);
  timespec future = realtime_now();
  future.tv_sec += 3600;
  EXPECT_EQ(clock.to_steady(future, now - 10ms, now), now);
  EXPECT_EQ(clock.to_steady(timespec{}, now - 10ms, now), now); // no stamp: the read time
}

} // namespace
} // namespace konform::load
