// `konform serve`: the reference Kusto and ksqlDB endpoints in the foreground until SIGINT/SIGTERM.
#include "cli/app.h"
#include "serve/reference_endpoint.h"
#include "serve/token_file.h"

#include <cxxopts.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>

namespace konform::cli {
namespace {

// Request-supplied text for the terminal: anything but printable ASCII as \xNN, so a header
// cannot smuggle terminal control sequences (C1 controls, invalid UTF-8) into the log.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

int serve_main(int argc, char** argv) {
  cxxopts::Options opts("konform serve",
                        "Run the reference Kusto and ksqlDB endpoints (loopback by default).");
  opts.add_options()("listen", "Kusto listener host:port",
                     cxxopts::value<std::string>()->default_value("127.0.0.1:8080"))(
      "ksql-listen", "ksqlDB listener host:port",
      cxxopts::value<std::string>()->default_value("127.0.0.1:8088"))(
      "data", "Folder with databases to load (schema + CSV); default: the bundled sample",
      cxxopts::value<std::string>())("token",
                                     "Require 'Authorization: Bearer TOKEN' on every request "
                                     "(visible in ps: prefer --token-file)",
                                     cxxopts::value<std::string>())(
      "token-file",
      "Read the token for --token from FILE (one line; a trailing newline is dropped)",
      cxxopts::value<std::string>())("max-concurrent",
                                     "Answer 429 beyond N Kusto requests in flight (0 = no limit)",
                                     cxxopts::value<unsigned>()->default_value("0"))(
      "dm-listen",
      "Also run the Kusto data-management role (queued ingestion) on host:port; needs "
      "--azurite-blob/--azurite-queue",
      cxxopts::value<std::string>())(
      "azurite-blob",
      "Azure Storage (Azurite) blob endpoint for queued ingestion, e.g. http://127.0.0.1:10000",
      cxxopts::value<std::string>())(
      "azurite-queue",
      "Azure Storage (Azurite) queue endpoint for queued ingestion, e.g. http://127.0.0.1:10001",
      cxxopts::value<std::string>())(
      "azurite-table",
      "Azurite table endpoint for ReportMethod Table status, e.g. https://127.0.0.1:10002 (the "
      "SDKs need https)",
      cxxopts::value<std::string>())("azurite-ca",
                                     "PEM certificate(s) to trust for https Azurite endpoints",
                                     cxxopts::value<std::string>())(
      "ingest-limit", "Largest decompressed streaming-ingest body in bytes (larger: 413)",
      cxxopts::value<std::size_t>()->default_value("67108864"))(
      "query-cache",
      "Reuse the results of up to N distinct Kusto queries while the data is unchanged (0 = off)",
      cxxopts::value<std::size_t>()->default_value("256"))(
      "threads", "Server threads per listener (0 = one per core)",
      cxxopts::value<unsigned>()->default_value("0"))("quiet", "Do not log one line per request")(
      "h,help", "Show this help");
  auto args = opts.parse(argc, argv);
  if (args.count("help")) {
    std::cout << opts.help() << "\n";
    return exit_ok;
  }

  serve::EndpointOptions eo;
  eo.kusto_listen = args["listen"].as<std::string>();
  eo.ksql_listen = args["ksql-listen"].as<std::string>();
  eo.threads = args["threads"].as<unsigned>();
  if (args.count("data")) eo.kusto.data_dir = args["data"].as<std::string>();
  if (args.count("token") && args.count("token-file")) {
    std::cerr << "konform serve: give --token or --token-file, not both\n";
    return exit_bad_input;
  }
  if (args.count("token")) {
    eo.kusto.token = args["token"].as<std::string>();
    eo.ksql.token = eo.kusto.token;
  }
  if (args.count("token-file")) {
    auto token = serve::read_token_file(args["token-file"].as<std::string>());
    if (!token) {
      std::cerr << "konform serve: " << token.error().message << "\n";
      return exit_bad_input;
    }
    eo.kusto.token = std::move(token.value());
    eo.ksql.token = eo.kusto.token;
  }
  eo.kusto.max_concurrent = args["max-concurrent"].as<unsigned>();
  eo.kusto.ingest_limit = args["ingest-limit"].as<std::size_t>();
  eo.kusto.query_cache_entries = args["query-cache"].as<std::size_t>();
  if (args.count("dm-listen")) eo.kusto.dm_listen = args["dm-listen"].as<std::string>();
  if (args.count("azurite-blob")) eo.kusto.azurite_blob = args["azurite-blob"].as<std::string>();
  if (args.count("azurite-queue")) eo.kusto.azurite_queue = args["azurite-queue"].as<std::string>();
  if (args.count("azurite-table")) eo.kusto.azurite_table = args["azurite-table"].as<std::string>();
  if (args.count("azurite-ca")) eo.kusto.azurite_ca = args["azurite-ca"].as<std::string>();
  // Problems of the server itself (out of descriptors) are logged even with --quiet; the
  // server limits them to one message a minute.
  eo.error_log = [](const std::string& message) {
    std::fprintf(stderr, "konform serve: %s\n", message.c_str());
  };
  eo.kusto.dm_error_log = eo.error_log;
  if (!args.count("quiet")) {
    static std::mutex log_mu;
    eo.access_log = [](const serve::AccessLogEntry& e) {
      std::lock_guard lock(log_mu);
      // The note (a Kusto command's start) goes last: it may contain spaces.
      std::fprintf(stderr, "%s %s %s %d %.3fms %s%s%s\n", e.listener.c_str(), e.method.c_str(),
                   printable(e.target).c_str(), e.status,
                   static_cast<double>(e.latency.count()) / 1000.0,
                   e.client_request_id.empty() ? "-" : printable(e.client_request_id).c_str(),
                   e.note.empty() ? "" : " csl=", printable(e.note).c_str());
    };
    eo.kusto.dm_access_log = eo.access_log;
  }

  // Block the signals before any thread starts so that only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto endpoint = serve::ReferenceEndpoint::start(std::move(eo));
  if (!endpoint) {
    std::cerr << "konform serve: " << endpoint.error().message << "\n";
    // A --data folder with bad files is bad input; anything else (a port in use) is runtime.
    return endpoint.error().kind == ErrorKind::data ? exit_bad_input : exit_runtime;
  }
  std::cerr << "konform serve: Kusto on " << (*endpoint)->kusto_url() << ", ksqlDB on "
            << (*endpoint)->ksql_url() << " (Ctrl-C to stop)\n";
  if (auto dm = (*endpoint)->kusto_service().dm_url(); !dm.empty())
    std::cerr << "konform serve: Kusto data management on " << dm << "\n";
  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "konform serve: stopping\n";
  (*endpoint)->stop();
  return exit_ok;
}

const bool registered =
    register_command({"serve", "run the reference Kusto and ksqlDB endpoints", serve_main});

} // namespace
} // namespace konform::cli
