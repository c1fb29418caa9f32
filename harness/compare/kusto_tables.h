#pragma once
// Kusto responses compared as tables, not as nested arrays: tables are paired by kind and name
// (v2) or position (v1), columns by ColumnName, cells by row and column, so a difference reads
// "PrimaryResult row 3, column Count: expected 5, got 6" while its path still points into the
// actual document ($[2].Rows[3][1], $.Tables[0].Rows[3][1]). A v2 table may arrive as one
// DataTable frame or as TableHeader + TableFragment frames; both read the same.
//
// Protocol defaults ignore what a server generates per request: in QueryStatus (v1) and
// QueryCompletionInformation (v2) the id and timestamp columns and the payload of "Stats" /
// QueryResourceConsumption rows; TableOfContents Ids; @ExtendedProperties Cursor and
// ServerCache values; TableProgress frames. PrimaryResult cells are always compared.
#include "compare/tree_comparer.h"

#include <string>
#include <vector>

namespace konform::compare {

// Fall back to a plain JSON comparison when a body does not have the v1 / v2 shape.
void compare_kusto_v1(TreeComparer& tree, simdjson::dom::element expected,
                      simdjson::dom::element actual);
void compare_kusto_v2(TreeComparer& tree, simdjson::dom::element expected,
                      simdjson::dom::element actual);

// A table of a Kusto body under the index its paths use: $[i] of a v2 DataTable, TableHeader or
// TableFragment frame, $.Tables[i] of v1. The label is the one differences are named by
// (PrimaryResult, QueryCompletionInformation, @ExtendedProperties, ...). konform diff turns
// $[2].Rows[3][4] into PrimaryResult[*].EventTime with it. Empty when the body has no such shape.
struct TableAt {
  std::size_t index = 0;
  std::string label;
  std::vector<std::string> columns;
};
std::vector<TableAt> kusto_tables_at(simdjson::dom::element root, bool v1);

} // namespace konform::compare
