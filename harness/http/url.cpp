#include "http/url.h"

#include "core/text.h"

namespace konform::http {

std::string Url::origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (tls && port == 443) || (!tls && port == 80);
  return std::string(tls ? "https://" : "http://") + h +
         (default_port ? "" : ":" + std::to_string(port));
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text::istarts_with(text, "http://")) {
    rest = text.substr(7);
  } else if (text::istarts_with(text, "https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else {
    return make_error("'" + std::string(text) +
                      "' is not a URL konform can use: it must start with http:// or https://");
  }
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!url.target.empty() && url.target[0] == '?') url.target = "/" + url.target;
  if (authority.find('@') != std::string_view::npos)
    return make_error("'" + std::string(text) +
                      "': credentials in URLs are not accepted; use --token or --token-file");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return make_error("'" + std::string(text) + "': unterminated IPv6 address (missing ']')");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return make_error("'" + std::string(text) + "': expected ':' after the IPv6 address");
      port_text = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return make_error("'" + std::string(text) + "': the URL has no host");
  if (port_text.empty()) {
    url.port = url.tls ? 443 : 80;
  } else {
    auto port = text::parse_int(port_text);
    if (!port || *port <= 0 || *port > 65535)
      return make_error("'" + std::string(text) + "': the port must be a number from 1 to 65535");
    url.port = static_cast<std::uint16_t>(*port);
  }
  return url;
}

std::string join_target(const Url& base, std::string_view path) {
  std::string prefix = base.target;
  auto q = prefix.find('?');
  if (q != std::string::npos) prefix.resize(q);
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  if (path.empty() || path[0] != '/') return prefix + "/" + std::string(path);
  return prefix + std::string(path);
}

} // namespace konform::http
