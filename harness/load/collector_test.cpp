// The hand-over of interval data from load threads to the controller.
#include "load/collector.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

std::unique_ptr<IntervalData> interval_with(std::uint64_t requests, std::int64_t latency_us) {
  auto d = std::make_unique<IntervalData>(1);
  d->counters.requests = requests;
  for (std::uint64_t i = 0; i < requests; ++i)
    d->corrected.record(latency_us);
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
  auto next = c.publish(0, 0, interval_with(3, 100));
  auto first = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(first.size(), 1u);
  const IntervalData* storage = first[0].second.get();
  c.recycle(std::move(first[0].second));
  next->counters.requests = 1;
  next->corrected.record(900);
  auto again = c.publish(0, 1, std::move(next)); // the thread's storage for interval 2
  EXPECT_EQ(again.get(), storage) << "the interval's memory was allocated again";
  EXPECT_EQ(again->counters.requests, 0u) << "the last interval's counts leaked in";
  EXPECT_EQ(again->corrected.total_count(), 0);
  auto second = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].second->counters.requests, 1u);
  EXPECT_EQ(second[0].second->corrected.total_count(), 1);
  EXPECT_EQ(second[0].second->corrected.min(), second[0].second->corrected.max());
}

// The load thread's once-a-second hand-over is a pointer swap: what it publishes is what the
// controller gets (not a copy made on the load thread), and it gets empty storage back at once.
// Adding up and clearing ~1 MiB of histograms there delayed its sends by hundreds of µs.
TEST(Collector, PublishingHandsOverTheStorageAndGivesBackEmptyStorage) {
  Collector c(1, 1);
  auto mine = c.fresh();
  ASSERT_TRUE(mine);
  mine->counters.requests = 7;
  mine->lag.record(12);
  const IntervalData* published = mine.get();
  auto next = c.publish(0, 0, std::move(mine));
  ASSERT_TRUE(next);
  EXPECT_NE(next.get(), published);
  EXPECT_EQ(next->counters.requests, 0u);
  EXPECT_EQ(next->lag.total_count(), 0);
  auto ready = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].second.get(), published) << "the interval was copied";
  EXPECT_EQ(ready[0].second->counters.requests, 7u);
  EXPECT_EQ(ready[0].second->lag.total_count(), 1);
}

// With no spare left (the controller fell behind), publishing still hands back empty storage.
TEST(Collector, PublishingWithoutASpareAllocatesEmptyStorage) {
  Collector c(1, 1);
  auto cur = c.fresh();
  for (std::uint64_t i = 0; i < 8; ++i) { // more than the spares: none is delivered meanwhile
    cur->counters.requests = i + 1;
    cur = c.publish(0, i, std::move(cur));
    ASSERT_TRUE(cur);
    EXPECT_EQ(cur->counters.requests, 0u);
  }
  auto ready = c.take_complete(std::chrono::milliseconds(0));
  ASSERT_EQ(ready.size(), 8u);
  for (std::uint64_t i = 0; i < 8; ++i)
    EXPECT_EQ(ready[i].second->counters.requests, i + 1);
}

} // namespace
} // namespace konform::load
