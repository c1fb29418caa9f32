#pragma once
// Standard base64 (RFC 4648, with padding): HdrHistogram logs, queue messages, SAS keys.
#include "core/result.h"

#include <string>
#include <string_view>

namespace konform::base64 {

std::string encode(std::string_view bytes);
Result<std::string> decode(std::string_view text);

} // namespace konform::base64
