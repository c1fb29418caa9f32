#pragma once
// An HTTP/2 connection of the server: the socket side of H2ServerSession (h2_session.h). The
// HTTP/1.1 session hands its socket over when the connection preface arrives (h2c with prior
// knowledge) or after answering "Upgrade: h2c" with 101.
#include "serve/http_server.h"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace konform::serve {

class H2Connection {
public:
  virtual ~H2Connection() = default;
  // Sends GOAWAY and closes (from any thread): the server is stopping.
  virtual void shutdown() = 0;
};

// Starts serving `socket` over HTTP/2. `received` holds the bytes already read (the preface and
// maybe more). With `upgrade`, the request that asked for "Upgrade: h2c" becomes stream 1 (its
// HTTP2-Settings in `http2_settings`). `owner` is kept alive as long as the connection (it holds
// the server's connection count). Returns a handle for shutdown.
std::shared_ptr<H2Connection>
start_h2_connection(boost::asio::ip::tcp::socket socket, const ServerOptions& options,
                    const Handler& handler, std::string remote, std::string_view received,
                    std::shared_ptr<void> owner, std::optional<ServerRequest> upgrade = {},
                    std::string http2_settings = {});

} // namespace konform::serve
