#pragma once
// Secrets never reach the disk: everything a recording writes (paths, headers, bodies, goldens)
// passes through one Scrubber, which also keeps a note of what it masked where, for the summary.
//   - Authorization values: the header is dropped from the step (`check` adds its own from
//     --token) and the credential itself is masked wherever else it shows up (a server that
//     echoes it in a body or an error message).
//   - SAS: a URL carrying `sig=` loses its whole query string ("?***"), and so does any
//     Azure Storage URL (*.blob|queue|table|file.core.windows.net); a lone `sig=VALUE` outside a
//     URL loses its value. Queue messages (<MessageText>base64</MessageText>) are decoded,
//     scrubbed and encoded again.
//   - Cookies: Cookie and Set-Cookie headers are dropped.
#include "http/message.h"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace konform::record {

class Scrubber {
public:
  // Learns the credentials of a request's headers (Authorization, Proxy-Authorization), so they
  // are masked wherever they appear later (or earlier: scrub runs after every exchange is known).
  void learn(const http::Headers& headers);

  // The text with every secret masked; `where` names the place for the summary ("step 3 request
  // body"), noted once per place and kind.
  std::string scrub(std::string_view text, const std::string& where);

  // True for headers that are secrets as a whole (Authorization, Cookie, ...).
  static bool secret_header(std::string_view name);
  // Notes a secret header that was dropped.
  void note(const std::string& where, const std::string& what);

  // Notes made from now on belong to this exchange (1-based; 0: none), so that one line can say
  // "request header Authorization: dropped in exchanges 1-8" instead of eight lines.
  void at_exchange(std::size_t number) { exchange_ = number; }

  // "request header Authorization: dropped in exchanges 2, 4-6", one per place and kind, in the
  // order first seen.
  std::vector<std::string> notes() const;

private:
  std::string scrub_once(std::string_view text, std::set<std::string>& kinds);
  std::vector<std::string> credentials_; // exact values, longest first
  std::vector<std::pair<std::string, std::vector<std::size_t>>> notes_; // line → exchanges
  std::size_t exchange_ = 0;
};

} // namespace konform::record
