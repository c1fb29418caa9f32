#pragma once
// Ingestion of a data stream into a table (streaming ingest and the queued-ingestion worker):
// csv, tsv, scsv, sohsv, psv, json, multijson, singlejson, with csv/json mappings. All or
// nothing: a malformed record fails the whole request and no row of it is added.
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/failure.h"

#include <string_view>

namespace konform::serve::kusto::cluster {

struct IngestSpec {
  std::string database;
  std::string table;
  std::string format; // case-insensitive: csv, tsv, scsv, sohsv, psv, json, multijson, singlejson
  std::string mapping_name; // empty: columns in order (delimited formats only)
  std::string mapping_json; // an inline mapping (queued ingestion's ingestionMapping), if any
  bool ignore_first_record = false;
};

// Parses `data` (already decompressed) and appends its rows; returns the number of records.
Result<std::size_t, Failure> ingest(Catalog& catalog, const IngestSpec& spec,
                                    std::string_view data);

} // namespace konform::serve::kusto::cluster
