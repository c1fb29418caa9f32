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

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace konform::compare {

// A table of a Kusto body under the index its paths use: $[i] of a v2 DataTable, TableHeader or
// TableFragment frame, $.Tables[i] of v1. The label is the one differences are named by
// (PrimaryResult, QueryCompletionInformation, @ExtendedProperties, ...). konform diff turns
// $[2].Rows[3][4] into PrimaryResult[*].EventTime with it. Label and column names point into the
// parsed document and the KustoTables that read it.
struct TableAt {
  std::size_t index = 0;
  std::string_view label;
  std::span<const std::string_view> columns;
};

// The tables of one Kusto body as the comparison reads them: frames paired into tables, their
// column names and row fragments. Reading the next body reuses the memory of the last one, so a
// comparer that keeps one per side allocates nothing for it once warm.
class KustoTables {
public:
  KustoTables();
  ~KustoTables();
  KustoTables(const KustoTables&) = delete;
  KustoTables& operator=(const KustoTables&) = delete;

  // Reads a v1 ({"Tables":[...]}) or v2 (an array of frames) body; false, and no tables, when it
  // does not have that shape. With the protocol defaults TableProgress frames are left out.
  bool read(simdjson::dom::element root, bool v1, bool protocol_defaults);
  // The table whose header or one of whose row fragments is at `index` in the body last read;
  // nullopt when there is none.
  std::optional<TableAt> at(std::size_t index) const;

  struct Doc; // kusto_tables.cpp
  Doc& doc() { return *doc_; }

private:
  std::unique_ptr<Doc> doc_;
};

// What a Kusto comparison reuses between calls (BodyComparer keeps one): both documents' tables
// — the actual one's are what the differences' paths point into — and the per-row vectors.
struct KustoScratch {
  KustoTables expected;
  KustoTables actual;
  std::vector<int> column_map;        // expected column -> actual column, -1 when missing
  std::vector<char> volatile_columns; // per actual column: left out by the protocol defaults
  std::vector<simdjson::dom::element> expected_cells;
  std::vector<simdjson::dom::element> actual_cells;
  std::vector<char> used_columns;
  std::vector<char> used_frames;
};

// Fall back to a plain JSON comparison when a body does not have the v1 / v2 shape.
void compare_kusto_v1(TreeComparer& tree, simdjson::dom::element expected,
                      simdjson::dom::element actual, KustoScratch& scratch);
void compare_kusto_v2(TreeComparer& tree, simdjson::dom::element expected,
                      simdjson::dom::element actual, KustoScratch& scratch);

} // namespace konform::compare
