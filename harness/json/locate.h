#pragma once
// Source locations inside JSON text. simdjson says *that* a document is invalid; users need to
// know *where*: these scanners give line:column for syntax errors and for the value at a path,
// so that a bad scenario field can be reported as file:line:column.
#include "json/path.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace konform::json {

struct Location {
  std::size_t line = 1;   // 1-based
  std::size_t column = 1; // 1-based, in bytes
  std::string what;       // for syntax errors: what was expected
};

// The first syntax error of `text`, or nullopt when it is valid JSON.
std::optional<Location> locate_error(std::string_view text);

// Where the value at `path` starts (e.g. steps[2].expect.status → the '2' of "status": 2).
// Falls back to the nearest existing ancestor; the document's start for an empty path.
Location locate_path(std::string_view text, std::span<const PathStep> path);

// Line and column of a byte offset.
Location location_of_offset(std::string_view text, std::size_t offset);

} // namespace konform::json
