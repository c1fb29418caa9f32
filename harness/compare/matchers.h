#pragma once
// Type matchers: a golden value that says "any GUID here" instead of a fixed value, for fields
// a server generates (ids, timestamps, durations).
#include "compare/compare.h"

#include <optional>
#include <string_view>

namespace konform::compare {

// Does `actual` satisfy the matcher?
bool satisfies(Matcher m, simdjson::dom::element actual);

// A golden string value of the form "{{any-guid}}" names a matcher; nullopt for other strings.
std::optional<Matcher> golden_matcher(std::string_view golden_value);

// ISO-8601 date-time: YYYY-MM-DD, optionally Thh:mm[:ss[.fraction]] and Z or ±hh:mm (Kusto
// writes 0-7 fraction digits and Z; ksqlDB TIMESTAMP has 3 digits and no zone).
bool is_iso_datetime(std::string_view s);
// .NET TimeSpan "c" format [-][d.]hh:mm:ss[.fffffff] (Kusto), or an ISO-8601 duration (PT1H30M).
bool is_timespan(std::string_view s);

} // namespace konform::compare
