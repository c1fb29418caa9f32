#pragma once
// Accept-header negotiation as Vert.x 4 does it for ksqlDB's routes: media ranges ordered by
// q-weight (then specificity), the first one any `produces` type matches wins; no Accept at all
// matches every route; an Accept nothing matches gives 406 (no body, no Content-Type).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::serve::ksql {

inline constexpr std::string_view kV1Json = "application/vnd.ksql.v1+json";
inline constexpr std::string_view kJson = "application/json";
inline constexpr std::string_view kDelimited = "application/vnd.ksqlapi.delimited.v1";

struct Negotiated {
  bool acceptable = true;
  std::optional<std::string> type; // nullopt: the request had no Accept header
};

Negotiated negotiate(std::optional<std::string_view> accept,
                     const std::vector<std::string_view>& produces);

} // namespace konform::serve::ksql
