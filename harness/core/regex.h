#pragma once
// User-given regular expressions (scenario header checks, ksqlDB's deleteTopicList), compiled
// safely: libstdc++'s std::regex multiplies a repeat count like {4000000000000000000} in a signed
// integer (undefined behaviour, found by the scenario fuzzer) and expands large counts into that
// many states, so counts above kMaxRegexRepeat are refused before std::regex sees them.
#include "core/result.h"

#include <cstddef>
#include <regex>
#include <string>

namespace konform {

inline constexpr std::size_t kMaxRegexRepeat = 1000;

// The compiled ECMAScript regex, or an error saying what is wrong (a repeat count over the limit,
// or std::regex's own message).
Result<std::regex> compile_regex(const std::string& pattern);

} // namespace konform
