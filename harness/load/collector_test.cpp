// The hand-over of interval data from load threads to the controller.
#include "load/collector.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

IntervalData interval_with(std::uint64_t requests, std::int64_t latency_us) {
  IntervalData d(1);
  d.counters.requests = requests;
  for (std::uint64_t i = 0; i < requests; ++i)
    d.corrected.record(latency_us);
  return d;
}

TEST(Collector, IntervalsOfEveryThreadAreAddedAndHandedOverInOrder) {
  Collector c(2, 1);
  c.publish(0, 0, interval_with(3, 100));
  EXPECT_TRUE(c.take_complete(std::chrono::milliseconds(0)).empty()); // thread 1 has not
  c.publish(1, 0, interval_with(2, 200));
  auto ready = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].first, 0u);
  EXPECT_EQ(ready[0].second->counters.requests, 5u);
  EXPECT_EQ(ready[0].second->corrected.total_count(), 5);
}

TEST(Collector, ARecycledIntervalIsReusedEmpty) {
  Collector c(1, 1);
  c.publish(0, 0, interval_with(3, 100));
  auto first = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(first.size(), 1u);
  const IntervalData* storage = first[0].second.get();
  c.recycle(std::move(first[0].second));
  c.publish(0, 1, interval_with(1, 900));
  auto second = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].second.get(), storage) << "the interval's memory was allocated again";
  EXPECT_EQ(second[0].second->counters.requests, 1u) << "the last interval's counts leaked in";
  EXPECT_EQ(second[0].second->corrected.total_count(), 1);
  EXPECT_EQ(second[0].second->corrected.min(), second[0].second->corrected.max());
}

} // namespace
} // namespace konform::load
