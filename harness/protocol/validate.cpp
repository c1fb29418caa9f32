// protocol::validate: names of levels, and the dispatch to the per-protocol validators.
#include "protocol/validate.h"

#include "protocol/findings.h"
#include "protocol/validators.h"

#include <simdjson.h>

namespace konform::protocol {
namespace {

bool is_kusto(Kind kind) {
  return kind == Kind::kusto_v1 || kind == Kind::kusto_v2 || kind == Kind::kusto_error ||
         kind == Kind::kusto_ingest;
}

bool is_ksql(Kind kind) {
  return kind == Kind::ksql_entities || kind == Kind::ksql_error || kind == Kind::ksql_stream;
}

std::vector<Finding> run(Kind kind, std::string_view body, bool padded, const Exchange& exchange) {
  Findings out;
  // A 4xx/5xx answer to a query is an error body whatever the step expected: judge it as one.
  if (exchange.status >= 400) {
    if (kind == Kind::kusto_v1 || kind == Kind::kusto_v2 || kind == Kind::kusto_ingest)
      kind = Kind::kusto_error;
    else if (kind == Kind::ksql_entities || kind == Kind::ksql_stream)
      kind = Kind::ksql_error;
  }
  // HTTP-level rules (headers, status vs body) only when the exchange is known.
  if (is_kusto(kind))
    validate_kusto_http(body, exchange, out);
  else if (is_ksql(kind))
    validate_ksql_http(body, exchange, out);
  switch (kind) {
  case Kind::kusto_v1:
    validate_kusto_v1(body, padded, out);
    break;
  case Kind::kusto_v2:
    validate_kusto_v2(body, padded, out);
    break;
  case Kind::kusto_error:
    validate_kusto_error(body, exchange, out);
    break;
  case Kind::kusto_ingest:
    validate_kusto_ingest(body, out);
    break;
  case Kind::ksql_entities:
    validate_ksql_entities(body, exchange, out);
    break;
  case Kind::ksql_error:
    validate_ksql_error(body, exchange, out);
    break;
  case Kind::ksql_stream:
    validate_ksql_stream(body, exchange, out);
    break;
  case Kind::json:
    validate_json(body, out);
    break;
  case Kind::kusto_ingest_message:
    validate_kusto_ingest_message(body, out);
    break;
  case Kind::kusto_ingest_notification:
    validate_kusto_ingest_notification(body, out);
    break;
  case Kind::text:
    break; // anything is text
  }
  return out.take();
}

} // namespace

std::string_view to_string(Level level) {
  switch (level) {
  case Level::violation:
    return "violation";
  case Level::in_band_error:
    return "in-band-error";
  case Level::warning:
    return "warning";
  }
  return "unknown";
}

std::vector<Finding> validate(Kind kind, std::string_view body, const Exchange& exchange) {
  return run(kind, body, false, exchange);
}

std::vector<Finding> validate_in_place(Kind kind, std::string& body, const Exchange& exchange) {
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return run(kind, body, true, exchange);
}

} // namespace konform::protocol
