#include "load/run_load.h"

#include "load/tls_setup.h"
#include "load/uring.h"
#include "load/worker.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cmath>
#include <thread>

namespace konform::load {
namespace {

// With -d the duration is a deadline: requests still outstanding when it ends get this much
// longer (at most --timeout) to be answered, then the run ends and they are abandoned as
// `unfinished`. Short, so a stalled server cannot stretch a 3 s run to the --timeout; not zero,
// so the requests a healthy server has in flight at the end (one per connection) still count.
constexpr auto abandon_grace = std::chrono::milliseconds(100);

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

Result<std::vector<boost::asio::ip::tcp::endpoint>> resolve(const http::Url& origin) {
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::resolver resolver(ctx);
  boost::system::error_code ec;
  auto results = resolver.resolve(origin.host, std::to_string(origin.port), ec);
  if (ec || results.empty())
    return make_error("cannot resolve " + origin.host + ": " + ec.message() +
                          " (check the host name in --url/--target)",
                      ErrorKind::connect);
  std::vector<boost::asio::ip::tcp::endpoint> out;
  for (const auto& r : results)
    out.push_back(r.endpoint());
  return out;
}

// Whether the load threads get io_uring: asked for, applicable, and allowed by this kernel.
bool use_uring(const LoadOptions& o) {
  if (!o.io_uring || o.origin.tls || o.http2 || o.rate > 0) return false;
  std::error_code ec;
  return Uring::open(2, ec) != nullptr;
}

std::vector<std::string> describe(const LoadOptions& o, unsigned threads, unsigned connections,
                                  bool uring) {
  std::vector<std::string> s;
  s.push_back("target=" + o.origin.origin());
  s.push_back("threads=" + std::to_string(threads));
  s.push_back("connections=" + std::to_string(connections));
  s.push_back(o.rate > 0 ? "model=open" : "model=closed");
  if (o.rate > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "rate=%.3f", o.rate);
    s.push_back(buf);
  }
  if (o.requests)
    s.push_back("requests=" + std::to_string(*o.requests));
  else
    s.push_back("duration_s=" + std::to_string(seconds(o.duration)));
  s.push_back("warmup_s=" + std::to_string(seconds(o.warmup)));
  s.push_back("timeout_ms=" + std::to_string(o.timeout.count() / 1000));
  if (o.rate <= 0) s.push_back("coalesce_us=" + std::to_string(o.coalesce.longest.count()));
  if (o.http2) // on the thread's epoll set, over TLS too: HTTP/2 has no io_uring path
    s.push_back("http=2 max_concurrent_streams=" + std::to_string(o.max_concurrent_streams));
  if (o.http2 || !o.origin.tls) s.push_back(uring ? "io=io_uring" : "io=epoll");
  if (o.max_in_flight) s.push_back("max_in_flight=" + std::to_string(o.max_in_flight));
  s.push_back("shard=" + std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count));
  s.push_back("steps=" + std::to_string(o.steps.size()));
  if (o.validate) s.push_back("validate_every=" + std::to_string(o.validate_every));
  return s;
}

} // namespace

