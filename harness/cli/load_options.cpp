#include "cli/load_options.h"

#include "cli/words.h"
#include "core/text.h"
#include "http/url.h"

#include <limits>

namespace konform::cli {
namespace {

cxxopts::Options load_command_options() {
  cxxopts::Options opts(
      "konform load",
      "Load a target with one request (--url) or the steps of scenarios as a weighted mix.\n"
      "Without --url/--target the embedded reference endpoint is started on loopback.");
  opts.positional_help("[SCENARIO...]");
  // Numbers are read as text and checked here, so a bad one is named with what to write instead
  // (cxxopts would only say "Argument 'x' failed to parse").
  // clang-format off
  opts.add_options()
      ("url", "Load this one URL", cxxopts::value<std::string>())
      ("target", "Origin for scenario steps (http[s]://host:port)", cxxopts::value<std::string>())
      ("X,method", "Method for --url", cxxopts::value<std::string>()->default_value("GET"))
      ("H,header", "Header for --url, 'Name: value' (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("body-file", "Request body for --url", cxxopts::value<std::string>())
      ("as", "Protocol kind of --url's responses for --validate: " + protocol::kind_list(), cxxopts::value<std::string>())
      ("stream-for", "--url is an endless stream (ksqlDB /query): read each for this long", cxxopts::value<std::string>())
      ("weight", "Weight of a scenario step in the mix, step=N (repeatable; default 1)", cxxopts::value<std::vector<std::string>>())
      ("t,threads", "Threads", cxxopts::value<std::string>()->default_value("2"))
      ("c,connections", "Keep-alive connections, spread over the threads", cxxopts::value<std::string>()->default_value("10"))
      ("d,duration", "Measured duration (30s, 2m, ...)", cxxopts::value<std::string>()->default_value("10s"))
      ("n,requests", "Stop after this many requests instead of a duration", cxxopts::value<std::string>())
      ("warmup", "Run this long first, excluded from the results", cxxopts::value<std::string>()->default_value("0s"))
      ("timeout", "Per request", cxxopts::value<std::string>()->default_value("2s"))
      ("R,rate", "Open model: requests per second over all shards (0 = closed model)", cxxopts::value<std::string>()->default_value("0"))
      ("coalesce", "Closed model: the longest nap before reading responses in batches while many are outstanding (0 = off)", cxxopts::value<std::string>()->default_value("100us"))
      ("io", "Closed model over http: auto (io_uring where the kernel allows it, else epoll) or epoll; --http2 always runs on epoll", cxxopts::value<std::string>()->default_value("auto"))
      ("http2", "HTTP/2 as h2load speaks it: h2c with prior knowledge on http://, ALPN h2 over TLS on https://")
      ("m,max-concurrent-streams", "--http2: requests in flight on each connection (h2load's -m)", cxxopts::value<std::string>()->default_value("1"))
      ("max-in-flight", "Open model: drop scheduled sends beyond this many outstanding", cxxopts::value<std::string>()->default_value("0"))
      ("shard", "Run shard i/N of the schedule (0-based i), for distributed runs", cxxopts::value<std::string>())
      ("validate", "Validate sampled responses against the protocol and count violations")
      ("validate-every", "Validate one response in N per thread", cxxopts::value<std::string>()->default_value("100"))
      ("json", "Write the versioned JSON result here", cxxopts::value<std::string>())
      ("hlog", "Write an HdrHistogram interval log here", cxxopts::value<std::string>())
      ("hgrm", "Write the percentile distribution (wrk2 / HdrHistogram .hgrm) here", cxxopts::value<std::string>())
      ("html", "Write a self-contained HTML report (latency plots, intervals, errors, thresholds) here", cxxopts::value<std::string>())
      ("threshold", "Fail (exit 1) unless this holds: p99<50ms, error_rate<0.1%, rps>1000 ... (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("q,quiet", "No live line on stderr")
      ("scenarios", "Scenario files or folders", cxxopts::value<std::vector<std::string>>())
      ("h,help", "Show this help");
  // clang-format on
  add_variable_option(opts);
  add_connection_options(opts);
  BaselineGate::add_options(opts);
  opts.parse_positional({"scenarios"});
  return opts;
}

std::vector<std::string> list_of(const cxxopts::ParseResult& args, const char* name) {
  return args.count(name) ? args[name].as<std::vector<std::string>>() : std::vector<std::string>{};
}

// A whole number from `least` up; `what` says what the number counts, for the error.
Result<std::uint64_t> whole_number(const cxxopts::ParseResult& args, const char* name,
                                   std::uint64_t least, const char* what,
                                   std::uint64_t most = std::numeric_limits<unsigned>::max()) {
  const auto text = args[name].as<std::string>();
  auto n = text::parse_int(text);
  if (!n || *n < 0 || static_cast<std::uint64_t>(*n) < least ||
      static_cast<std::uint64_t>(*n) > most)
    return make_error("--" + std::string(name) + " '" + text + "': expected " +
                      (most == std::numeric_limits<unsigned>::max() ||
                               most == std::uint64_t(std::numeric_limits<std::int64_t>::max())
                           ? "at least " + std::to_string(least)
                           : std::to_string(least) + " to " + std::to_string(most)) +
                      " " + what + " (a whole number)");
  return static_cast<std::uint64_t>(*n);
}

Result<std::chrono::microseconds> duration_of(const cxxopts::ParseResult& args, const char* name) {
  const auto text = args[name].as<std::string>();
  auto us = load::parse_duration_us(text);
  if (!us)
    return make_error("--" + std::string(name) + " '" + text +
                      "': expected a duration such as 30s, 500ms, 2m or 1h (no unit = seconds)");
  return std::chrono::microseconds(static_cast<std::int64_t>(*us));
}

// Reads what sets the model and its limits into `run`.
Status read_model(const cxxopts::ParseResult& args, load::LoadOptions& run) {
  auto threads = whole_number(args, "threads", 1, "threads", 1024);
  if (!threads) return threads.error();
  run.threads = static_cast<unsigned>(*threads);
  auto connections = whole_number(args, "connections", 1, "keep-alive connections");
  if (!connections) return connections.error();
  run.connections = static_cast<unsigned>(*connections);
  for (auto [name, field] :
       {std::pair{"duration", &run.duration}, std::pair{"warmup", &run.warmup},
        std::pair{"timeout", &run.timeout}, std::pair{"coalesce", &run.coalesce.longest}}) {
    auto d = duration_of(args, name);
    if (!d) return d.error();
    *field = *d;
  }
  if (args.count("requests")) {
    auto n =
        whole_number(args, "requests", 1, "requests", std::numeric_limits<std::int64_t>::max());
    if (!n) return n.error();
    run.requests = *n;
  }
  const auto rate_text = args["rate"].as<std::string>();
  auto rate = text::parse_double(rate_text);
  if (!rate || !(*rate >= 0) || *rate > 1e9)
    return make_error("--rate '" + rate_text +
                      "': expected requests per second over all shards, a number from 0 (the "
                      "closed model) to 1e9");
  run.rate = *rate;
  const auto io = args["io"].as<std::string>();
  // HTTP/2 runs on the thread's epoll set only: asking it for io_uring would be ignored silently.
  if (args.count("http2") && io == "uring")
    return make_error("--io uring with --http2: HTTP/2 runs on epoll only (io_uring serves "
                      "HTTP/1.1 over plain http); drop --io, or drop --http2");
  if (io == "epoll")
    run.io_uring = false;
  else if (io != "auto")
    return make_error("--io '" + io + "': expected auto or epoll");
  auto in_flight = whole_number(args, "max-in-flight", 0, "outstanding requests (0 = no limit)",
                                std::numeric_limits<std::int64_t>::max());
  if (!in_flight) return in_flight.error();
  run.max_in_flight = *in_flight;
  run.http2 = args.count("http2") > 0;
  auto streams = whole_number(args, "max-concurrent-streams", 1, "streams per connection", 1024);
  if (!streams) return streams.error();
  run.max_concurrent_streams = static_cast<unsigned>(*streams);
  if (args.count("max-concurrent-streams") && !run.http2)
    return make_error("--max-concurrent-streams needs --http2 (HTTP/1.1 has one request in flight "
                      "per connection; raise -c instead)");
  run.validate = args.count("validate") > 0;
  auto every = whole_number(args, "validate-every", 1, "as N (one response in N is validated)");
  if (!every) return every.error();
  run.validate_every = static_cast<unsigned>(*every);
  if (args.count("shard")) {
    auto shard = load::parse_shard(text_of(args, "shard"));
    if (!shard) return shard.error();
    run.shard = *shard;
  }
  return Ok{};
}

// --url's request options, and which of --url, --target and scenarios were given together.
Status read_what_to_load(const cxxopts::ParseResult& args, LoadOptions& o) {
  o.url = text_of(args, "url");
  o.target = text_of(args, "target");
  o.scenario_paths = list_of(args, "scenarios");
  const bool url = args.count("url") > 0;
  if (url && !o.scenario_paths.empty())
    return make_error("give either --url or scenarios, not both");
  if (url && args.count("target"))
    return make_error("give either --url (one request) or --target (the origin of scenario "
                      "steps), not both");
  if (url || args.count("target")) {
    auto parsed = http::parse_url(url ? o.url : o.target);
    if (!parsed) return make_error((url ? "--url: " : "--target: ") + parsed.error().message);
    o.origin = *parsed;
  }
  // --url's options with scenarios, or --weight without them, would be ignored silently.
  if (!o.scenario_paths.empty())
    for (const char* name : {"method", "header", "body-file", "as", "stream-for"})
      if (args.count(name))
        return make_error("--" + std::string(name) +
                          " shapes the one request of --url; a scenario's steps carry their own "
                          "(drop --" +
                          name + ", or load --url without scenarios)");
  if (o.scenario_paths.empty() && args.count("weight"))
    return make_error("--weight sets the share of a scenario step in the mix: give scenario "
                      "files, or drop --weight");

  o.method = args["method"].as<std::string>();
  for (const auto& h : list_of(args, "header")) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0)
      return make_error("--header '" + h + "': expected 'Name: value'");
    o.headers.emplace_back(std::string(text::trim(h.substr(0, colon))),
                           std::string(text::trim(h.substr(colon + 1))));
  }
  o.body_file = text_of(args, "body-file");
  if (args.count("as")) {
    o.kind = protocol::parse_kind(text_of(args, "as"));
    if (!o.kind)
      return make_error("--as '" + text_of(args, "as") + "': unknown protocol kind (" +
                        protocol::kind_list() + ")");
  }
  if (args.count("stream-for")) {
    auto d = duration_of(args, "stream-for");
    if (!d) return d.error();
    o.stream_for = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  for (const auto& w : list_of(args, "weight")) {
    const auto eq = w.find('=');
    auto n = eq == std::string::npos ? std::nullopt : text::parse_int(w.substr(eq + 1));
    if (!n || *n < 0 || *n > 1000000)
      return make_error("--weight '" + w + "': expected step=N with N a whole number >= 0");
    o.weights[w.substr(0, eq)] = static_cast<unsigned>(*n);
  }
  return Ok{};
}

Result<LoadOptions> read(const cxxopts::ParseResult& args) {
  LoadOptions o;
  if (args.count("help")) {
    o.help = true;
    return o;
  }
  if (auto st = read_model(args, o.run); !st) return st.error();
  if (auto st = read_what_to_load(args, o); !st) return st.error();
  auto variables = read_variables(args);
  if (!variables) return variables.error();
  o.variables = std::move(*variables);
  o.connection = read_connection_options(args);
  o.run.ca_file = o.connection.ca_file;
  o.run.insecure = o.connection.insecure;
  for (const auto& t : list_of(args, "threshold")) {
    auto th = load::parse_threshold(t);
    if (!th) return th.error();
    if (o.run.rate <= 0 && th->metric.starts_with("lag_"))
      return make_error("--threshold '" + t +
                        "': the schedule lag is measured in the open model only; add -R RATE, or "
                        "drop this threshold");
    o.thresholds.push_back(std::move(*th));
  }
  auto baseline = parse_baseline_flags(args);
  if (!baseline) return baseline.error();
  o.baseline = std::move(*baseline);
  o.json = text_of(args, "json");
  o.hlog = text_of(args, "hlog");
  o.hgrm = text_of(args, "hgrm");
  o.html = text_of(args, "html");
  o.quiet = args.count("quiet") > 0;
  return o;
}

} // namespace

Result<LoadOptions> parse_load_options(const std::vector<std::string>& args) {
  auto opts = load_command_options();
  return parse_words<LoadOptions>(opts, "load", args, read);
}

std::string load_help() {
  return load_command_options().help();
}

} // namespace konform::cli
