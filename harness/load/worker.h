#pragma once
// One load thread: its own event loop, its own connections, its own histograms and counters.
// Nothing in the request path is shared with other threads; once a second the thread hands its
// interval data to the Collector (one mutex acquisition per second per thread). The thread's
// transport (plain epoll, io_uring, TLS, HTTP/2) is chosen once when it starts (worker.cpp).
#include "load/collector.h"
#include "load/options.h"
#include "load/result.h"
#include "load/schedule.h"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace konform::load {

// A step serialised once: the exact bytes every send of it writes.
struct PreparedStep {
  std::string name;
  std::string wire;
  bool head = false;
  bool streaming = false;
  std::chrono::microseconds stream_for{0};
  std::optional<protocol::Kind> kind;
  std::string accept;
  // HTTP/2 (--http2): the same request as header fields, pseudo-headers first, and its body.
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
};

std::vector<PreparedStep> prepare_steps(const LoadOptions& options);

struct WorkerConfig {
  unsigned index = 0;
  unsigned threads = 1;
  unsigned connections = 1;
  const LoadOptions* options = nullptr;
  const std::vector<PreparedStep>* steps = nullptr;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  Clock::time_point start;         // slot 0 / the run's start
  Clock::time_point measure_start; // start + warmup
  std::uint64_t total_slots = 0;   // open model, or closed model with -n; 0 = until the deadline
  Clock::time_point deadline;      // no new sends after this
  // -d: the run ends here even with requests outstanding (they are abandoned as `unfinished`);
  // max() with -n, where every request gets its --timeout.
  Clock::time_point abandon_at = Clock::time_point::max();
  bool use_uring = false; // plain http, closed model: io_uring (run_load probed it)
};

// Runs the thread's connections until its share of the schedule is done. Blocking.
void run_worker(const WorkerConfig& config, Collector& collector);

} // namespace konform::load
