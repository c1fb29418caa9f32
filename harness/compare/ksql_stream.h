#pragma once
// ksqlDB /query and /query-stream bodies come in several layouts: one object per line
// (KSQL 5.0-5.4), a JSON array with one element per line that may never be closed and may end in
// ",\n" or ",\n]" (5.5 to ksqlDB 0.23, errors in G6), a closed array (G6), the delimited
// /query-stream form (metadata object, then one bare array per row) and its application/json array.
// All of them reassemble into one JSON array of elements — [header, row, ..., finalMessage] or
// [metadata, [row], ...] — which is what goldens store and what is compared row by row.
#include "compare/tree_comparer.h"
#include "core/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::compare {

// The elements of `body` as one JSON array text. The error names line:column of the body
// (prefixed by `origin`) where an element is not valid JSON or is cut off.
Result<std::string> reassemble_ksql_stream(std::string_view body, std::string_view origin);

// The two halves of reassemble_ksql_stream() for a comparer that validates the joined text with
// one simdjson parse and looks for the offending element only when that fails: the elements
// joined into `out` (cleared first) without checking each one, and the error
// reassemble_ksql_stream() gives for `body`, or nullopt when it gives none.
Status join_ksql_stream(std::string_view body, std::string_view origin, std::string& out);
std::optional<Error> ksql_stream_element_error(std::string_view body, std::string_view origin);

// What a stream comparison reuses between calls (BodyComparer keeps one): the elements of both
// streams sorted into rows and others, and the column names.
struct KsqlScratch {
  struct Item {
    simdjson::dom::element value;
    std::size_t index = 0;
  };
  std::vector<Item> expected_rows;
  std::vector<Item> actual_rows;
  std::vector<Item> expected_other;
  std::vector<Item> actual_other;
  std::vector<std::string_view> names;
};

// Compares two reassembled streams: the header (or metadata) as JSON, then rows one by one with
// messages such as "row 2, column PAGEID: expected ..., got ...".
void compare_ksql_stream(TreeComparer& tree, simdjson::dom::element expected,
                         simdjson::dom::element actual, KsqlScratch& scratch);

// The column names of a reassembled stream, from its header's schema or its metadata's
// columnNames (konform diff names row cells by them: row[*].PAGEID); empty when there is none.
std::vector<std::string> ksql_column_names(simdjson::dom::element reassembled);

} // namespace konform::compare
