#include "http/message.h"

#include "core/gzip.h"
#include "core/text.h"

namespace konform::http {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (text::iequals(k, name)) return std::string_view(v);
  return std::nullopt;
}

DecodedBody decoded_body(const Response& response, std::size_t max_output) {
  auto encoding = response.header("Content-Encoding");
  if (!encoding || text::iequals(text::trim(*encoding), "identity")) return {response.body, {}};
  auto enc = text::trim(*encoding);
  gzip::Format format;
  if (text::iequals(enc, "gzip") || text::iequals(enc, "x-gzip"))
    format = gzip::Format::gzip;
  else if (text::iequals(enc, "deflate"))
    format = gzip::Format::zlib_deflate;
  else
    return {response.body, "unsupported Content-Encoding '" + std::string(enc) + "'"};
  auto r = gzip::decompress(response.body, format, max_output);
  if (!r)
    return {response.body, "Content-Encoding: " + std::string(enc) + ", but " + r.error().message};
  return {std::move(r.value()), {}};
}

} // namespace konform::http
