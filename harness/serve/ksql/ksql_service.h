#pragma once
// The ksqlDB half of the reference endpoint (/info, /healthcheck, /ksql, /query, /status, ...).
#include "core/result.h"
#include "serve/http_server.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace konform::serve::ksql {

struct KsqlOptions {
  std::string token; // when set, "Authorization: Bearer <token>" is required (401 otherwise)
  // How long a request carrying commandSequenceNumber waits for that command before 503/50301
  // (ksql.server.command.response.timeout.ms).
  std::chrono::milliseconds command_timeout{5000};
  std::size_t max_push_queries = 100; // ksql.max.push.queries: beyond it 400/40003
};

class KsqlService {
public:
  static Result<std::unique_ptr<KsqlService>> create(const KsqlOptions& options);
  virtual ~KsqlService() = default;

  // Thread-safe: called concurrently from every server thread. /query answers with a stream.
  virtual ServerResponse handle(const ServerRequest& request) = 0;
  // The ksqlDB error body for errors the HTTP layer detects itself (400, 413, 431).
  virtual ServerResponse error_response(int status, const std::string& message) = 0;
  // For ServerOptions::stream_request_body: POST /inserts-stream reads its body line by line.
  static bool streams_request_body(const ServerRequest& request);
};

} // namespace konform::serve::ksql
