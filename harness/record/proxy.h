#pragma once
// The recording proxy: a forwarding HTTP/1.1 proxy (Beast) in front of a Kusto and/or ksqlDB
// upstream. A client pointed at it works as against the upstream: status, headers and bodies pass
// through, chunked streams (ksqlDB push queries) are forwarded piece by piece as they arrive, not
// buffered. Every exchange is kept for the recording, on disk: once finished it is appended to
// its thread's spill file in spool_dir (memory holds only the exchanges in flight), and a body
// larger than spool_threshold goes to its own spool file there while it arrives. An unreachable
// upstream is answered with 502 naming it, and counted.
//
// It runs one event loop per thread (ProxyOptions::threads), each with its own connections and its
// own spill file, merged in arrival order at the end (no lock on the relay path). An
// upstream's close of an idle kept-alive connection is retried once on a fresh connection, when
// no byte of a response had come and the whole request is in hand. stop() ends it
// at once: the listener closes, an exchange still waiting for its response head is not recorded,
// a stream still open is recorded with what had arrived (Exchange::truncated).
#include "core/result.h"
#include "record/exchange.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace konform::record {

struct ProxyOptions {
  std::string listen = "127.0.0.1:0"; // host:port; port 0 = ephemeral
  std::string upstream;               // http(s) URL: every exchange, or Kusto's when both given
  std::string ksql_upstream;          // http(s) URL for ksqlDB's paths (service_of); optional
  std::string ca_file;                // extra trust anchors for https upstreams
  bool insecure = false;              // skip certificate verification (test servers only)
  // The output folder: finished exchanges are appended to one sealed spill file per thread here,
  // bodies over spool_threshold go to their own sealed spool file here (record/spill.h, seal.h).
  std::string spool_dir = ".";
  std::size_t spool_threshold = std::size_t(1) << 20;
  std::size_t spill_buffer = std::size_t(64) << 10; // 0: each exchange written at once (tests)
  std::size_t max_exchanges = 0;                    // stop after N recorded exchanges (0: no limit)
  std::chrono::milliseconds duration{0};            // stop after this long (0: no limit)
  std::chrono::milliseconds connect_timeout{10000};
  std::size_t threads = 0; // event loops; 0: one per hardware thread (at most 16)
  // One line per exchange ("POST /v1/rest/mgmt → 200"), never a query string or header value.
  std::function<void(const std::string&)> log;
  // Called once, from a proxy thread, when the first exchange cannot be kept for the recording (a
  // spill or spool file cannot be written: a full disk); the proxy keeps forwarding.
  std::function<void(const std::string&)> error;
};

class Proxy {
public:
  // Binds the listener and starts the proxy's thread; the error says what could not be done.
  static Result<std::unique_ptr<Proxy>> start(ProxyOptions options);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  std::string url() const; // http://host:port the clients use
  void stop();             // thread-safe; returns once the proxy's thread has ended
  bool finished() const;   // stopped, by stop(), --max-exchanges or --duration

  // After finished(): the recorded exchanges in the order their requests arrived, read back from
  // the spill files (their bodies stay there until discard_spool).
  std::vector<Exchange> take_exchanges();
  // After take_exchanges(): how many exchanges were forwarded but could not be kept (their spill
  // or spool file could not be written or read back), and the first reason, naming the file. The
  // recording is complete when lost() is 0.
  std::size_t lost() const;
  std::string lost_reason() const;
  std::size_t unreachable() const; // requests answered 502 because the upstream was unreachable
  std::size_t retried() const; // requests sent again after an upstream closed an idle connection

private:
  Proxy();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace konform::record
