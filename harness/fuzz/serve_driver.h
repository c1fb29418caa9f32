#pragma once
// Drives a service's request handling from raw HTTP bytes, without sockets: the bytes are read
// as one connection's pipelined requests by the same Beast parser and limits `serve` uses
// (serve/http_server.cpp), each request goes to the handler, a streamed response is fed to an
// in-memory sink and then the client "goes away". As on a real connection, a framing error
// answers with the service's error body and ends the connection, and so does a stream.
//
// The request is built as HttpServer's Session::on_read builds it; keep the two in step.
#include "core/text.h"
#include "serve/http_server.h"
#include "serve/response_head.h"

#include "json/document.h"
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <mutex>

namespace konform::fuzz {

// A stream's chunks gathered in memory, up to a bound (a push query could write for ever).
class MemorySink : public serve::ChunkSink {
public:
  bool write(std::string chunk) override {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    bytes_ += chunk.size();
    if (bytes_ > (1u << 20)) return false;
    return true;
  }
  void finish() override {
    std::lock_guard lock(mu_);
    finished_ = true;
  }
  bool closed() const override {
    std::lock_guard lock(mu_);
    return closed_;
  }
  void on_close(std::function<void()> callback) override {
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        on_close_ = std::move(callback);
        return;
      }
    }
    if (callback) callback();
  }
  // The client disconnects: the producer's cleanup runs (a push query is stopped).
  void close() {
    std::function<void()> callback;
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      callback = std::move(on_close_);
    }
    if (callback) callback();
  }

private:
  mutable std::mutex mu_;
  bool closed_ = false;
  bool finished_ = false;
  std::size_t bytes_ = 0;
  std::function<void()> on_close_;
};

struct ServeLimits {
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1 << 20;
};

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
            const std::function<serve::ServerResponse(int, const std::string&)>& error_response,
            ServeLimits limits = {}) {
  namespace bhttp = boost::beast::http;
  std::string head;
  for (int requests = 0; requests < 16 && !bytes.empty(); ++requests) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    parser.eager(true);
    boost::beast::error_code ec;
    while (!parser.is_done()) {
      std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
      bytes.remove_prefix(used);
      if (ec != bhttp::error::need_more) break;
      ec = {};
      if (used == 0 || bytes.empty()) { // all there is: the client half-closes
        parser.put_eof(ec);
        break;
      }
    }
    if (ec) {
      int status = ec == bhttp::error::header_limit ? 431
                   : ec == bhttp::error::body_limit ? 413
                                                    : 400;
      auto r = error_response(status, "Malformed HTTP request: " + ec.message());
      check_response(r);
      return; // the connection ends after a framing error
    }
    if (!parser.is_done()) return;

    auto& msg = parser.get();
    serve::ServerRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto q = req.target.find('?');
    req.path = text::url_decode(std::string_view(req.target).substr(0, q));
    if (q != std::string::npos) req.query = req.target.substr(q + 1);
    for (const auto& f : msg)
      req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    req.body = std::move(msg.body());
    req.remote = "127.0.0.1";

    serve::ServerResponse res;
    try {
      res = handler(req);
    } catch (const std::exception&) {
      __builtin_trap(); // the server would answer 500; a handler must not throw on input
    }
    check_response(res);
    serve::write_response_head(head, res.status, res.headers,
                               {msg.keep_alive(), bool(res.stream), res.body.size()});
    if (res.stream) {
      auto sink = std::make_shared<MemorySink>();
      res.stream(sink);
      sink->close();
      return; // a stream ends its connection
    }
    if (!msg.keep_alive()) return;
  }
}

} // namespace konform::fuzz
