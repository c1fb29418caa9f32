#include "load/coalesce.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

using namespace std::chrono_literals;

TEST(CoalescePolicy, NapsAnEighthOfTheQueuedWorkUpToTheLongest) {
  const CoalescePolicy policy{100us};
  // 50 requests out, one answered every 15 µs: 750 µs of work queued at the server.
  EXPECT_EQ(policy.nap(50, 15us), 93750ns);
  // 25 out: the nap shrinks with the queue instead of stopping.
  EXPECT_EQ(policy.nap(25, 15us), 46875ns);
  // 200 out: capped at --coalesce.
  EXPECT_EQ(policy.nap(200, 15us), 100us);
  EXPECT_EQ((CoalescePolicy{30us}.nap(200, 15us)), 30us);
}

TEST(CoalescePolicy, DoesNotNapWhenTheServerWouldRunDryOrNothingIsKnown) {
  const CoalescePolicy policy{100us};
  EXPECT_EQ(policy.nap(8, 6us), 0us);   // 48 µs queued: a 6 µs nap saves less than it costs
  EXPECT_EQ(policy.nap(8, 10us), 10us); // 80 µs queued: the shortest nap worth taking
  EXPECT_EQ(policy.nap(0, 10ms), 0us);  // nothing outstanding: nothing to collect
  EXPECT_EQ(policy.nap(50, 0us), 0us);  // no rate measured yet
  EXPECT_EQ((CoalescePolicy{0us}.nap(1000, 1s)), 0us); // --coalesce 0
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
