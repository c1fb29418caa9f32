#pragma once
// The moment a run started, as reports print it: UTC to the second, ISO 8601 with 'Z'
// ("2026-12-03T21:30:00Z"), the form JUnit's timestamp and the JSON reports' startedAt share.
#include <string>

namespace konform {

std::string utc_timestamp_now();

} // namespace konform
