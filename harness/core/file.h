#pragma once
#include "core/result.h"

#include <string>

namespace konform::file {

// Reads a whole file; the error names the path and the reason (missing, a directory, no
// permission).
Result<std::string> read(const std::string& path);
Status write(const std::string& path, std::string_view content);

} // namespace konform::file
