#pragma once
// The embedded reference endpoint: the Kusto and ksqlDB services, each on its own loopback
// listener in this process. `konform serve` runs it in the foreground; `check` and `load` start
// it on ephemeral ports when no --target is given.
#include "core/result.h"
#include "serve/http_server.h"
#include "serve/ksql/ksql_service.h"
#include "serve/kusto/kusto_service.h"

#include <memory>
#include <string>

namespace konform::serve {

struct EndpointOptions {
  std::string kusto_listen = "127.0.0.1:0"; // host:port; port 0 = ephemeral
  std::string ksql_listen = "127.0.0.1:0";
  unsigned threads = 0; // per listener; 0 = hardware concurrency
  kusto::KustoOptions kusto;
  ksql::KsqlOptions ksql;
  std::function<void(const AccessLogEntry&)> access_log;
  std::function<void(const std::string&)> error_log; // e.g. out of descriptors (rate-limited)
};

class ReferenceEndpoint {
public:
  static Result<std::unique_ptr<ReferenceEndpoint>> start(EndpointOptions options);
  ~ReferenceEndpoint();

  std::string kusto_url() const;
  std::string ksql_url() const;
  // The Kusto service (for role-specific details such as its data-management URL).
  const kusto::KustoService& kusto_service() const { return *kusto_; }
  void stop();

private:
  ReferenceEndpoint() = default;
  std::unique_ptr<kusto::KustoService> kusto_;
  std::unique_ptr<ksql::KsqlService> ksql_;
  std::unique_ptr<HttpServer> kusto_server_;
  std::unique_ptr<HttpServer> ksql_server_;
};

// Splits "host:port" ("[::1]:8080" for IPv6); the error says what a valid value looks like.
Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& text);

} // namespace konform::serve
