#pragma once
// Concrete JSON paths for captures: $.a.b, $[0].commandId, $['key with spaces'], $[2].Rows[0][1].
// They are json::Path's; a capture must name one value, so wildcards are refused (comparison
// rules use the wildcard patterns of compare/).
#include "core/result.h"
#include "json/document.h"
#include "json/path.h"

#include <simdjson.h>

#include <optional>
#include <string_view>

namespace konform::scenario {

// The error says what is wrong with the path and what a valid one looks like.
inline Result<json::Path> parse_json_path(std::string_view path) {
  return json::Path::parse(path);
}

// The value at the path, or nullopt when a key or index does not exist.
inline std::optional<simdjson::dom::element> evaluate(simdjson::dom::element root,
                                                      const json::Path& path) {
  return json::value_at(root, path.steps());
}

} // namespace konform::scenario
