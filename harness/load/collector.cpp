// The per-interval data of the workers and the place where threads hand it to the controller.
#include "load/collector.h"

#include <algorithm>

namespace konform::load {

void HotCounters::add(const HotCounters& o) {
  requests += o.requests;
  bytes += o.bytes;
  errors.add(o.errors);
  for (std::size_t i = 0; i < status.size(); ++i)
    status[i] += o.status[i];
}

Counters HotCounters::to_counters() const {
  Counters c;
  c.requests = requests;
  c.bytes = bytes;
  c.errors = errors;
  for (std::size_t i = 0; i < status.size(); ++i)
    if (status[i] != 0) c.status[static_cast<int>(i)] = status[i];
  return c;
}

void StepData::add(const StepData& o) {
  (void)corrected.add(o.corrected); // same geometry: cannot fail
  (void)uncorrected.add(o.uncorrected);
  (void)time_to_first_row.add(o.time_to_first_row);
  counters.add(o.counters);
  streams += o.streams;
  rows += o.rows;
  stream_seconds += o.stream_seconds;
}

void StepData::reset() {
  corrected.reset();
  uncorrected.reset();
  time_to_first_row.reset();
  counters.reset();
  streams = rows = 0;
  stream_seconds = 0;
}

void IntervalData::add(const IntervalData& o) {
  (void)corrected.add(o.corrected);
  (void)uncorrected.add(o.uncorrected);
  (void)lag.add(o.lag);
  for (std::size_t i = 0; i < steps.size() && i < o.steps.size(); ++i)
    steps[i].add(o.steps[i]);
  counters.add(o.counters);
  sent += o.sent;
  late += o.late;
  dropped += o.dropped;
  unfinished += o.unfinished;
  validated += o.validated;
  violations += o.violations;
}

void IntervalData::reset() {
  corrected.reset();
  uncorrected.reset();
  lag.reset();
  for (auto& s : steps)
    s.reset();
  counters.reset();
  sent = late = dropped = unfinished = validated = violations = 0;
}

// Two spares from the start, allocated before the run is measured (but after its start time is
// fixed: more would delay the first sends): one for a thread's first hand-over and one for a
// controller that falls a second behind. With more threads than that, the first hand-overs
// allocate; the storage the controller recycles then covers the later ones.
Collector::Collector(unsigned threads, std::size_t steps)
    : steps_(steps), published_upto_(threads), finished_(threads, false) {
  for (int i = 0; i < 2; ++i)
    spare_.push_back(std::make_unique<IntervalData>(steps_));
}

std::unique_ptr<IntervalData> Collector::publish(unsigned thread, std::uint64_t index,
                                                 std::unique_ptr<IntervalData> data) {
  std::unique_ptr<IntervalData> next;
  {
    std::lock_guard lock(mu_);
    pending_[index].push_back(std::move(data));
    published_upto_[thread] = index;
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  cv_.notify_all();
  if (!next) next = std::make_unique<IntervalData>(steps_); // no spare (yet)
  return next;
}

std::unique_ptr<IntervalData> Collector::fresh() {
  return std::make_unique<IntervalData>(steps_);
}

void Collector::finish(unsigned thread, std::vector<std::string> violation_examples,
                       std::vector<std::string> malformed_examples) {
  std::lock_guard lock(mu_);
  finished_[thread] = true;
  for (auto& e : violation_examples)
    if (examples_.size() < 5) examples_.push_back(std::move(e));
  for (auto& e : malformed_examples)
    if (malformed_examples_.size() < 5 &&
        std::find(malformed_examples_.begin(), malformed_examples_.end(), e) ==
            malformed_examples_.end())
      malformed_examples_.push_back(std::move(e));
  cv_.notify_all();
}

std::vector<std::pair<std::uint64_t, std::unique_ptr<IntervalData>>>
Collector::take_complete(std::chrono::milliseconds wait) {
  std::vector<std::pair<std::uint64_t, std::vector<std::unique_ptr<IntervalData>>>> parts;
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait);
    // An interval is complete when every thread published it or has finished.
    std::optional<std::uint64_t> complete_upto;
    bool all_done = true;
    for (std::size_t t = 0; t < finished_.size(); ++t) {
      if (finished_[t]) continue;
      all_done = false;
      if (!published_upto_[t]) return {};
      complete_upto =
          complete_upto ? std::min(*complete_upto, *published_upto_[t]) : *published_upto_[t];
    }
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (!all_done && it->first > *complete_upto) break;
      parts.emplace_back(it->first, std::move(it->second));
      it = pending_.erase(it);
    }
  }
  // Outside the lock: a thread that publishes meanwhile does not wait for the additions.
  std::vector<std::pair<std::uint64_t, std::unique_ptr<IntervalData>>> out;
  for (auto& [index, list] : parts) {
    for (std::size_t i = 1; i < list.size(); ++i) {
      list[0]->add(*list[i]);
      recycle(std::move(list[i]));
    }
    out.emplace_back(index, std::move(list[0]));
  }
  return out;
}

void Collector::recycle(std::unique_ptr<IntervalData> data) {
  data->reset();
  std::lock_guard lock(mu_);
  spare_.push_back(std::move(data));
}

bool Collector::all_finished() {
  std::lock_guard lock(mu_);
  return std::all_of(finished_.begin(), finished_.end(), [](bool f) { return f; });
}

std::vector<std::string> Collector::examples() {
  std::lock_guard lock(mu_);
  return examples_;
}

std::vector<std::string> Collector::malformed_examples() {
  std::lock_guard lock(mu_);
  return malformed_examples_;
}

} // namespace konform::load
