#include "scenario/json_path.h"

#include <string>

namespace konform::scenario {

Result<std::vector<json::PathStep>> parse_json_path(std::string_view path) {
  auto fail = [&](std::size_t at, const std::string& what) {
    return make_error("invalid JSON path \"" + std::string(path) + "\" at character " +
                      std::to_string(at + 1) + ": " + what +
                      " (write e.g. $[0].commandId or $.Tables[0].Rows[0][1])");
  };
  if (path.empty() || path[0] != '$') return fail(0, "a path starts with '$'");
  std::vector<json::PathStep> steps;
  std::size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      std::size_t start = ++i;
      while (i < path.size() && path[i] != '.' && path[i] != '[')
        ++i;
      if (i == start) return fail(start, "a key is expected after '.'");
      std::string key(path.substr(start, i - start));
      if (key == "*") return fail(start, "wildcards select many values; a capture needs one");
      steps.push_back({key, 0, false});
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && (path[i] == '\'' || path[i] == '"')) {
        char quote = path[i];
        std::size_t close = path.find(quote, i + 1);
        if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']')
          return fail(i, "unterminated quoted key; write ['key']");
        steps.push_back({std::string(path.substr(i + 1, close - i - 1)), 0, false});
        i = close + 2;
      } else {
        std::size_t start = i;
        std::size_t index = 0;
        while (i < path.size() && path[i] >= '0' && path[i] <= '9') {
          index = index * 10 + static_cast<std::size_t>(path[i] - '0');
          ++i;
        }
        if (i == start || i >= path.size() || path[i] != ']')
          return fail(start, "an array index is a non-negative integer in brackets, like [0]");
        steps.push_back({"", index, true});
        ++i;
      }
    } else {
      return fail(i, "expected '.' or '['");
    }
  }
  return steps;
}

std::optional<simdjson::dom::element> evaluate(simdjson::dom::element root,
                                               const std::vector<json::PathStep>& path) {
  simdjson::dom::element current = root;
  for (const auto& step : path) {
    if (step.is_index) {
      simdjson::dom::array array;
      if (current.get_array().get(array)) return std::nullopt;
      if (step.index >= array.size()) return std::nullopt;
      if (array.at(step.index).get(current)) return std::nullopt;
    } else {
      simdjson::dom::object object;
      if (current.get_object().get(object)) return std::nullopt;
      if (object.at_key(step.key).get(current)) return std::nullopt;
    }
  }
  return current;
}

} // namespace konform::scenario
