// The protocol validators, every kind: Kusto v1, v2, OneAPI error, streaming-ingest result,
// queued-ingestion message and notification, ksqlDB entities, error and /query stream, JSON,
// text. A selector byte (fuzz_input.h) picks the kind, an error status and the HTTP exchange; a
// raw response as input is validated as the kind it looks like. Both entry points run: the
// copying one and the in-place one `konform validate` uses on large files.
#include "fuzz/fuzz_input.h"
#include "fuzz/kinds.h"
#include "protocol/validate.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view body = fuzz::as_text(data, size);
  auto selector = fuzz::take_selector(body);
  protocol::Kind kind = selector ? fuzz::kind_of(*selector)
                                 : protocol::detect_kind(body).value_or(protocol::Kind::json);

  protocol::Exchange exchange;
  http::Headers headers = {{"Content-Type", "application/json; charset=utf-8"},
                           {"x-ms-activity-id", "2b7f1a3c-8a1e-4c1b-9f47-0c4d3e2a1b00"}};
  http::Headers request_headers = {{"Accept", "application/vnd.ksql.v1+json"}};
  if (selector && (*selector & 0x10)) {
    exchange.status = (*selector & 0x20) ? 400 : 200;
    exchange.headers = &headers;
    exchange.request_headers = &request_headers;
    exchange.request_accept = "application/vnd.ksql.v1+json";
  }

  auto findings = protocol::validate(kind, body, exchange);
  std::string copy(body);
  auto in_place = protocol::validate_in_place(kind, copy, exchange);
  // Both entry points read the same bytes, so they must agree; and in place leaves them alone.
  if (findings.size() != in_place.size() || copy != body) __builtin_trap();
  return 0;
}
