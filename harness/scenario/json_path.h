#pragma once
// Concrete JSON paths for captures: $.a.b, $[0].commandId, $['key with spaces'], $[2].Rows[0][1].
// (Comparison rules use the wildcard paths of compare/; a capture must name one value.)
#include "core/result.h"

#include "json/locate.h"
#include <optional>
#include <simdjson.h>
#include <string_view>
#include <vector>

namespace konform::scenario {

// The error says what is wrong with the path and what a valid one looks like.
Result<std::vector<json::PathStep>> parse_json_path(std::string_view path);

// The value at the path, or nullopt when a key or index does not exist.
std::optional<simdjson::dom::element> evaluate(simdjson::dom::element root,
                                               const std::vector<json::PathStep>& path);

} // namespace konform::scenario
