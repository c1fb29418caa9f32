#pragma once
// What a load thread measures (per step and per interval, in counters that never allocate) and the
// Collector where threads hand finished intervals to the controller (one mutex acquisition and a
// pointer swap per second per thread: adding and clearing the histograms is the controller's work).
#include "load/histogram.h"
#include "load/result.h"

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace konform::load {

// Counters without a map: status codes index a fixed array, so the hot path never allocates.
struct HotCounters {
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;
  ErrorCounts errors;
  std::array<std::uint64_t, 600> status{};
  void add(const HotCounters& o);
  void reset() { *this = HotCounters{}; }
  Counters to_counters() const;
};

struct StepData {
  Histogram corrected, uncorrected;
  HotCounters counters;
  std::uint64_t streams = 0, rows = 0;
  double stream_seconds = 0;
  Histogram time_to_first_row;
  void add(const StepData& o);
  void reset();
};

// What one thread measured during one interval (and, summed, the whole run).
struct IntervalData {
  explicit IntervalData(std::size_t step_count) : steps(step_count) {}
  Histogram corrected, uncorrected, lag;
  std::vector<StepData> steps;
  HotCounters counters;
  std::uint64_t sent = 0, late = 0, dropped = 0, validated = 0, violations = 0;
  std::uint64_t unfinished = 0; // abandoned at the end of the duration (LoadResult::unfinished)
  void add(const IntervalData& o);
  void reset();
};

// Where threads publish finished intervals and the controller picks them up.
class Collector {
public:
  Collector(unsigned threads, std::size_t steps);
  // Thread `thread` finished interval `index` and hands over its storage; returns the storage
  // for its next interval: a spare, already empty, or a new one when none is left. Adding the
  // threads' parts and clearing them (~1 MiB of histograms each) happens in take_complete and
  // recycle, on the controller's thread: done here, it stalled the load thread's sends for
  // hundreds of µs once a second.
  std::unique_ptr<IntervalData> publish(unsigned thread, std::uint64_t index,
                                        std::unique_ptr<IntervalData> data);
  // Thread `thread` will publish nothing more (its last interval was published before).
  void finish(unsigned thread, std::vector<std::string> violation_examples,
              std::vector<std::string> malformed_examples);
  // Waits up to `wait` for news; returns the intervals every thread has published, in order.
  std::vector<std::pair<std::uint64_t, std::unique_ptr<IntervalData>>>
  take_complete(std::chrono::milliseconds wait);
  bool all_finished();
  std::vector<std::string> examples();
  std::vector<std::string> malformed_examples();
  // Hands a delivered interval's storage back for the next interval. Every interval holds
  // ~1 MiB of histograms: allocated afresh each second, the process's RSS would rise and fall by
  // that much with the moment it is sampled; reused, it stays what the first seconds needed.
  void recycle(std::unique_ptr<IntervalData> data);
  // Empty storage for a thread's first interval, allocated by the thread itself.
  std::unique_ptr<IntervalData> fresh();

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t steps_;
  std::vector<std::optional<std::uint64_t>> published_upto_; // per thread
  std::vector<bool> finished_;
  // Per interval, the parts the threads published, added up by take_complete.
  std::map<std::uint64_t, std::vector<std::unique_ptr<IntervalData>>> pending_;
  std::vector<std::unique_ptr<IntervalData>> spare_; // reset, ready for the next interval
  std::vector<std::string> examples_;
  std::vector<std::string> malformed_examples_;
};

} // namespace konform::load
