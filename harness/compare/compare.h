#pragma once
// Semantic comparison of a response body with its golden file: object key order never matters,
// EVERY difference is reported with its JSON path, expected and actual value. Protocol-aware
// defaults ignore volatile values (activity ids, timestamps, execution statistics, ksqlDB query
// ids) without any per-scenario rule; Kusto tables are compared as tables, so a difference reads
// "PrimaryResult row 3, column Count: expected 5, got 6".
#include "core/result.h"
#include "vocabulary/kind.h"
#include "vocabulary/rules.h"

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace konform::compare {

// Difference, Matcher and Rules: vocabulary/rules.h.

class KustoTables;
struct Scratch;

// Checks a path of Rules ($.a.b, $[0], $[*], $.*, $..Key, $["odd key"]); the error says what is
// wrong at which character. compare_bodies() reports an invalid rule path with ErrorKind::rules.
Status check_rule_path(std::string_view path);

// Compares two parsed documents. (Invalid rule paths never match here: check them first.)
std::vector<Difference> compare(simdjson::dom::element expected, simdjson::dom::element actual,
                                protocol::Kind kind, const Rules& rules);

// Compares two bodies as text: parses both (ksqlDB /query bodies in any layout are reassembled
// into header + rows + final message first; `text` kind compares the strings). The error says
// which side is not valid JSON, with line:column.
Result<std::vector<Difference>> compare_bodies(std::string_view expected, std::string_view actual,
                                               protocol::Kind kind, const Rules& rules);

// compare_bodies() that keeps its parsers and buffers between calls: a runner comparing many
// responses on one thread reuses that memory instead of allocating (and page-faulting) it for
// every comparison. The memory stays until the BodyComparer is destroyed. Not thread-safe: one
// per thread.
class BodyComparer {
public:
  BodyComparer();
  ~BodyComparer();
  BodyComparer(const BodyComparer&) = delete;
  BodyComparer& operator=(const BodyComparer&) = delete;

  Result<std::vector<Difference>> compare(std::string_view expected, std::string_view actual,
                                          protocol::Kind kind, const Rules& rules);
  // The same without copying the bodies: simdjson's padding is appended to each string for the
  // parse and removed again, so the strings end unchanged (their capacity may grow once).
  Result<std::vector<Difference>> compare_in_place(std::string& expected, std::string& actual,
                                                   protocol::Kind kind, const Rules& rules);
  // The actual document of the last comparison (the reassembled stream for ksql-stream), which
  // the differences' paths point into; valid until the next call. Null for text and when the
  // actual body did not parse. konform diff names tables and columns from it without a reparse.
  const simdjson::dom::element* last_actual() const;
  // The tables of that document as the last comparison read them, when it compared Kusto
  // bodies (v1, v2, ingest): konform diff names paths by them without reading them again. Null
  // otherwise.
  const KustoTables* last_actual_tables() const;

private:
  struct Side;
  std::unique_ptr<Side> expected_;
  std::unique_ptr<Side> actual_;
  std::unique_ptr<Scratch> scratch_; // per-call vectors, kept (see Scratch in compare.cpp)
  bool tables_read_ = false;
};

// Response headers whose values a server generates per request (x-ms-activity-id, Date, ...):
// the protocol defaults leave their values out of an expected-headers comparison.
bool is_volatile_header(std::string_view name);

// The canonical, pretty-printed form in which a golden file is stored (--update-golden), so that
// git diffs of golden files are readable. For ksql_stream, the reassembled form.
Result<std::string> canonical_golden(std::string_view body, protocol::Kind kind);

} // namespace konform::compare
