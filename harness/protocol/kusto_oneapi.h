#pragma once
// The OneAPI error object ({"error":{"code","message","@type","@message","@context","@permanent",
// "innererror"}}): the body of Kusto HTTP errors and the element of every OneApiErrors array
// inside a v2 stream (in a Rows array, a TableCompletion or the DataSetCompletion frame,
// depending on the request's results_error_reporting_placement).
#include "protocol/findings.h"

#include <simdjson.h>

#include <string>
#include <string_view>

namespace konform::protocol::kusto {

// Checks the shape of one {"error":{...}} wrapper at `path` and returns a one-line summary of the
// failure ("LimitsExceeded: Query execution has exceeded ...") for in-band findings. `strict`
// (HTTP error bodies) also warns about missing @type/@message/@context/@permanent.
std::string check_oneapi_error(simdjson::dom::element wrapper, const std::string& path, bool strict,
                               Findings& out);

// A OneApiErrors array given as JSON text (taken from an on-demand walk): each element is checked
// and reported as an in-band error under `rule`. Returns how many errors it holds.
std::size_t report_oneapi_errors(std::string_view array_json, const std::string& path,
                                 std::string_view rule, Findings& out);

} // namespace konform::protocol::kusto
