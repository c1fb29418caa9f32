#pragma once
// A small HTTP/2 server for client tests (h2c with prior knowledge, loopback, one thread per
// connection), built on nghttp2's server session. Each request is answered when it has arrived
// whole by the handler's Reply: status, fields, the body as DATA frames (one per piece), or a
// stream reset. The request's body arrives as the DATA frames it was sent in, so a test can see
// how a client framed it. Header-only, for test programs.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace konform::test_support {

class H2Server {
public:
  struct Request {
    std::string method, path;
    std::vector<std::pair<std::string, std::string>> fields; // the regular fields, in order
    std::vector<std::string> frames;                         // the body's DATA frames
  };
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::string> frames; // the body, one DATA frame each
    bool reset = false;              // answer with RST_STREAM (INTERNAL_ERROR) instead
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit H2Server(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~H2Server() {
    stop_ = true;
    accept_thread_.join();
    ::close(listen_fd_);
    std::lock_guard lock(mu_);
    for (auto& t : threads_)
      t.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_; }

private:
  struct Stream {
    Request request;
    std::string frame; // the DATA frame being received
    Reply reply;
    std::size_t piece = 0, offset = 0;
  };
  struct Conn {
    H2Server* server;
    std::deque<std::pair<std::int32_t, Stream>> streams; // stable addresses: the data providers
    Stream* find(std::int32_t id) {
      for (auto& [sid, s] : streams)
        if (sid == id) return &s;
      return nullptr;
    }
  };

  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard lock(mu_);
      threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    Conn conn{this, {}};
    nghttp2_session* ng = nullptr;
    nghttp2_session_server_new(&ng, cb, &conn);
    nghttp2_submit_settings(ng, NGHTTP2_FLAG_NONE, nullptr, 0);
    char buf[16384];
    while (!stop_) {
      for (;;) { // everything the session has to send
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(ng, &data);
        if (n <= 0) break;
        if (::send(fd, data, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) goto done;
      }
      if (!nghttp2_session_want_read(ng) && !nghttp2_session_want_write(ng)) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const auto got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) break;
      if (nghttp2_session_mem_recv(ng, reinterpret_cast<const std::uint8_t*>(buf),
                                   static_cast<std::size_t>(got)) < 0)
        break;
    }
  done:
    nghttp2_session_del(ng);
    nghttp2_session_callbacks_del(cb);
    ::close(fd);
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* f, void* user) {
    auto& c = *static_cast<Conn*>(user);
    if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST)
      c.streams.emplace_back(f->hd.stream_id, Stream{});
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* f, const std::uint8_t* name,
                       std::size_t nl, const std::uint8_t* value, std::size_t vl, std::uint8_t,
                       void* user) {
    auto* s = static_cast<Conn*>(user)->find(f->hd.stream_id);
    if (!s) return 0;
    std::string n(reinterpret_cast<const char*>(name), nl),
        v(reinterpret_cast<const char*>(value), vl);
    if (n == ":method")
      s->request.method = v;
    else if (n == ":path")
      s->request.path = v;
    else if (n[0] != ':')
      s->request.fields.emplace_back(n, v);
    return 0;
  }
  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* d,
                           std::size_t len, void* user) {
    if (auto* s = static_cast<Conn*>(user)->find(id))
      s->frame.append(reinterpret_cast<const char*>(d), len);
    return 0;
  }
  static int on_frame_recv(nghttp2_session* ng, const nghttp2_frame* f, void* user) {
    auto& c = *static_cast<Conn*>(user);
    auto* s = c.find(f->hd.stream_id);
    if (!s) return 0;
    if (f->hd.type == NGHTTP2_DATA && f->hd.length > 0) {
      s->request.frames.push_back(std::move(s->frame));
      s->frame.clear();
    }
    if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    {
      std::lock_guard lock(c.server->mu_);
      c.server->requests_.push_back(s->request);
    }
    s->reply = c.server->handler_(s->request);
    if (s->reply.reset)
      return nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, f->hd.stream_id,
                                       NGHTTP2_INTERNAL_ERROR);
    const std::string status = std::to_string(s->reply.status);
    std::vector<nghttp2_nv> nv;
    // string_view: a literal name must not become a temporary std::string whose bytes nghttp2
    // would read after it is gone.
    auto add = [&](std::string_view n, std::string_view v) {
      nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(n.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), n.size(),
                    v.size(), NGHTTP2_NV_FLAG_NONE});
    };
    add(":status", status);
    for (const auto& [n, v] : s->reply.fields)
      add(n, v);
    nghttp2_data_provider body{};
    body.source.ptr = s;
    body.read_callback = read_reply;
    return nghttp2_submit_response(ng, f->hd.stream_id, nv.data(), nv.size(),
                                   s->reply.frames.empty() ? nullptr : &body);
  }
  static ssize_t read_reply(nghttp2_session*, std::int32_t, std::uint8_t* out, std::size_t length,
                            std::uint32_t* flags, nghttp2_data_source* src, void*) {
    auto& s = *static_cast<Stream*>(src->ptr);
    const auto& pieces = s.reply.frames;
    std::size_t n = 0;
    if (s.piece < pieces.size()) {
      n = std::min(length, pieces[s.piece].size() - s.offset);
      std::memcpy(out, pieces[s.piece].data() + s.offset, n);
      s.offset += n;
      if (s.offset == pieces[s.piece].size()) {
        ++s.piece;
        s.offset = 0;
      }
    }
    if (s.piece >= pieces.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::thread> threads_;
  std::vector<Request> requests_;
};

} // namespace konform::test_support
