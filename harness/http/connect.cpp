#include "http/connect.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <openssl/x509v3.h>

#include <cstring>

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

Status name_tls_server(SSL* ssl, const std::string& host, bool insecure) {
  if (!SSL_set_tlsext_host_name(ssl, host.c_str()))
    return make_error("TLS: cannot set the server name (SNI) for " + host, ErrorKind::tls);
  // With --insecure the context verifies nothing, so the host name is not checked either.
  if (insecure) return Ok{};
  // The certificate must be for this name, or for this address when the URL names one (its IP
  // subjectAltName), as Asio's host_name_verification checks; OpenSSL fails the handshake
  // otherwise ("certificate verify failed").
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  const int set = not_ip ? X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size())
                         : X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  if (set != 1) return make_error("TLS: cannot ask for a certificate for " + host, ErrorKind::tls);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return Ok{};
}

void offer_h2(net::ssl::context& ctx) {
  static const unsigned char alpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx.native_handle(), alpn, sizeof alpn);
}

bool agreed_h2(const SSL* ssl) {
  const unsigned char* proto = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(ssl, &proto, &len);
  return len == 2 && std::memcmp(proto, "h2", 2) == 0;
}

bool refused_alpn(const boost::system::error_code& handshake_error) {
  return handshake_error &&
         handshake_error.message().find("no application protocol") != std::string::npos;
}

Error not_h2_error(const Url& origin, const std::string& instead) {
  return make_error(origin.origin() + " did not agree to HTTP/2 in the TLS handshake (ALPN h2); " +
                        instead,
                    ErrorKind::tls);
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
  if (auto st = name_tls_server(secure.native_handle(), origin.host, options.insecure); !st)
    return st;
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
