#pragma once
// What a response is supposed to be (protocol::Kind) and the names users write for it, in one
// place: scenario files, `validate --as`, `load --as`, the help texts and scenarios/schema.json
// (a test keeps the schema's enum equal to scenario_kind_names()) all read this table.
// Part of the vocabulary module, which scenario, compare, protocol and report depend on and which
// depends only on core: a module that only needs to name a kind does not link the validators.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::protocol {

enum class Kind {
  kusto_v1,      // v1 result: {"Tables":[...]} (mgmt, v1 query)
  kusto_v2,      // v2 frame array
  kusto_error,   // OneAPI error body {"error":{...}}
  kusto_ingest,  // streaming-ingest response (v1 table)
  ksql_entities, // /ksql success: array of entities
  ksql_error,    // ksqlDB error body
  ksql_stream,   // /query body (any server generation's layout)
  json,          // any JSON
  text,          // anything
  // Added after the first release of this header (keep them last):
  kusto_ingest_message,      // queued-ingestion message (JSON put on the aggregation queue)
  kusto_ingest_notification, // failure/success notification from the DM's status queues
};

struct KindName {
  Kind kind;
  std::string_view name; // as users write it: "kusto-v2"
  // An HTTP response a scenario step can expect; the ingestion message and notification travel
  // through queues, so only `validate --as` names them.
  bool in_scenarios;
};

// Every kind, in the order help texts list them.
const std::vector<KindName>& kind_names();

std::string_view to_string(Kind kind);
// "kusto-v2" → Kind::kusto_v2; the enum spelling "kusto_v2" is accepted too (both appear in code
// and scenario files).
std::optional<Kind> parse_kind(std::string_view name);

// The names scenario files accept, in order.
std::vector<std::string_view> scenario_kind_names();
// "kusto-v1, kusto-v2, ..., text": every kind (for `--as`), or those of scenario files.
std::string kind_list();
std::string scenario_kind_list();

} // namespace konform::protocol
