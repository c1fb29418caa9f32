#include "vocabulary/rules.h"

#include <array>

namespace konform::compare {
namespace {

struct Name {
  Matcher matcher;
  std::string_view name;
};
constexpr std::array<Name, 7> kNames{{
    {Matcher::any_value, "any-value"},
    {Matcher::any_string, "any-string"},
    {Matcher::any_number, "any-number"},
    {Matcher::any_bool, "any-bool"},
    {Matcher::any_guid, "any-guid"},
    {Matcher::any_datetime, "any-datetime"},
    {Matcher::any_timespan, "any-timespan"},
}};

} // namespace

std::optional<Matcher> parse_matcher(std::string_view name) {
  for (const auto& n : kNames)
    if (n.name == name) return n.matcher;
  return std::nullopt;
}

std::string_view to_string(Matcher m) {
  for (const auto& n : kNames)
    if (n.matcher == m) return n.name;
  return "any-value";
}

const std::vector<std::string_view>& matcher_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& n : kNames)
      out.push_back(n.name);
    return out;
  }();
  return names;
}

} // namespace konform::compare
