#pragma once
// The ksqlDB half of the reference endpoint (/info, /healthcheck, /ksql, /query, /status, ...).
#include "core/result.h"
#include "serve/http_server.h"

#include <memory>
#include <string>

namespace konform::serve::ksql {

struct KsqlOptions {
  std::string token; // when set, "Authorization: Bearer <token>" is required (401 otherwise)
};

class KsqlService {
public:
  static Result<std::unique_ptr<KsqlService>> create(const KsqlOptions& options);
  virtual ~KsqlService() = default;

  // Thread-safe: called concurrently from every server thread. /query answers with a stream.
  virtual ServerResponse handle(const ServerRequest& request) = 0;
  // The ksqlDB error body for errors the HTTP layer detects itself (400, 413, 431).
  virtual ServerResponse error_response(int status, const std::string& message) = 0;
};

} // namespace konform::serve::ksql
