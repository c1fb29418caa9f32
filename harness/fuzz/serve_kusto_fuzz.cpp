// `konform serve`'s Kusto listener: raw HTTP bytes (pipelined requests on one connection) through
// the request parser and the service (query v1/v2, mgmt, streaming ingest, ping, auth metadata)
// in memory (serve_driver.h). Every input starts from a fresh bundled database, so that one input
// is one reproducible run.
#include "fuzz/fuzz_input.h"
#include "fuzz/serve_driver.h"
#include "serve/kusto/kusto_service.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  serve::kusto::KustoOptions options;
  options.ingest_limit = 1 << 20;
  auto service = serve::kusto::KustoService::create(options);
  if (!service) __builtin_trap();
  auto& s = **service;
  fuzz::serve_bytes(
      fuzz::as_text(data, size), [&](const serve::ServerRequest& r) { return s.handle(r); },
      [&](int status, const std::string& message) { return s.error_response(status, message); });
  return 0;
}
