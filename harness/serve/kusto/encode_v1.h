#pragma once
// v1 responses ({"Tables":[...]}, each column with ColumnName, DataType (.NET) and ColumnType
// (Kusto)): one table for a management command; four for a query (result, @ExtendedProperties,
// QueryStatus, and last the TableOfContents from which SDKs take the tables' names and kinds).
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/failure.h"
#include "serve/kusto/oneapi_error.h"
#include "serve/kusto/prepared_result.h"

#include <string>

namespace konform::serve::kusto {

// Appends a row as a JSON array, every value in its column type's encoding.
void append_row(std::string& out, const std::vector<cluster::Column>& columns,
                const cluster::Row& row);
// Appends "Rows":[...]; `extra_row` (raw JSON, e.g. an in-data error object) follows the rows
// when not empty. Shared by the v1 tables and the v2 DataTable frames.
void append_rows(std::string& out, const std::vector<cluster::Column>& columns,
                 const std::vector<cluster::Row>& rows, std::string_view extra_row);
// Appends "Rows":[...] from rows already encoded, then `extra_row` as above.
void append_rows(std::string& out, std::string_view rows_json, std::string_view extra_row);

// The @ExtendedProperties "Visualization" value every query result carries.
std::string_view visualization_properties();

void encode_v1_command(std::string& out, const cluster::ResultTable& table);

// partial: a failure after some rows (truncation). Unless deferred, it is reported as the
// service does: an {"Exceptions":[...]} object after the rows plus a top-level "Exceptions".
void encode_v1_query(std::string& out, const PreparedResult& result, const RequestIds& ids,
                     const cluster::Failure* partial, bool defer_partial);

} // namespace konform::serve::kusto
