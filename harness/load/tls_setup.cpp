#include "load/tls_setup.h"

#include "http/connect.h"

#include <boost/asio/io_context.hpp>

namespace konform::load {
namespace {

http::ClientOptions client_options(const LoadOptions& o) {
  http::ClientOptions c;
  c.ca_file = o.ca_file;
  c.insecure = o.insecure;
  c.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.timeout);
  return c;
}

} // namespace

void configure_tls(boost::asio::ssl::context& ctx, const LoadOptions& options) {
  (void)http::configure_tls_client(ctx, client_options(options));
  if (options.http2) http::offer_h2(ctx);
}

Status check_tls_target(const LoadOptions& options) {
  if (!options.origin.tls) return Ok{};
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  const auto co = client_options(options);
  if (auto st = http::configure_tls_client(ctx, co); !st) return make_error(st.error().message);
  if (options.http2) http::offer_h2(ctx);
  boost::asio::io_context ioc;
  http::ClientStream stream;
  boost::system::error_code handshake;
  auto st = http::connect_stream(ioc, ctx, stream, options.origin, co,
                                 std::chrono::steady_clock::now() + co.timeout, &handshake);
  const bool h2 = st && http::agreed_h2(stream.secure->native_handle());
  stream.close();
  if (!options.http2) {
    // HTTP/1.1: a handshake the client refuses (an untrusted certificate, a plain-HTTP port)
    // would fail on every connection alike; a target that cannot be reached or does not answer
    // in time is counted per connection by the run, as a flaky one is.
    if (!st && st.error().kind == ErrorKind::tls) return st;
    return Ok{};
  }
  const std::string instead = "drop --http2 to load it over HTTP/1.1";
  if (!st && http::refused_alpn(handshake)) return http::not_h2_error(options.origin, instead);
  if (!st) return st;
  if (!h2) return http::not_h2_error(options.origin, instead);
  return Ok{};
}

} // namespace konform::load