Result<LoadResult> run_load(const LoadOptions& options) {
  if (options.steps.empty())
    return make_error("nothing to load: give --url or a scenario with at least one step");
  if (options.steps.size() > 65535) return make_error("too many steps in the mix (at most 65535)");
  if (options.threads == 0 || options.connections == 0)
    return make_error("--threads and --connections must be at least 1");
  if (options.rate < 0 || !std::isfinite(options.rate))
    return make_error("--rate must be a positive number of requests per second");
  if (options.requests && *options.requests == 0)
    return make_error("--requests must be at least 1");
  if (!options.requests && options.duration.count() <= 0)
    return make_error("--duration must be positive");
  if (options.validate && options.validate_every == 0)
    return make_error("--validate-every must be at least 1");
  for (const auto& s : options.steps)
    if (s.streaming && s.stream_for.count() <= 0)
      return make_error("step '" + s.name + "' streams: it needs a positive stream duration");

  auto endpoints = resolve(options.origin);
  if (!endpoints) return endpoints.error();
  if (auto st = check_tls_target(options); !st) return st.error();
  const auto steps = prepare_steps(options);
  // Never more threads than connections: a thread without a connection would only spin.
  const unsigned threads = std::min(options.threads, options.connections);
  const bool open = options.rate > 0;

  const auto start = Clock::now() + std::chrono::milliseconds(20); // threads are up by then
  const auto measure_start = start + options.warmup;
  std::uint64_t total_slots = options.requests.value_or(0);
  Clock::time_point window_end = Clock::time_point::max();
  if (open) {
    if (!options.requests)
      total_slots = static_cast<std::uint64_t>(
          std::ceil(seconds(options.warmup + options.duration) * options.rate));
    window_end = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                             static_cast<double>(total_slots) * 1e9 / options.rate));
  } else if (!options.requests) {
    window_end = measure_start + options.duration;
  }
  const auto measure_epoch =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() +
      seconds(measure_start - Clock::now());

  Collector collector(threads, steps.size());
  const bool uring = use_uring(options);
  std::vector<WorkerConfig> configs(threads);
  for (unsigned t = 0; t < threads; ++t) {
    auto& c = configs[t];
    c.index = t;
    c.threads = threads;
    c.connections = options.connections / threads + (t < options.connections % threads ? 1 : 0);
    c.options = &options;
    c.steps = &steps;
    c.endpoints = *endpoints;
    c.start = start;
    c.measure_start = measure_start;
    c.total_slots = total_slots;
    c.deadline = window_end;
    if (!options.requests)
      c.abandon_at = window_end + std::min<Clock::duration>(options.timeout, abandon_grace);
    c.use_uring = uring;
  }
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&configs, &collector, t] { run_worker(configs[t], collector); });

  LoadResult result;
  result.open_model = open;
  result.http2 = options.http2;
  result.target_rate = open ? options.rate / options.shard.count : 0;
  result.settings = describe(options, threads, options.connections, uring);
  IntervalData totals(steps.size());
  auto last_live = Clock::now();
  // The live line's errors: failed attempts, each once, as in the error rate of the summary.
  auto failed_so_far = [&totals] {
    const auto& e = totals.counters.errors;
    return e.failed_responses + e.unanswered() + totals.dropped;
  };

  auto deliver = [&](std::uint64_t index, IntervalData& data, bool last) {
    totals.add(data);
    const double begin = static_cast<double>(index);
    double length = 1.0;
    if (last)
      length = std::clamp(seconds(std::min(Clock::now(), window_end) - measure_start) - begin,
                          0.001, 1.0);
    if (options.on_interval) {
      IntervalView view;
      view.start_epoch_s = measure_epoch + begin;
      view.length_s = length;
      view.corrected = &data.corrected;
      view.uncorrected = &data.uncorrected;
      view.lag = open ? &data.lag : nullptr;
      for (std::size_t i = 0; i < steps.size(); ++i)
        view.steps.push_back({steps[i].name, &data.steps[i].corrected, &data.steps[i].uncorrected});
      options.on_interval(view);
    }
    if (options.on_live) {
      LiveSample live;
      live.elapsed_s = seconds(Clock::now() - start);
      live.achieved_rps = static_cast<double>(data.counters.requests) / length;
      live.target_rps = result.target_rate;
      live.p50_us = totals.corrected.value_at_percentile(50);
      live.p99_us = totals.corrected.value_at_percentile(99);
      live.requests = totals.counters.requests;
      live.errors = failed_so_far();
      options.on_live(live);
      last_live = Clock::now();
    }
  };

  for (;;) {
    const bool finished = collector.all_finished();
    auto ready = collector.take_complete(std::chrono::milliseconds(finished ? 0 : 200));
    for (std::size_t i = 0; i < ready.size(); ++i) {
      deliver(ready[i].first, *ready[i].second, finished && i + 1 == ready.size());
      collector.recycle(std::move(ready[i].second));
    }
    if (finished) break;
    if (options.on_live && Clock::now() - last_live > std::chrono::milliseconds(1100)) {
      LiveSample live; // warm-up, or nothing completed this second
      live.elapsed_s = seconds(Clock::now() - start);
      live.warming_up = Clock::now() < measure_start;
      live.target_rps = result.target_rate;
      live.requests = totals.counters.requests;
      live.errors = failed_so_far();
      options.on_live(live);
      last_live = Clock::now();
    }
  }
  for (auto& w : workers)
    w.join();
  const auto end = Clock::now();

  result.duration_s = std::max(0.0, seconds(std::min(end, window_end) - measure_start));
  result.corrected = std::move(totals.corrected);
  result.uncorrected = std::move(totals.uncorrected);
  result.lag = std::move(totals.lag);
  result.counters = totals.counters.to_counters();
  result.sent = totals.sent;
  result.late = totals.late;
  result.dropped = totals.dropped;
  result.unfinished = totals.unfinished;
  result.validated = totals.validated;
  result.violations = totals.violations;
  result.violation_examples = collector.examples();
  result.malformed_examples = collector.malformed_examples();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    StepResult s;
    s.name = steps[i].name;
    auto& d = totals.steps[i];
    s.corrected = std::move(d.corrected);
    s.uncorrected = std::move(d.uncorrected);
    s.counters = d.counters.to_counters();
    s.stream.streams = d.streams;
    s.stream.rows = d.rows;
    s.stream.seconds = d.stream_seconds;
    s.stream.time_to_first_row = std::move(d.time_to_first_row);
    result.steps.push_back(std::move(s));
  }
  return result;
}

} // namespace konform::load
