#pragma once
// What `konform load` runs: the target, the requests (steps of a weighted mix, each serialised
// once before the run) and the load model.
#include "core/result.h"
#include "http/message.h"
#include "http/url.h"
#include "load/coalesce.h"
#include "protocol/validate.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace konform::load {

// One request of the mix.
struct Step {
  std::string name;       // per-step breakdown and hlog tag
  http::Request request;  // target relative to the origin; Host/Content-Length are added
  unsigned weight = 1;    // share of the mix
  bool gzip_body = false; // send the body gzip-compressed (Content-Encoding: gzip)
  // A push query that never ends (ksqlDB /query without LIMIT): read for stream_for, then close
  // the connection and count it as one stream (time to first row, rows per second).
  bool streaming = false;
  std::chrono::milliseconds stream_for{0};
  std::optional<protocol::Kind> kind; // what --validate checks the response as; detected if unset
};

struct Shard {
  unsigned index = 0; // 0-based
  unsigned count = 1;
};

struct IntervalView; // result.h
struct LiveSample;

struct LoadOptions {
  http::Url origin; // scheme, host, port of every step
  std::vector<Step> steps;
  std::string bearer_token; // sent as Authorization: Bearer; never logged or reported
  std::string ca_file;
  bool insecure = false; // https without certificate verification (test servers)

  unsigned threads = 2;
  unsigned connections = 10; // spread over the threads (at least one per thread)
  std::chrono::microseconds duration{std::chrono::seconds(10)};
  std::optional<std::uint64_t> requests; // -n: stop after this many (instead of duration)
  std::chrono::microseconds warmup{0};
  std::chrono::microseconds timeout{std::chrono::seconds(2)};

  double rate = 0; // requests per second over all shards; 0 = closed model
  // Closed model, plain http: nap up to this long to read responses in batches while enough
  // requests are outstanding (coalesce.h); 0 reads every response as soon as it arrives, as wrk
  // does.
  CoalescePolicy coalesce{std::chrono::microseconds(100)};
  // Closed model, plain http: io_uring where the kernel allows it (uring.h), else epoll;
  // false (--io epoll): always epoll.
  bool io_uring = true;
  // --http2: h2c with prior knowledge (http:// only), `max_concurrent_streams` requests in flight
  // on each connection (h2load's -m).
  bool http2 = false;
  unsigned max_concurrent_streams = 1;
  std::uint64_t max_in_flight = 0; // open model: scheduled sends beyond this are dropped; 0 = none
  Shard shard;

  bool validate = false;
  unsigned validate_every = 100; // validate one response in N (per thread)

  // Called on the calling thread once a second (live line) and once per finished interval (hlog).
  std::function<void(const LiveSample&)> on_live;
  std::function<void(const IntervalView&)> on_interval;
};

// "i/N" with a 0-based i (0/4 .. 3/4), so a Kubernetes Indexed Job passes its
// JOB_COMPLETION_INDEX as is; the error says what a valid value looks like.
Result<Shard> parse_shard(std::string_view text);

} // namespace konform::load
