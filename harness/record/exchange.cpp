#include "record/exchange.h"

#include "core/file.h"

#include <unistd.h>

namespace konform::record {

Result<std::string> load(const Body& body, std::size_t max_bytes) {
  if (body.spool_file.empty()) return body.bytes;
  return file::read_regular(body.spool_file, max_bytes);
}

Service service_of(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  // The ksqlDB server's resources (research/ksql-protocol.md §2); Kusto's all live under /v1, /v2
  // or are /, /v1/rest/ping, /v1/rest/auth/metadata.
  constexpr std::string_view exact[] = {
      "/ksql",          "/ksql/terminate", "/query", "/query-stream",
      "/close-query",   "/inserts-stream", "/info",  "/healthcheck",
      "/clusterStatus", "/heartbeat",      "/lag"};
  for (auto e : exact)
    if (path == e) return Service::ksql;
  if (path.rfind("/status/", 0) == 0 || path == "/status" ||
      path.rfind("/is_valid_property/", 0) == 0)
    return Service::ksql;
  return Service::kusto;
}

} // namespace konform::record

namespace konform::record {
void discard_spool(const std::vector<Exchange>& exchanges) {
  for (const auto& e : exchanges)
    for (const Body* b : {&e.request_body, &e.response_body})
      if (!b->spool_file.empty()) ::unlink(b->spool_file.c_str());
}
} // namespace konform::record
