// `konform record`: turns real client traffic into a scenario with its goldens, either as a
// recording proxy in front of an upstream (or the embedded reference endpoint) or from a HAR file.
#include "cli/app.h"
#include "load/threshold.h"
#include "record/convert.h"
#include "record/har.h"
#include "record/proxy.h"
#include "serve/reference_endpoint.h"

#include <cxxopts.hpp>
#include <pthread.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace konform::cli {
namespace {

namespace fs = std::filesystem;

void print_summary(const record::Summary& s, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings)
    std::cerr << "konform record: warning: " << w << "\n";
  for (const auto& f : s.scenarios)
    std::cout << "wrote " << f << "\n";
  std::cout << "  " << s.steps << " step" << (s.steps == 1 ? "" : "s") << ", " << s.goldens
            << " golden file" << (s.goldens == 1 ? "" : "s") << ", " << s.body_files << " body file"
            << (s.body_files == 1 ? "" : "s") << "\n";
  if (!s.correlations.empty()) {
    std::cout << "correlated (replays against a fresh server):\n";
    for (const auto& c : s.correlations)
      std::cout << "  " << c << "\n";
  }
  if (s.redactions.empty()) {
    std::cout << "redacted: nothing (no Authorization, cookie or SAS seen)\n";
  } else {
    std::cout << "redacted:\n";
    for (const auto& r : s.redactions)
      std::cout << "  " << r << "\n";
  }
  for (const auto& w : s.warnings)
    std::cerr << "konform record: warning: " << w << "\n";
}

