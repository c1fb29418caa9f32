#pragma once
// The Kusto half of the reference endpoint: engine (/v1/rest/query, /v2/rest/query,
// /v1/rest/mgmt, /v1/rest/ingest, ping, auth metadata) and data-management role.
#include "core/result.h"
#include "serve/http_server.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace konform::serve::kusto {

struct KustoOptions {
  std::string data_dir; // schema + CSV folder loaded at start; empty = the bundled sample database
  std::string token;    // when set, "Authorization: Bearer <token>" is required (401 otherwise)
  unsigned max_concurrent = 0; // > 0: 429 TooManyRequests beyond this many requests in flight
  // Streaming-ingest bodies are decompressed up to this many bytes; more is a 413 (gzip bomb).
  std::size_t ingest_limit = std::size_t(64) << 20;
  // Results of this many distinct queries are kept for reuse while the data is unchanged
  // (query_cache.h); 0 turns the cache off.
  std::size_t query_cache_entries = 256;
  // Responses at least this large are compressed when Accept-Encoding allows gzip or deflate.
  std::size_t compress_min = 1024;

  // The data-management role (queued ingestion through Azurite) on its own listener. Empty
  // dm_listen: this process is an engine only, and answers DM commands with the real
  // wrong-endpoint error.
  std::string dm_listen;     // host:port, port 0 = ephemeral (see dm_url())
  std::string azurite_blob;  // e.g. http://127.0.0.1:10000
  std::string azurite_queue; // e.g. http://127.0.0.1:10001
  // Optional table service for ReportMethod Table (https: the SDKs' table clients refuse http)
  // and the PEM certificate(s) to trust for it.
  std::string azurite_table; // e.g. https://127.0.0.1:10002
  std::string azurite_ca;
  std::function<void(const AccessLogEntry&)> dm_access_log;
  std::function<void(const std::string&)> dm_error_log;
};

class KustoService {
public:
  static Result<std::unique_ptr<KustoService>> create(const KustoOptions& options);
  virtual ~KustoService() = default;

  // Thread-safe: called concurrently from every server thread.
  virtual ServerResponse handle(const ServerRequest& request) = 0;
  // The OneAPI error body for errors the HTTP layer detects itself (400, 413, 431).
  virtual ServerResponse error_response(int status, const std::string& message) = 0;
  // "http://host:port" of the data-management listener; empty when there is none.
  virtual std::string dm_url() const = 0;
};

} // namespace konform::serve::kusto
