#pragma once
// Kusto v1 results ({"Tables":[...]}, also the answer to streaming ingestion and to the DM's
// `.get ingestion resources`): queries, management
// commands, and the tables the ingestion flow depends on, recognised by their columns.
#include "protocol/findings.h"

#include <string_view>

namespace konform::protocol::kusto {

// What the body is expected to be beyond a v1 result.
enum class V1Expect {
  any,              // a v1 query or management result
  streaming_ingest, // the streaming-ingest success table (one row, four columns)
};

void validate_v1(std::string_view body, bool padded, V1Expect expect, Findings& out);

} // namespace konform::protocol::kusto
