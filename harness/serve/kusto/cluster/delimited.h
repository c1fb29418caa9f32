#pragma once
// Delimited text (CSV and its relatives: TSV, SCSV, SOHSV, PSV) as Kusto ingests it: RFC 4180
// quoting with "" for a quote inside a quoted field, records separated by \n or \r\n.
#include "core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace konform::serve::kusto::cluster {

struct DelimitedRecord {
  std::vector<std::string> fields;
  std::size_t line = 0; // 1-based line where the record starts
};

// Splits text into records. An unterminated quoted field is an error whose message starts
// with "line:column: " (callers prefix the origin).
// A trailing newline does not make an empty record; empty lines are skipped.
Result<std::vector<DelimitedRecord>> parse_delimited(std::string_view text, char separator);

} // namespace konform::serve::kusto::cluster
