// `konform serve`'s HTTP/2 server session: raw bytes from a client (the connection preface and
// frames, h2c with prior knowledge) through nghttp2 and H2ServerSession to the ksqlDB service
// (so /query-stream, /inserts-stream and push queries run), without sockets. Inputs that are not
// HTTP/2 must end in a GOAWAY, never a crash, hang or unbounded buffering. The input is fed in
// pieces (its first byte picks the piece size) so that frames split across reads are covered.
#include "fuzz/fuzz_input.h"
#include "fuzz/serve_driver.h"
#include "serve/h2_session.h"
#include "serve/ksql/ksql_service.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  if (size == 0) return 0;
  std::size_t piece = 1 + data[0] % 64 * 64;
  auto bytes = fuzz::as_text(data + 1, size - 1);
  serve::ksql::KsqlOptions ko;
  ko.command_timeout = std::chrono::milliseconds(0);
  auto service = serve::ksql::KsqlService::create(ko);
  if (!service) __builtin_trap();
  auto& s = **service;
  serve::ServerOptions options;
  options.body_limit = 1 << 20;
  options.stream_buffer_limit = 1 << 20;
  options.header_limit = 8 * 1024;
  options.stream_request_body = serve::ksql::KsqlService::streams_request_body;
  options.error_response = [&](int status, const std::string& message) {
    auto r = s.error_response(status, message);
    fuzz::check_response(r);
    return r;
  };
  serve::Handler handler = [&](const serve::ServerRequest& req) {
    serve::ServerResponse r;
    try {
      r = s.handle(req);
    } catch (const std::exception&) {
      __builtin_trap(); // the server would answer 500; a handler must not throw on input
    }
    fuzz::check_response(r);
    return r;
  };
  serve::H2ServerSession session(options, handler, "127.0.0.1", [] {});
  std::string out;
  std::size_t total_out = 0;
  while (!bytes.empty()) {
    auto chunk = bytes.substr(0, piece);
    bytes.remove_prefix(chunk.size());
    bool ok = session.receive(chunk);
    out.clear();
    session.send(out);
    total_out += out.size();
    if (!ok || session.finished()) break;
  }
  // Whatever the client does, what the server produces is bounded by what it was asked.
  for (int i = 0; i < 64; ++i) {
    out.clear();
    session.send(out);
    total_out += out.size();
    if (out.empty()) break;
  }
  (void)total_out;
  return 0;
}
