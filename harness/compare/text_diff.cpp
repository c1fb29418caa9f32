#include "compare/text_diff.h"

#include "json/writer.h"

#include <algorithm>

namespace konform::compare {

namespace {

constexpr std::size_t kLineLimit = 200;

std::string quoted_line(std::string_view text, std::size_t begin) {
  if (begin >= text.size()) return "(missing)";
  std::size_t end = text.find('\n', begin);
  std::string_view line = text.substr(begin, end == std::string_view::npos ? end : end - begin);
  bool cut = line.size() > kLineLimit;
  std::string out;
  json::append_quoted(out, cut ? line.substr(0, kLineLimit) : line);
  if (cut) out += "...";
  return out;
}

} // namespace

std::vector<Difference> compare_text(std::string_view expected, std::string_view actual) {
  if (expected == actual) return {};
  auto mismatch = std::mismatch(expected.begin(), expected.end(), actual.begin(), actual.end());
  auto at = static_cast<std::size_t>(mismatch.first - expected.begin());
  std::size_t line_start = expected.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = (line_start == std::string_view::npos || at == 0) ? 0 : line_start + 1;
  std::size_t line = 1 + static_cast<std::size_t>(
                             std::count(expected.begin(), expected.begin() + line_start, '\n'));
  std::size_t column = at - line_start + 1;
  Difference d;
  d.path = "line " + std::to_string(line);
  d.expected = quoted_line(expected, line_start);
  d.actual = quoted_line(actual, line_start);
  d.message = "text differs at line " + std::to_string(line) + ", column " +
              std::to_string(column) + ": expected " + d.expected + ", got " + d.actual;
  if (at == expected.size())
    d.message = "text differs at line " + std::to_string(line) + ", column " +
                std::to_string(column) + ": the actual body goes on (" +
                std::to_string(actual.size() - expected.size()) + " more bytes)";
  else if (at == actual.size())
    d.message = "text differs at line " + std::to_string(line) + ", column " +
                std::to_string(column) + ": the actual body ends early (" +
                std::to_string(expected.size() - actual.size()) + " bytes missing)";
  return {d};
}

} // namespace konform::compare
