#include "load/sample.h"

#include "core/gzip.h"

namespace konform::load {

SampleVerdict check_sample(const PreparedStep& s, const ResponseParser& parser,
                           std::string_view capture) {
  SampleVerdict v;
  // Longer than the validators read (the capture stopped at its cap): not sampled.
  if (parser.capture_truncated()) return v;
  std::string decoded;
  std::string_view body = capture;
  if (parser.encoded()) {
    auto d =
        gzip::decompress(capture, parser.gzip() ? gzip::Format::gzip : gzip::Format::zlib_deflate,
                         std::size_t(64) << 20);
    if (!d) {
      v.error = s.name + ": content-encoding: " + d.error().message;
      return v;
    }
    decoded = std::move(*d);
    body = decoded;
  }
  auto kind = s.kind ? s.kind : protocol::detect_kind(body);
  if (!kind) kind = protocol::Kind::text;
  protocol::Exchange ex;
  ex.status = parser.status();
  ex.request_accept = s.accept;
  v.validated = true;
  for (const auto& f : protocol::validate(*kind, body, ex)) {
    if (f.level == protocol::Level::violation) {
      v.error =
          s.name + ": " + f.rule + " at " + (f.path.empty() ? "HTTP" : f.path) + ": " + f.message;
      return v;
    }
  }
  return v;
}

} // namespace konform::load
