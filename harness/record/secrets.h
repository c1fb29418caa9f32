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

#include <set>
#include <string>
#include <string_view>
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

  // "step 2 request header Authorization: dropped", one per place and kind, in order.
  const std::vector<std::string>& notes() const { return notes_; }

private:
  std::string scrub_once(std::string_view text, std::set<std::string>& kinds);
  std::vector<std::string> credentials_; // exact values, longest first
  std::vector<std::string> notes_;
  std::set<std::string> noted_;
};

} // namespace konform::record
