#include "http/connect.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace konform::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

void ClientStream::close() {
  boost::system::error_code ec;
  if (open()) tcp_layer().socket().close(ec);
  plain.reset();
  secure.reset();
}

Status configure_tls_client(net::ssl::context& ctx, const ClientOptions& options) {
  if (options.insecure) {
    ctx.set_verify_mode(net::ssl::verify_none);
    return Ok{};
  }
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(net::ssl::verify_peer);
  if (!options.ca_file.empty()) {
    boost::system::error_code ec;
    ctx.load_verify_file(options.ca_file, ec);
    // Ignored, a bad file would only show later as "certificate verify failed" naming the server.
    if (ec)
      return make_error("--ca-file " + options.ca_file + ": not readable as PEM certificates (" +
                            ec.message() + "); give a PEM file of the CA that signed the server",
                        ErrorKind::tls);
  }
  return Ok{};
}

Status connect_stream(net::io_context& ioc, net::ssl::context& ssl_ctx, ClientStream& stream,
                      const Url& origin, const ClientOptions& options,
                      std::chrono::steady_clock::time_point deadline,
                      boost::system::error_code* handshake_error) {
  stream.close();
  auto run = [&] {
    ioc.restart();
    ioc.run();
  };
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(origin.host, std::to_string(origin.port), ec);
  if (ec)
    return make_error("cannot resolve " + origin.host + ": " + ec.message(), ErrorKind::connect);
  if (origin.tls)
    stream.secure.emplace(ioc, ssl_ctx);
  else
    stream.plain.emplace(ioc);
  stream.tcp_layer().expires_at(deadline);
  stream.tcp_layer().async_connect(endpoints, [&](auto e, auto) { ec = e; });
  run();
  if (ec == beast::error::timeout)
    return make_error("cannot connect to " + origin.origin() + " within the timeout of " +
                          std::to_string(options.timeout.count()) + " ms",
                      ErrorKind::timeout);
  if (ec)
    return make_error("cannot connect to " + origin.origin() + ": " + ec.message(),
                      ErrorKind::connect);
  stream.tcp_layer().socket().set_option(tcp::no_delay(true), ec);
  if (!stream.secure) return Ok{};

  auto& secure = *stream.secure;
  if (!SSL_set_tlsext_host_name(secure.native_handle(), origin.host.c_str()))
    return make_error("TLS: cannot set the server name (SNI) for " + origin.host, ErrorKind::tls);
  // With --insecure the context verifies nothing, so the host name is not checked either.
  if (!options.insecure) secure.set_verify_callback(net::ssl::host_name_verification(origin.host));
  secure.async_handshake(net::ssl::stream_base::client, [&](auto e) { ec = e; });
  run();
  if (handshake_error) *handshake_error = ec;
  if (ec == beast::error::timeout)
    return make_error("TLS handshake with " + origin.origin() +
                          " did not finish within the timeout of " +
                          std::to_string(options.timeout.count()) + " ms",
                      ErrorKind::timeout);
  if (ec)
    return make_error("TLS handshake with " + origin.origin() + " failed: " + ec.message() +
                          (options.insecure ? ""
                                            : " (use --ca-file, or --insecure for a test "
                                              "server with a self-signed certificate)"),
                      ErrorKind::tls);
  return Ok{};
}

} // namespace konform::http
