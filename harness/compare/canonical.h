#pragma once
// The form golden files are stored in: pretty-printed with 2-space indent, members in the
// server's order, and short all-scalar arrays and objects (a table row, a column) kept on one
// line, so a changed cell shows up in a git diff as one changed row.
#include <simdjson.h>

#include <string>

namespace konform::compare {

std::string canonical_json(simdjson::dom::element root);

} // namespace konform::compare
