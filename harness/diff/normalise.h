#pragma once
// Normalised paths: the name under which a difference is counted over all steps and repeats of
// a diff run, and under which noise is learned. Row and frame positions are left out and
// columns are named, so the same cell of different rows, responses and layouts reads the same:
//   Kusto v2  $[2].Rows[3][4]          → PrimaryResult[*].EventTime
//   Kusto v1  $.Tables[0].Rows[1][2]   → PrimaryResult[*].EventTime
//             $[2].Columns[5]          → PrimaryResult.Columns.Extra
//             $[0].Version             → DataSetHeader.Version
//   ksqlDB    $[2].row.columns[1]      → row[*].PAGEID
//             $[0].header.queryId      → header.queryId
// Other kinds keep the comparison's path ($.a.b[0]).
#include "json/path.h"
#include "protocol/validate.h"

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace konform::compare {
class KustoTables;
}

namespace konform::diff {

// One segment of a comparison path: a member name or an array index.
using PathSegment = json::PathStep;

// Splits "$.Tables[0].Rows[3][\"x\"]"; nothing for a text that is not a comparison path.
std::vector<PathSegment> split_path(std::string_view path);

// Names the paths of one document: `actual` is the document the comparison's paths point into (the
// reassembled stream for ksql-stream); null (or a document of another shape) leaves positions
// unnamed. The tables and column names are read once, at the first path that needs them, so a
// response with thousands of differing cells is read once, not once per difference; `tables`,
// when given, are the Kusto tables of `actual` as the comparison read them
// (BodyComparer::last_actual_tables()), and nothing is read again.
class PathNamer {
public:
  PathNamer(protocol::Kind kind, const simdjson::dom::element* actual,
            const compare::KustoTables* tables = nullptr);
  ~PathNamer();
  PathNamer(const PathNamer&) = delete;
  PathNamer& operator=(const PathNamer&) = delete;
  std::string operator()(std::string_view path);

  struct Names; // what was read of the document so far

private:
  protocol::Kind kind_;
  const simdjson::dom::element* actual_;
  std::unique_ptr<Names> names_;
};

// One path; a PathNamer for several of the same document.
std::string normalise_path(protocol::Kind kind, std::string_view path,
                           const simdjson::dom::element* actual);

} // namespace konform::diff
