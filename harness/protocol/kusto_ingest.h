#pragma once
// Kusto ingestion beyond query responses (streaming ingestion, POST /v1/rest/ingest/DB/TABLE, and
// queued ingestion through the DM endpoint and its queues): streaming-ingest
// requests (what `serve` must accept and what SDKs must send), and the JSON messages of queued
// ingestion. The `.get ingestion resources` / `.get kusto identity token` results and the
// streaming-ingest success table are v1 results (kusto_v1.h).
#include "http/message.h"
#include "protocol/validate.h"

#include <vector>

namespace konform::protocol {

// POST /v1/rest/ingest/{db}/{table}?streamFormat=...[&mappingName=...][&sourceKind=uri]:
// streamFormat present and documented (case-insensitive), mappingName for JSON/MultiJSON/Avro,
// a body labelled gzip really gzip, a sourceKind=uri body {"sourceUri": "..."}. Findings have
// paths like "query.streamFormat", "header.Content-Encoding" or "body".
std::vector<Finding> validate_ingest_request(const http::Request& request);

} // namespace konform::protocol
