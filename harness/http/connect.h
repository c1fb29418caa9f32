#pragma once
// Opening a connection to an origin, shared by the HTTP/1.1 client and the HTTP/2 connection:
// the TLS client context (system trust store plus --ca-file, or no verification with
// --insecure), then resolve, connect with a deadline and, for https, the TLS handshake with SNI
// and host name verification. Each failure says which step failed and what to do.
#include "core/result.h"
#include "http/client.h"
#include "http/url.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <optional>

namespace konform::http {

// The stream of one connection: plain for http://, TLS for https:// (the other one is empty).
struct ClientStream {
  std::optional<boost::beast::tcp_stream> plain;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;

  boost::beast::tcp_stream& tcp_layer() {
    return secure ? boost::beast::get_lowest_layer(*secure) : *plain;
  }
  bool open() const { return plain || secure; }
  void close(); // the socket closed, both streams reset
};

// An unreadable --ca-file is an error of kind tls (the context is still usable without it).
Status configure_tls_client(boost::asio::ssl::context& ctx, const ClientOptions& options);

// Names the server on one TLS connection before its handshake: SNI, and (unless `insecure`) the
// host name or IP address its certificate must be for. Every TLS client of the tool calls it
// (connect_stream, and load's own transports, which drive OpenSSL on their own sockets).
Status name_tls_server(SSL* ssl, const std::string& host, bool insecure);

// HTTP/2 over TLS: offer only "h2" by ALPN on this context.
void offer_h2(boost::asio::ssl::context& ctx);
// After a finished handshake: whether the server agreed to "h2".
bool agreed_h2(const SSL* ssl);
// Whether a failed handshake is the server refusing every offered protocol (nginx without http2
// aborts with the no_application_protocol alert instead of ignoring ALPN).
bool refused_alpn(const boost::system::error_code& handshake_error);
// The error when an https origin does not agree to HTTP/2; `instead` says what to do.
Error not_h2_error(const Url& origin, const std::string& instead);

// Closes `stream`, then opens it to `origin` before `deadline`, running `ioc` until each step
// finishes. Errors carry kind connect, timeout or tls. When the TLS handshake fails its error
// code is also stored in *handshake_error (the HTTP/2 connection reads a refused ALPN from it).
Status connect_stream(boost::asio::io_context& ioc, boost::asio::ssl::context& ssl_ctx,
                      ClientStream& stream, const Url& origin, const ClientOptions& options,
                      std::chrono::steady_clock::time_point deadline,
                      boost::system::error_code* handshake_error = nullptr);

} // namespace konform::http
