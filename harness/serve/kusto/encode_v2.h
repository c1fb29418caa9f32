#pragma once
// v2 responses: a JSON array of frames, DataSetHeader first and DataSetCompletion last, in the
// three layouts the service has —
// DataTable only, fragmented primary tables, progressive — and the partial-failure placements.
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/failure.h"
#include "serve/kusto/encode_v1.h"
#include "serve/kusto/oneapi_error.h"

#include <string>

namespace konform::serve::kusto {

enum class ErrorPlacement { in_data, end_of_table, end_of_dataset };

struct V2Options {
  bool progressive = false;                           // results_progressive_enabled
  bool fragmented = false;                            // results_v2_fragment_primary_tables
  bool newlines = false;                              // results_v2_newlines_between_frames
  ErrorPlacement placement = ErrorPlacement::in_data; // results_error_reporting_placement
  bool defer_partial = false;                         // deferpartialqueryfailures
  std::size_t fragment_rows = 1000;                   // rows per TableFragment
};

// Appends "Columns":[{"ColumnName":...,"ColumnType":...},...].
void append_columns_v2(std::string& out, const std::vector<cluster::Column>& columns);

// partial: a failure after the rows that were produced (truncation), or null.
void encode_v2(std::string& out, const PreparedResult& result, const V2Options& options,
               const RequestIds& ids, const cluster::Failure* partial);

} // namespace konform::serve::kusto
