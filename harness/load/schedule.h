#pragma once
// The request schedule shared by every thread, shard and process: slot g of the run is sent at
// start + g / rate (open model) and carries step cycle[g % cycle.size()]. A shard i/N owns the
// slots g ≡ i (mod N), and thread t of T inside it every T-th of those, so N processes together
// send exactly the schedule one process would.
#include "load/options.h"

#include <chrono>
#include <cstdint>
#include <vector>

namespace konform::load {

// A deterministic, evenly interleaved sequence of step indexes where each step appears
// `weight` times per cycle (smooth weighted round robin, as nginx balances upstreams).
std::vector<std::uint16_t> weighted_cycle(const std::vector<Step>& steps);

class Schedule {
public:
  Schedule(double rate, Shard shard, unsigned threads, unsigned thread_index,
           std::vector<std::uint16_t> cycle)
      : rate_(rate), shard_(shard), threads_(threads), thread_(thread_index),
        cycle_(std::move(cycle)) {}

  // The global slot of this thread's j-th request.
  std::uint64_t slot(std::uint64_t j) const {
    return shard_.index + std::uint64_t(shard_.count) * (thread_ + std::uint64_t(threads_) * j);
  }
  std::size_t step_of(std::uint64_t slot) const { return cycle_[slot % cycle_.size()]; }
  // Offset of a slot from the start of the run (open model only).
  std::chrono::nanoseconds offset_of(std::uint64_t slot) const {
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(slot) * 1e9 / rate_ + 0.5));
  }

private:
  double rate_;
  Shard shard_;
  unsigned threads_;
  unsigned thread_;
  std::vector<std::uint16_t> cycle_;
};

} // namespace konform::load
