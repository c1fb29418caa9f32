#pragma once
// The `text` kind: bodies compared byte for byte; the difference shows the first line that
// differs, so a long body does not drown the report.
#include "compare/compare.h"

#include <string_view>
#include <vector>

namespace konform::compare {

std::vector<Difference> compare_text(std::string_view expected, std::string_view actual);

} // namespace konform::compare
