#pragma once
// The per-protocol validators behind protocol::validate (internal to protocol/). Each appends to a
// Findings collector; validate() picks one by Kind.
#include "protocol/findings.h"
#include "protocol/validate.h"

#include <string_view>

namespace konform::protocol {

// `padded` promises that at least SIMDJSON_PADDING readable bytes follow body (the on-demand
// parser reads ahead); validate() copies the body into a padded buffer when it cannot promise it.
void validate_kusto_v1(std::string_view body, bool padded, Findings& out);
void validate_kusto_v2(std::string_view body, bool padded, Findings& out);
void validate_kusto_error(std::string_view body, const Exchange& exchange, Findings& out);
void validate_kusto_ingest(std::string_view body, Findings& out);
void validate_kusto_http(std::string_view body, const Exchange& exchange, Findings& out);
void validate_ksql_entities(std::string_view body, const Exchange& exchange, Findings& out);
void validate_ksql_error(std::string_view body, const Exchange& exchange, Findings& out);
void validate_ksql_stream(std::string_view body, const Exchange& exchange, Findings& out);
void validate_ksql_http(std::string_view body, const Exchange& exchange, Findings& out);
void validate_kusto_ingest_message(std::string_view body, Findings& out);
void validate_kusto_ingest_notification(std::string_view body, Findings& out);
void validate_json(std::string_view body, Findings& out);

} // namespace konform::protocol