int record_main(int argc, char** argv) {
  cxxopts::Options opts(
      "konform record",
      "Record real client traffic as a scenario with golden files: a forwarding proxy in front "
      "of --upstream (or of the embedded reference endpoint), or a HAR file (--from-har).");
  opts.add_options()("out", "Scenario file to write (FILE.json)", cxxopts::value<std::string>())(
      "golden", "Folder for the golden files (default: FILE.golden/ beside the scenario)",
      cxxopts::value<std::string>())("name", "Scenario name (default: the file's stem)",
                                     cxxopts::value<std::string>())(
      "force", "Overwrite an existing --out and its goldens")(
      "no-correlate", "Keep recorded ids literal instead of capturing them into ${variables}")(
      "from-har", "Convert this HTTP Archive 1.2 file instead of proxying",
      cxxopts::value<std::string>())(
      "upstream",
      "Upstream URL (http:// or https://); without it the embedded reference endpoint is the "
      "upstream",
      cxxopts::value<std::string>())("ksql-upstream",
                                     "Upstream URL for ksqlDB paths (/ksql, /query, /status/...)",
                                     cxxopts::value<std::string>())(
      "listen", "Proxy listener host:port (loopback; port 0 = any free port)",
      cxxopts::value<std::string>()->default_value("127.0.0.1:8079"))(
      "ca-file", "PEM file with extra trust anchors for https upstreams",
      cxxopts::value<std::string>())("insecure",
                                     "Do not verify TLS certificates (test servers only)")(
      "max-exchanges", "Stop after N recorded exchanges",
      cxxopts::value<std::size_t>()->default_value("0"))(
      "duration", "Stop after this long (e.g. 30s, 500ms; a bare number is seconds)",
      cxxopts::value<std::string>())("quiet", "Do not print one line per exchange")(
      "dry-run", "Proxy and record, but write nothing: print how many exchanges were recorded "
                 "(measures the proxy, bench/record_vs_nginx.sh)")("h,help", "Show this help");
  std::string out, har;
  record::ConvertOptions convert;
  record::ProxyOptions proxy_options;
  bool force = false;
  bool dry_run = false;
  try {
    auto args = opts.parse(argc, argv);
    if (args.count("help")) {
      std::cout << opts.help() << "\n";
      return exit_ok;
    }
    auto text = [&](const char* name) {
      return args.count(name) ? args[name].as<std::string>() : std::string();
    };
    out = text("out");
    if (out.empty()) {
      std::cerr << "konform record: --out FILE.json is required: the scenario to write\n";
      return exit_bad_input;
    }
    har = text("from-har");
    force = args.count("force") > 0;
    dry_run = args.count("dry-run") > 0;
    convert.out = out;
    convert.golden_dir = text("golden");
    convert.name = text("name");
    convert.correlate = args.count("no-correlate") == 0;
    proxy_options.upstream = text("upstream");
    proxy_options.ksql_upstream = text("ksql-upstream");
    proxy_options.listen = args["listen"].as<std::string>();
    proxy_options.ca_file = text("ca-file");
    proxy_options.insecure = args.count("insecure") > 0;
    proxy_options.max_exchanges = args["max-exchanges"].as<std::size_t>();
    if (args.count("duration")) {
      auto us = load::parse_duration_us(text("duration"));
      if (!us || *us <= 0) {
        std::cerr << "konform record: --duration " << text("duration")
                  << ": write a duration such as 30s, 1.5s or 500ms\n";
        return exit_bad_input;
      }
      proxy_options.duration = std::chrono::milliseconds(static_cast<long long>(*us / 1000) + 1);
    }
    if (!har.empty() && (!proxy_options.upstream.empty() || !proxy_options.ksql_upstream.empty())) {
      std::cerr << "konform record: --from-har converts a file; it takes no --upstream\n";
      return exit_bad_input;
    }
    // Reported at once, whatever --quiet says: the user learns that this run will not be written
    // while the client is still running.
    proxy_options.error = [](const std::string& why) {
      std::cerr << "konform record: error: " << why
                << " — the proxy keeps forwarding, but the recording is incomplete and will not be "
                   "written\n";
    };
    if (!args.count("quiet"))
      proxy_options.log = [](const std::string& line) {
        static std::mutex mu; // the proxy's threads log at once: one whole line each
        std::lock_guard lock(mu);
        std::cerr << "  " << line << "\n";
      };
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "konform record: " << e.what() << " (see konform record --help)\n";
    return exit_bad_input;
  }
  // Refused before anything runs: an hour of recording must not end in "file exists".
  if (auto st = record::check_out(out, force || dry_run); !st) {
    std::cerr << "konform record: " << st.error().message << "\n";
    return exit_bad_input;
  }

  std::vector<record::Exchange> exchanges;
  std::vector<std::string> warnings;
  std::size_t lost = 0; // exchanges forwarded but not kept (a spill or spool file write failed)
  std::string lost_reason;
  if (!har.empty()) {
    auto loaded = record::load_har(har, &warnings);
    if (!loaded) {
      std::cerr << "konform record: " << loaded.error().message << "\n";
      return exit_bad_input;
    }
    exchanges = std::move(*loaded);
  } else {
    // Signals are blocked before any thread starts, so only the sigtimedwait below takes them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    // A file size limit (ulimit -f) makes a spill write fail with EFBIG, reported like a full
    // disk, instead of killing the proxy in the middle of the client's session.
    std::signal(SIGXFSZ, SIG_IGN);

    std::unique_ptr<serve::ReferenceEndpoint> embedded;
    if (proxy_options.upstream.empty()) {
      if (!proxy_options.ksql_upstream.empty()) {
        std::cerr << "konform record: --ksql-upstream needs --upstream (Kusto's)\n";
        return exit_bad_input;
      }
      auto started = serve::ReferenceEndpoint::start({});
      if (!started) {
        std::cerr << "konform record: the embedded reference endpoint did not start: "
                  << started.error().message << "\n";
        return exit_runtime;
      }
      embedded = std::move(*started);
      proxy_options.upstream = embedded->kusto_url();
      proxy_options.ksql_upstream = embedded->ksql_url();
    }
    fs::path dir = fs::path(out).parent_path();
    std::error_code ec;
    if (!dir.empty()) fs::create_directories(dir, ec);
    proxy_options.spool_dir = dir.empty() ? "." : dir.string();
    std::string upstreams =
        proxy_options.upstream + (proxy_options.ksql_upstream.empty()
                                      ? ""
                                      : " (ksqlDB paths: " + proxy_options.ksql_upstream + ")");
    auto proxy = record::Proxy::start(proxy_options);
    if (!proxy) {
      std::cerr << "konform record: " << proxy.error().message << "\n";
      return exit_runtime;
    }
    std::cerr << "konform record: recording on " << (*proxy)->url() << " → "
              << (embedded ? "the embedded reference endpoint " : "") << upstreams
              << " (Ctrl-C to stop and write " << out << ")\n";
    timespec tick{0, 100 * 1000 * 1000};
    while (!(*proxy)->finished()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) break;
    }
    exchanges = (*proxy)->take_exchanges();
    lost = (*proxy)->lost();
    lost_reason = (*proxy)->lost_reason();
    if (auto n = (*proxy)->unreachable(); n > 0)
      warnings.push_back(std::to_string(n) + " request" + (n == 1 ? " was" : "s were") +
                         " answered 502 because the upstream was unreachable (not recorded)");
    if (embedded) embedded->stop();
  }

  if (lost > 0) {
    // A scenario missing some steps would not replay as the client ran it (a later step may use
    // what a lost one created): nothing is written, and the run fails.
    for (const auto& w : warnings)
      std::cerr << "konform record: warning: " << w << "\n";
    std::cerr << "konform record: error: the recording is incomplete: " << lost << " of "
              << lost + exchanges.size() << " exchange" << (lost + exchanges.size() == 1 ? "" : "s")
              << " could not be kept (" << lost_reason << "); nothing was written\n";
    record::discard_spool(exchanges);
    return exit_runtime;
  }
  if (dry_run) {
    std::cout << "recorded " << exchanges.size() << " exchange"
              << (exchanges.size() == 1 ? "" : "s") << " (--dry-run: nothing written)\n";
    for (const auto& w : warnings)
      std::cerr << "konform record: warning: " << w << "\n";
    record::discard_spool(exchanges);
    return exit_ok;
  }
  record::Staging staging;
  auto summary = record::convert(exchanges, convert, staging);
  int code = exit_ok;
  if (!summary) {
    for (const auto& w : warnings)
      std::cerr << "konform record: warning: " << w << "\n";
    std::cerr << "konform record: " << summary.error().message << "\n";
    code = exchanges.empty() ? exit_failed : exit_runtime;
  } else if (auto st = staging.commit(); !st) {
    std::cerr << "konform record: " << st.error().message << "\n";
    code = exit_runtime;
  } else {
    print_summary(*summary, warnings);
  }
  record::discard_spool(exchanges);
  return code;
}

const bool registered = register_command(
    {"record", "record client traffic (proxy or HAR) as a scenario with golden files",
     record_main});

} // namespace
} // namespace konform::cli
