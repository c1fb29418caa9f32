#pragma once
// Well-formedness of small JSON bodies, shared by the validators that use the DOM (error bodies,
// ksqlDB entities): a syntax error becomes one violation with its line:column.
#include "json/document.h"
#include "protocol/findings.h"

#include <optional>
#include <string_view>

namespace konform::protocol {

// Parses body; on failure records `rule` as a violation naming line:column and returns nullopt.
// A UTF-8 byte-order mark is skipped and reported as a warning (allowed but unusual).
std::optional<json::Document> parse_or_report(std::string_view body, std::string_view rule,
                                              Findings& out);

// Strips a leading UTF-8 BOM, reporting it as a warning under `rule_prefix`.bom.
std::string_view strip_bom(std::string_view body, std::string_view rule_prefix, Findings& out);

// Line:column text of the first syntax error (or of the end of the body when the parser's
// complaint is not a syntax error, e.g. a truncated document).
std::string where_invalid(std::string_view body);

} // namespace konform::protocol
