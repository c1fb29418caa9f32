#include "core/regex.h"

#include <cctype>

namespace konform {

Result<std::regex> compile_regex(const std::string& pattern) {
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i; // an escaped character is literal
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      continue;
    }
    if (c == '[') {
      in_class = true;
      continue;
    }
    if (c != '{') continue;
    // {n}, {n,} or {n,m}: every count must stay within the limit.
    for (std::size_t j = i + 1; j < pattern.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(pattern[j]))) break;
      std::size_t start = j;
      while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j])))
        ++j;
      std::string digits = pattern.substr(start, j - start);
      if (digits.size() > 4 || std::stoul(digits) > kMaxRegexRepeat)
        return make_error("the repeat count " + digits + " is above " +
                          std::to_string(kMaxRegexRepeat));
      if (j >= pattern.size() || pattern[j] != ',') break;
    }
  }
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return make_error(e.what());
  }
}

} // namespace konform
