#include "core/redact.h"

namespace konform::redact {

void in_place(std::string& s, std::string_view secret) {
  if (secret.empty() || s.size() < secret.size()) return;
  std::size_t at = s.find(secret);
  if (at == std::string::npos) return;
  // One pass into a new string: replacing in place would move the tail once per occurrence.
  std::string out;
  out.reserve(s.size());
  std::size_t from = 0;
  for (; at != std::string::npos; at = s.find(secret, from)) {
    out.append(s, from, at - from);
    out += kMask;
    from = at + secret.size();
  }
  out.append(s, from, std::string::npos);
  s = std::move(out);
}

std::string redacted(std::string_view s, std::string_view secret) {
  std::string out(s);
  in_place(out, secret);
  return out;
}

} // namespace konform::redact
