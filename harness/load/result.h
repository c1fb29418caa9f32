#pragma once
// What a load run (or a merge of interval logs) measured. Latencies are microseconds.
#include "load/histogram.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace konform::load {

// The error categories of the report (wrk's socket errors plus HTTP and protocol failures).
struct ErrorCounts {
  std::uint64_t connect = 0;
  std::uint64_t read = 0;
  std::uint64_t write = 0;
  std::uint64_t timeout = 0;
  std::uint64_t status = 0;   // responses with status >= 400
  std::uint64_t protocol = 0; // unparseable HTTP, or a sampled response the validator rejects
  // Not categories, but what the error rate needs to count every failed attempt once:
  // `malformed`: the part of `protocol` that was no HTTP response at all (the parser gave up, or
  // bytes came that nobody asked for); no response was counted for it.
  // `failed_responses`: responses (counted in Counters::requests) that are in `status` and/or
  // `protocol` (a 500 whose body also breaks the protocol is one failed response).
  std::uint64_t malformed = 0;
  std::uint64_t failed_responses = 0;
  std::uint64_t total() const { return connect + read + write + timeout + status + protocol; }
  // Attempts that ended without a response: each is one failed attempt.
  std::uint64_t unanswered() const { return connect + read + write + timeout + malformed; }
  void add(const ErrorCounts& o) {
    connect += o.connect;
    read += o.read;
    write += o.write;
    timeout += o.timeout;
    status += o.status;
    protocol += o.protocol;
    malformed += o.malformed;
    failed_responses += o.failed_responses;
  }
};

// Streaming /query steps: one "stream" per request that was read for stream_for.
struct StreamStats {
  std::uint64_t streams = 0;
  std::uint64_t rows = 0;
  double seconds = 0;          // summed stream durations
  Histogram time_to_first_row; // µs from the send to the first body bytes
  double rows_per_second() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

struct Counters {
  std::uint64_t requests = 0; // responses received (any status) in the measured window
  std::uint64_t bytes = 0;    // response bytes (headers and body)
  std::map<int, std::uint64_t> status;
  ErrorCounts errors;
  void add(const Counters& o) {
    requests += o.requests;
    bytes += o.bytes;
    for (const auto& [code, n] : o.status)
      status[code] += n;
    errors.add(o.errors);
  }
};

struct StepResult {
  std::string name;
  Histogram corrected;   // from the intended send time (= uncorrected in the closed model)
  Histogram uncorrected; // from the actual send time
  Counters counters;
  StreamStats stream;
};

struct LoadResult {
  static constexpr int json_version = 1;
  std::string tool = "konform load";
  bool open_model = false;
  bool http2 = false;     // the run spoke HTTP/2: diagnoses then name HTTP/2, not HTTP/1.x
  double target_rate = 0; // requests/s of this process (after --shard)
  double duration_s = 0;  // measured window
  Histogram corrected;
  Histogram uncorrected;
  Histogram lag; // actual − intended send time (open model)
  Counters counters;
  std::uint64_t sent = 0; // requests written
  std::uint64_t late = 0; // sends more than 1 ms behind their intended time
  // Scheduled sends never made: --max-in-flight, the queue bound, or still queued at the end.
  std::uint64_t dropped = 0;
  // Requests still unanswered when the duration ended (they had waited less than --timeout):
  // abandoned, neither a response nor an error, in no histogram and not in the error rate.
  std::uint64_t unfinished = 0;
  std::uint64_t validated = 0;                 // responses run through the protocol validator
  std::uint64_t violations = 0;                // of those, how many had at least one violation
  std::vector<std::string> violation_examples; // the first few, "step: rule: message"
  std::vector<std::string> malformed_examples; // the first few, "step: what the parser found"
  std::vector<StepResult> steps;
  std::vector<std::string> settings; // "threads=2", "connections=10", ... for the report

  double rps() const {
    return duration_s > 0 ? static_cast<double>(counters.requests) / duration_s : 0;
  }
  double bytes_per_second() const {
    return duration_s > 0 ? static_cast<double>(counters.bytes) / duration_s : 0;
  }
  // Every attempt once: a response (good or failed), a failure without a response (connect,
  // read, write, timeout, malformed) or a dropped send. The console, the JSON and the
  // error_rate threshold all use these.
  std::uint64_t attempted() const {
    return counters.requests + counters.errors.unanswered() + dropped;
  }
  std::uint64_t failed() const {
    return counters.errors.failed_responses + counters.errors.unanswered() + dropped;
  }
  double error_rate() const { // failed ÷ attempted
    const auto attempts = attempted();
    return attempts ? static_cast<double>(failed()) / static_cast<double>(attempts) : 0;
  }
};

// One step's histograms of one interval.
struct IntervalStep {
  std::string name;
  const Histogram* corrected = nullptr;
  const Histogram* uncorrected = nullptr;
};

// One finished interval of the run (what the .hlog gets, one line per histogram).
struct IntervalView {
  double start_epoch_s = 0;
  double length_s = 0;
  const Histogram* corrected = nullptr;
  const Histogram* uncorrected = nullptr;
  const Histogram* lag = nullptr;
  std::vector<IntervalStep> steps;
};

// The once-a-second progress line.
struct LiveSample {
  double elapsed_s = 0;
  bool warming_up = false;
  double achieved_rps = 0; // last second
  double target_rps = 0;   // 0 in the closed model
  std::int64_t p50_us = 0; // corrected, so far
  std::int64_t p99_us = 0;
  std::uint64_t requests = 0; // so far
  std::uint64_t errors = 0;   // failed attempts so far, each once (LoadResult::failed)
  std::uint64_t in_flight = 0;
};

} // namespace konform::load
