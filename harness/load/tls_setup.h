#pragma once
// The TLS side of load's https transports (HTTP/1.1 over Asio's SSL stream, HTTP/2 over OpenSSL
// on the thread's epoll set), set up by the conformance client's functions (http/connect.h): the
// trust store plus --ca-file or no verification with --insecure, SNI and the host name check, and
// for --http2 the ALPN offer of "h2".
#include "core/result.h"
#include "load/options.h"

#include <boost/asio/ssl/context.hpp>

namespace konform::load {

// A load thread's TLS client context (a bad --ca-file was refused before the run).
void configure_tls(boost::asio::ssl::context& ctx, const LoadOptions& options);

// Before the run, for an https origin: an unreadable --ca-file is bad input (an error of kind
// none); one connection goes through the handshake, so a refused certificate (or a port that
// does not speak TLS) is one clear error of kind tls, not a run of failed connects. With --http2
// it must also agree to h2, and a connect or timeout error ends the run too (kind connect or
// timeout); over HTTP/1.1 those are left to the run, which counts them per connection.
Status check_tls_target(const LoadOptions& options);

} // namespace konform::load
