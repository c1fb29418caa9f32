#pragma once
#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace konform::http {

// An http:// or https:// URL split into what a connection needs.
struct Url {
  bool tls = false;
  std::string host; // without brackets for IPv6
  std::uint16_t port = 0;
  std::string target; // path and query, at least "/"

  // "http://127.0.0.1:8080" (no target): what ${target} expands to in scenarios.
  std::string origin() const;
};

// Accepts http://host[:port][/path][?query]; the error says what is wrong with the URL.
Result<Url> parse_url(std::string_view text);

// Joins a base URL's path prefix with a scenario path ("/v1/rest/query").
std::string join_target(const Url& base, std::string_view path);

} // namespace konform::http
