#pragma once
// Drives a service's request handling from raw HTTP bytes, without sockets: the bytes are one
// connection's pipelined requests, each served by serve::serve_in_memory (the parser, limits,
// request building and response framing `serve` uses), the next one from the bytes the previous
// one left. As on a real connection, a framing error or a streamed response ends the connection,
// and so does a request without keep-alive. Every response the handler or the error path builds
// is checked on its way out (check_response); a handler that throws is a crash.
#include "json/document.h"
#include "serve/http_server.h"

#include <functional>
#include <string>

namespace konform::fuzz {

// What every response must be, whatever the request: no CR or LF inside a header (response
// splitting), and a JSON body where the Content-Type says JSON.
inline void check_response(const serve::ServerResponse& r) {
  for (const auto& [name, value] : r.headers)
    if (name.find_first_of("\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos)
      __builtin_trap();
  if (r.stream) return; // the body is only the start of a stream
  auto type = http::find_header(r.headers, "Content-Type");
  if (!type || type->find("json") == std::string_view::npos) return;
  if (http::find_header(r.headers, "Content-Encoding") || r.body.empty()) return;
  if (!json::Document::parse(r.body)) __builtin_trap();
}

inline void
serve_bytes(std::string_view bytes, const serve::Handler& handler,
            const std::function<serve::ServerResponse(int, const std::string&)>& error_response) {
  bool ended = false; // the connection would be closed after this response
  serve::ServerOptions options;
  options.body_limit = 1 << 20;          // smaller than serve's default: fast enough to reach
  options.stream_buffer_limit = 1 << 20; // a push query could write for ever
  options.error_response = [&](int status, const std::string& message) {
    auto r = error_response(status, message);
    check_response(r);
    ended = true;
    return r;
  };
  serve::Handler checked = [&](const serve::ServerRequest& req) {
    serve::ServerResponse r;
    try {
      r = handler(req);
    } catch (const std::exception&) {
      __builtin_trap(); // the server would answer 500; a handler must not throw on input
    }
    check_response(r);
    if (r.stream) ended = true;
    return r;
  };
  for (int requests = 0; requests < 16 && !bytes.empty() && !ended; ++requests) {
    std::size_t used = 0;
    auto raw = serve::serve_in_memory(options, checked, bytes, &used);
    bytes.remove_prefix(used);
    auto head = std::string_view(raw).substr(0, raw.find("\r\n\r\n") + 2);
    if (used == 0 || head.find("\r\nConnection: close\r\n") != std::string_view::npos) return;
  }
}

} // namespace konform::fuzz
