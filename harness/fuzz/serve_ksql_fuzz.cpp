// `konform serve`'s ksqlDB listener: raw HTTP bytes (pipelined requests on one connection) through
// the request parser and the service (/ksql, /query, /query-stream, /close-query, /status, /info,
// ...) in memory (serve_driver.h). Every input starts from a fresh database, so that one input is
// one reproducible run; a command sequence number is not waited for.
#include "fuzz/fuzz_input.h"
#include "fuzz/serve_driver.h"
#include "serve/ksql/ksql_service.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  serve::ksql::KsqlOptions options;
  options.command_timeout = std::chrono::milliseconds(0);
  auto service = serve::ksql::KsqlService::create(options);
  if (!service) __builtin_trap();
  auto& s = **service;
  fuzz::serve_bytes(
      fuzz::as_text(data, size), [&](const serve::ServerRequest& r) { return s.handle(r); },
      [&](int status, const std::string& message) { return s.error_response(status, message); });
  return 0;
}
