#pragma once
// The comparison vocabulary: what a scenario may ask of a golden comparison (Rules, with the type
// Matchers and their names) and what a comparison reports (Difference). Part of the vocabulary
// module: scenario/ parses Rules and report/ carries Differences without linking the comparator.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace konform::compare {

struct Difference {
  std::string path;     // JSON path in the actual document, e.g. $[2].Rows[3][1]
  std::string expected; // compact JSON of the expected value, or "(missing)"
  std::string actual;   // compact JSON of the actual value, or "(missing)"
  std::string message;  // one line for people; names table/row/column for Kusto tables
};

// Type matchers usable per path in Rules, or in a golden file as a whole string value
// "{{any-guid}}", "{{any-datetime}}", ... (see scenarios/README.md).
enum class Matcher {
  any_value,
  any_string,
  any_number,
  any_bool,
  any_guid,
  any_datetime,
  any_timespan
};
std::optional<Matcher> parse_matcher(std::string_view name); // "any-guid" → any_guid
std::string_view to_string(Matcher m);                       // any_guid → "any-guid"
// Every matcher's name, in the order help texts and errors list them.
const std::vector<std::string_view>& matcher_names();

struct Rules {
  // JSON paths: $.a.b, $[0], $[*], $..Key (any depth), $.Tables[*].Rows[*][3].
  std::vector<std::string> ignore;
  std::vector<std::string> unordered; // arrays compared as multisets
  double numeric_tolerance = 0;       // absolute difference allowed between numbers
  std::vector<std::pair<std::string, Matcher>> matchers; // path → matcher
  bool protocol_defaults = true; // apply the protocol-aware ignore list for `kind`
};

} // namespace konform::compare
