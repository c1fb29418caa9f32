#pragma once
// HTTP Archive 1.2 (what browser devtools, mitmproxy, Fiddler and Charles export) → exchanges.
// request.postData.text and response.content.text may be base64 ("encoding": "base64"); the
// response text has its Content-Encoding undone already (HAR 1.2 §content). Entries without a
// response (status 0: aborted in the browser) are skipped with a warning.
#include "core/result.h"
#include "record/exchange.h"

#include <string>
#include <string_view>
#include <vector>

namespace konform::record {

// The error (kind format) names file:line:column, what is wrong and what a HAR 1.2 file holds.
Result<std::vector<Exchange>> parse_har(std::string_view text, const std::string& file,
                                        std::vector<std::string>* warnings = nullptr);
// Reads the file first (a regular file of at most max_bytes).
Result<std::vector<Exchange>> load_har(const std::string& file,
                                       std::vector<std::string>* warnings = nullptr,
                                       std::size_t max_bytes = std::size_t(1) << 30);

} // namespace konform::record
