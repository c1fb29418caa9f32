#pragma once
// Tests only: an HTTP/2 client made of an nghttp2 client session, without sockets (bytes in,
// bytes out), recording each response's headers, every DATA frame on its own, how each stream
// closed and the GOAWAY received. Drives H2ServerSession directly (pump) or a socket.
#include "http/message.h"

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace konform::serve::testing {

struct H2Response {
  int status = 0;
  http::Headers headers;
  std::vector<std::string> frames; // DATA frame payloads, one entry per frame
  bool closed = false;
  std::uint32_t close_code = 0; // RST_STREAM error code (0 = ended normally)
  std::string body() const {
    std::string b;
    for (auto& f : frames)
      b += f;
    return b;
  }
};

class H2TestClient {
public:
  // Without `auto_window`, received DATA only opens the window again through consume().
  explicit H2TestClient(std::vector<nghttp2_settings_entry> settings = {}, bool preface = true,
                        bool auto_window = true) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
    nghttp2_option* opt = nullptr;
    nghttp2_option_new(&opt);
    nghttp2_option_set_no_auto_window_update(opt, auto_window ? 0 : 1);
    nghttp2_session_client_new2(&session_, cb, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    if (preface)
      nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  }
  ~H2TestClient() { nghttp2_session_del(session_); }
  H2TestClient(const H2TestClient&) = delete;
  H2TestClient& operator=(const H2TestClient&) = delete;

  // A request; with `open_body` the body stays open for send_body() after `body`.
  std::int32_t request(const std::string& method, const std::string& path,
                       http::Headers headers = {}, std::optional<std::string> body = {},
                       bool open_body = false) {
    std::vector<std::pair<std::string, std::string>> f = {
        {":method", method}, {":scheme", "http"}, {":authority", "localhost"}, {":path", path}};
    for (auto& h : headers)
      f.push_back(h);
    std::vector<nghttp2_nv> nva;
    for (auto& [n, v] : f)
      nva.push_back({reinterpret_cast<std::uint8_t*>(n.data()),
                     reinterpret_cast<std::uint8_t*>(v.data()), n.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    auto out = std::make_unique<Outgoing>();
    bool has_body = body.has_value() || open_body;
    if (body) out->data = *body;
    out->ended = !open_body;
    nghttp2_data_provider prd;
    prd.source.ptr = out.get();
    prd.read_callback = read_body;
    std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                             has_body ? &prd : nullptr, this);
    outgoing_[id] = std::move(out);
    return id;
  }
  // More of an open request body; `end` ends it.
  void send_body(std::int32_t id, const std::string& data, bool end) {
    auto& o = *outgoing_.at(id);
    o.data += data;
    o.ended = o.ended || end;
    nghttp2_session_resume_data(session_, id);
  }
  void reset(std::int32_t id) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  }
  // Consumes received DATA so that the server may send more (the window grows again).
  void consume(std::int32_t id, std::size_t n) { nghttp2_session_consume(session_, id, n); }

  std::string take_output() {
    std::string out;
    for (;;) {
      const std::uint8_t* data = nullptr;
      auto n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    return out;
  }
  void receive(std::string_view bytes) {
    nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                             bytes.size());
  }
  nghttp2_session* session() { return session_; }

  std::map<std::int32_t, H2Response> responses;
  std::optional<std::uint32_t> goaway; // error code of a GOAWAY received
  std::string goaway_debug;

private:
  struct Outgoing {
    std::string data;
    std::size_t sent = 0;
    bool ended = true;
  };
  static H2TestClient& self(void* p) { return *static_cast<H2TestClient*>(p); }
  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user) {
    auto& r = self(user).responses[frame->hd.stream_id];
    std::string n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":status")
      r.status = std::stoi(v);
    else
      r.headers.emplace_back(n, v);
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                     std::size_t len, void* user) {
    self(user).responses[id].frames.emplace_back(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int on_close(nghttp2_session*, std::int32_t id, std::uint32_t code, void* user) {
    auto& r = self(user).responses[id];
    r.closed = true;
    r.close_code = code;
    return 0;
  }
  static int on_frame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      self(user).goaway = frame->goaway.error_code;
      self(user).goaway_debug.assign(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                     frame->goaway.opaque_data_len);
    }
    return 0;
  }
  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto& o = *static_cast<Outgoing*>(source->ptr);
    std::size_t n = std::min(length, o.data.size() - o.sent);
    if (n == 0 && !o.ended) return NGHTTP2_ERR_DEFERRED;
    std::memcpy(buf, o.data.data() + o.sent, n);
    o.sent += n;
    if (o.ended && o.sent == o.data.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, std::unique_ptr<Outgoing>> outgoing_;
};

// The GOAWAY error code in raw server output, if it holds one (for inputs no client would send).
inline std::optional<std::uint32_t> goaway_in(std::string_view bytes) {
  while (bytes.size() >= 9) {
    std::size_t len = (std::size_t(std::uint8_t(bytes[0])) << 16) |
                      (std::size_t(std::uint8_t(bytes[1])) << 8) | std::uint8_t(bytes[2]);
    if (bytes.size() < 9 + len) break;
    if (bytes[3] == 7 && len >= 8) {
      auto p = bytes.substr(9 + 4);
      return (std::uint32_t(std::uint8_t(p[0])) << 24) | (std::uint32_t(std::uint8_t(p[1])) << 16) |
             (std::uint32_t(std::uint8_t(p[2])) << 8) | std::uint8_t(p[3]);
    }
    bytes.remove_prefix(9 + len);
  }
  return std::nullopt;
}

} // namespace konform::serve::testing
