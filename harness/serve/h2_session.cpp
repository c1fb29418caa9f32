#include "serve/h2_session.h"

#include "core/text.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

namespace konform::serve {

namespace {

using steady = std::chrono::steady_clock;

// What a producer wrote and the session has not sent yet; shared by the stream and its sink.
struct Outbox {
  std::mutex mu;
  std::deque<std::string> chunks; // one chunk = one DATA frame (when window and frame size allow)
  std::size_t offset = 0;         // bytes of chunks.front() already sent
  std::size_t queued = 0;
  bool finished = false; // the producer called finish()
  bool closed = false;   // writes are refused (stream gone, or over the limit)
  bool overflow = false; // the producer got stream_buffer_limit ahead: the stream is reset
  bool gone = false;     // the stream ended; on_close has run (or will not)
  // Since when the front chunk has waited (set when the outbox fills, reset on progress).
  steady::time_point waiting_since = steady::now();
  std::function<void()> on_close;
};

// The line-delimited rest of a request body, handed to the handler as it arrives.
class BodyQueue : public RequestBodyStream {
public:
  explicit BodyQueue(std::size_t limit) : limit_(limit) {}
  void on_data(std::function<void(std::string_view, bool)> callback) override {
    if (dropped_) return;
    callback_ = std::move(callback);
    if (!pending_.empty()) {
      std::string p = std::move(pending_);
      pending_.clear();
      callback_(p, false);
    }
    if (ended_ && callback_) callback_({}, true);
  }
  void push(std::string_view data) {
    if (dropped_ || ended_ || data.empty()) return;
    if (callback_) return callback_(data, false);
    pending_.append(data);
    if (pending_.size() > limit_) drop(); // nobody reads it: stop keeping it (body_limit)
  }
  void end() {
    if (dropped_ || ended_) return;
    ended_ = true;
    if (callback_) callback_({}, true);
  }
  void drop() {
    dropped_ = true;
    callback_ = nullptr;
    pending_.clear();
  }

private:
  std::function<void(std::string_view, bool)> callback_;
  std::string pending_;
  std::size_t limit_;
  bool ended_ = false, dropped_ = false;
};

ServerResponse plain_error(int status, const std::string& message) {
  ServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = message + "\n";
  return r;
}

// Headers that only mean something on an HTTP/1.1 connection (RFC 9113 §8.2.2) or that the
// server sets itself (content-length).
bool hop_by_hop(std::string_view name) {
  for (auto h : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
                 "te", "content-length"})
    if (text::iequals(name, h)) return true;
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// HTTP2-Settings is base64url without padding (RFC 7540 §3.2.1).
std::optional<std::string> base64url_decode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

} // namespace

struct H2ServerSession::Waker {
  std::mutex mu;
  std::function<void()> wake;
  void operator()() {
    std::lock_guard lock(mu);
    if (wake) wake();
  }
};

struct H2ServerSession::Stream {
  std::int32_t id = 0;
  ServerRequest req;
  std::string authority;
  std::size_t header_bytes = 0;
  bool request_done = false; // END_STREAM received
  bool stream_body = false;  // the body is handed over line by line (stream_request_body)
  bool dispatched = false;   // the handler ran (or an error answer was submitted)
  std::shared_ptr<BodyQueue> body_queue;
  // The response: a whole body, or an outbox fed by the producer.
  std::string body;
  std::size_t body_sent = 0;
  std::shared_ptr<Outbox> box;
  bool deferred = false; // the data callback said "nothing yet": resume when the outbox fills
  bool eof_sent = false;
  bool reset_sent = false;
  int status = 0;
  std::string note;
  steady::time_point started = steady::now();
};

namespace {

// The sink handed to a streaming producer; any thread may write.
class H2Sink : public ChunkSink {
public:
  H2Sink(std::shared_ptr<Outbox> box, std::shared_ptr<H2ServerSession::Waker> waker,
         std::size_t limit)
      : box_(std::move(box)), waker_(std::move(waker)), limit_(limit) {}
  bool write(std::string chunk) override {
    bool ok = true;
    {
      std::lock_guard lock(box_->mu);
      if (box_->closed || box_->finished) return false;
      if (box_->queued + chunk.size() > limit_) {
        // A client that does not read: reset the stream instead of buffering without end.
        box_->overflow = true;
        box_->closed = true;
        ok = false;
      } else if (!chunk.empty()) {
        if (box_->chunks.empty()) box_->waiting_since = steady::now();
        box_->queued += chunk.size();
        box_->chunks.push_back(std::move(chunk));
      }
    }
    (*waker_)();
    return ok;
  }
  void finish() override {
    {
      std::lock_guard lock(box_->mu);
      if (box_->closed || box_->finished) return;
      box_->finished = true;
    }
    (*waker_)();
  }
  bool closed() const override {
    std::lock_guard lock(box_->mu);
    return box_->closed;
  }
  void on_close(std::function<void()> cb) override {
    {
      std::lock_guard lock(box_->mu);
      if (!box_->gone) {
        box_->on_close = std::move(cb);
        return;
      }
    }
    if (cb) cb();
  }

private:
  std::shared_ptr<Outbox> box_;
  std::shared_ptr<H2ServerSession::Waker> waker_;
  std::size_t limit_;
};

} // namespace

// nghttp2's C callbacks, forwarding to the session (user_data).
struct Callbacks {
  using S = H2ServerSession;
  static S& self(void* p) { return *static_cast<S*>(p); }
  static S::Stream* stream(S& s, std::int32_t id) {
    auto it = s.streams_.find(id);
    return it == s.streams_.end() ? nullptr : it->second.get();
  }

  // nghttp2 ignores a HEADERS frame on a stream id it no longer remembers; RFC 9113 §5.1.1
  // makes a stream id that is not above every earlier one a connection error.
  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
    auto& s = self(user);
    if (hd->type != NGHTTP2_HEADERS || s.goaway_code_ || hd->stream_id % 2 == 0) return 0;
    if (hd->stream_id <= s.max_stream_id_ && !stream(s, hd->stream_id))
      s.fail(NGHTTP2_PROTOCOL_ERROR, "HEADERS on stream " + std::to_string(hd->stream_id) +
                                         ", not above the last stream id " +
                                         std::to_string(s.max_stream_id_) +
                                         " (stream ids must not be reused)");
    return 0;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto& s = self(user);
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST &&
        !s.goaway_code_) {
      s.max_stream_id_ = std::max(s.max_stream_id_, frame->hd.stream_id);
      s.begin_stream(frame->hd.stream_id);
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user) {
    auto& s = self(user);
    if (s.goaway_code_) return 0;
    auto* st = stream(s, frame->hd.stream_id);
    if (!st) return 0; // trailers of a stream already answered, or one we refused
    // The HPACK size of the header list (RFC 7541 §4.1), as SETTINGS_MAX_HEADER_LIST_SIZE counts.
    st->header_bytes += namelen + valuelen + 32;
    if (st->header_bytes > s.options_.header_limit) {
      // As nginx does for a header block over its limit: a connection error. Decoding further
      // CONTINUATION frames would cost memory and CPU for a request that is refused anyway.
      s.fail(NGHTTP2_ENHANCE_YOUR_CALM, "request header block larger than " +
                                            std::to_string(s.options_.header_limit) + " bytes");
      return 0;
    }
    if (frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0; // trailers: ignored
    std::string_view n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    if (n == ":method")
      st->req.method = std::move(v);
    else if (n == ":path")
      st->req.target = std::move(v);
    else if (n == ":authority")
      st->authority = std::move(v);
    else if (!n.empty() && n[0] == ':')
      return 0; // :scheme, :protocol
    else
      st->req.headers.emplace_back(std::string(n), std::move(v));
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    auto& s = self(user);
    if (s.goaway_code_) return 0;
    auto* st = stream(s, frame->hd.stream_id);
    if (!st) return 0;
    bool end = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      auto& r = st->req;
      auto q = r.target.find('?');
      r.path = text::url_decode(std::string_view(r.target).substr(0, q));
      if (q != std::string::npos) r.query = r.target.substr(q + 1);
      if (!st->authority.empty()) r.headers.insert(r.headers.begin(), {"host", st->authority});
      if (!end && s.options_.stream_request_body && s.options_.stream_request_body(r)) {
        st->stream_body = true;
        st->body_queue = std::make_shared<BodyQueue>(s.options_.body_limit);
      }
    }
    if (!end || (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)) return 0;
    st->request_done = true;
    if (!st->dispatched)
      s.dispatch(*st);
    else if (st->body_queue)
      st->body_queue->end();
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t id,
                           const std::uint8_t* data, std::size_t len, void* user) {
    auto& s = self(user);
    auto* st = stream(s, id);
    if (!st || s.goaway_code_) return 0;
    std::string_view piece(reinterpret_cast<const char*>(data), len);
    if (st->dispatched) { // the rest of a streamed body, or data after an early answer
      if (st->body_queue) st->body_queue->push(piece);
      return 0;
    }
    if (st->req.body.size() + len > s.options_.body_limit) {
      st->dispatched = true;
      std::string m = "Request body too large: the limit is " +
                      std::to_string(s.options_.body_limit) + " bytes";
      s.submit(*st,
               s.options_.error_response ? s.options_.error_response(413, m) : plain_error(413, m));
      return 0;
    }
    st->req.body.append(piece);
    // A line-delimited body: the handler runs as soon as the first line is complete.
    // (Only the new piece is searched: a long first line is not rescanned frame after frame.)
    if (st->stream_body && piece.find('\n') != std::string_view::npos) s.dispatch(*st);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t error_code,
                             void* user) {
    self(user).close_stream(id, error_code);
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_GOAWAY && !self(user).goaway_code_ &&
        frame->goaway.error_code != NGHTTP2_NO_ERROR)
      self(user).goaway_code_ = frame->goaway.error_code;
    return 0;
  }

  static ssize_t read_data(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto& st = *static_cast<S::Stream*>(source->ptr);
    if (!st.box) {
      std::size_t n = std::min(length, st.body.size() - st.body_sent);
      std::memcpy(buf, st.body.data() + st.body_sent, n);
      st.body_sent += n;
      if (st.body_sent == st.body.size()) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        st.eof_sent = true;
      }
      return static_cast<ssize_t>(n);
    }
    auto& box = *st.box;
    std::lock_guard lock(box.mu);
    if (box.chunks.empty()) {
      if (box.finished) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        st.eof_sent = true;
        return 0;
      }
      st.deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
    // One chunk per frame: never two chunks together (the npm ksqldb-client JSON.parses every
    // DATA frame on its own).
    auto& front = box.chunks.front();
    std::size_t n = std::min(length, front.size() - box.offset);
    std::memcpy(buf, front.data() + box.offset, n);
    box.offset += n;
    box.queued -= n;
    if (n > 0) box.waiting_since = steady::now();
    if (box.offset == front.size()) {
      box.chunks.pop_front();
      box.offset = 0;
    }
    if (box.chunks.empty() && box.finished) { // END_STREAM on the last chunk's frame
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      st.eof_sent = true;
    }
    return static_cast<ssize_t>(n);
  }
};

H2ServerSession::H2ServerSession(const ServerOptions& options, const Handler& handler,
                                 std::string remote, std::function<void()> wake)
    : options_(options), handler_(handler), remote_(std::move(remote)),
      waker_(std::make_shared<Waker>()) {
  waker_->wake = std::move(wake);
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, Callbacks::on_frame_send);
  nghttp2_session_server_new(&session_, cb, this);
  nghttp2_session_callbacks_del(cb);
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(options_.header_limit)},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
}

H2ServerSession::~H2ServerSession() {
  // nghttp2_session_del runs no callbacks: end the open streams as a disconnect would.
  while (!streams_.empty())
    close_stream(streams_.begin()->first, NGHTTP2_CANCEL);
  {
    std::lock_guard lock(waker_->mu);
    waker_->wake = nullptr;
  }
  nghttp2_session_del(session_);
}

bool H2ServerSession::upgrade(std::string_view http2_settings, ServerRequest request) {
  auto payload = base64url_decode(http2_settings);
  if (!payload) return false;
  int rv =
      nghttp2_session_upgrade2(session_, reinterpret_cast<const std::uint8_t*>(payload->data()),
                               payload->size(), request.method == "HEAD", nullptr);
  if (rv != 0) return false;
  begin_stream(1);
  max_stream_id_ = 1;
  auto& st = *streams_.at(1);
  std::string body = std::move(request.body);
  st.req = std::move(request);
  st.req.http2 = true;
  st.request_done = true;
  if (options_.stream_request_body && options_.stream_request_body(st.req)) {
    st.stream_body = true;
    st.body_queue = std::make_shared<BodyQueue>(options_.body_limit);
  }
  st.req.body = std::move(body);
  dispatch(st);
  return true;
}

void H2ServerSession::begin_stream(std::int32_t id) {
  auto st = std::make_unique<Stream>();
  st->id = id;
  st->req.remote = remote_;
  st->req.http2 = true;
  streams_[id] = std::move(st);
}

void H2ServerSession::dispatch(Stream& st) {
  st.dispatched = true;
  if (st.stream_body) {
    // body = the first line; the rest (and the end, if it came) goes to the body queue.
    auto nl = st.req.body.find('\n');
    std::string rest;
    if (nl != std::string::npos) {
      rest = st.req.body.substr(nl + 1);
      st.req.body.resize(nl);
    }
    st.req.body_stream = st.body_queue;
    st.body_queue->push(rest);
    if (st.request_done) st.body_queue->end();
  }
  ServerResponse res;
  try {
    res = handler_(st.req);
  } catch (const std::exception& e) {
    std::string m = std::string("Internal server error: ") + e.what();
    res = options_.error_response ? options_.error_response(500, m) : plain_error(500, m);
  }
  submit(st, std::move(res));
}

void H2ServerSession::submit(Stream& st, ServerResponse res) {
  st.status = res.status;
  st.note = std::move(res.log_note);
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(res.headers.size() + 2);
  fields.emplace_back(":status", std::to_string(res.status));
  for (auto& [name, value] : res.headers)
    if (!name.empty() && !hop_by_hop(name)) fields.emplace_back(lower(name), value);
  if (!res.stream) fields.emplace_back("content-length", std::to_string(res.body.size()));
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (auto& [n, v] : fields)
    nva.push_back({reinterpret_cast<std::uint8_t*>(n.data()),
                   reinterpret_cast<std::uint8_t*>(v.data()), n.size(), v.size(),
                   NGHTTP2_NV_FLAG_NONE});
  nghttp2_data_provider provider;
  provider.source.ptr = &st;
  provider.read_callback = Callbacks::read_data;
  bool head = st.req.method == "HEAD";
  if (!res.stream) {
    // An answer that is not streamed reads no more of a streamed request body: what still
    // comes is discarded, not kept.
    if (st.body_queue) st.body_queue->drop();
    st.body = std::move(res.body);
    bool no_data = head || st.body.empty();
    if (no_data) st.eof_sent = true;
    nghttp2_submit_response(session_, st.id, nva.data(), nva.size(), no_data ? nullptr : &provider);
    return;
  }
  st.box = std::make_shared<Outbox>();
  if (!res.body.empty()) {
    st.box->queued = res.body.size();
    st.box->chunks.push_back(std::move(res.body));
  }
  nghttp2_submit_response(session_, st.id, nva.data(), nva.size(), &provider);
  auto sink = std::make_shared<H2Sink>(st.box, waker_, options_.stream_buffer_limit);
  auto producer = std::move(res.stream);
  producer(sink);
}

void H2ServerSession::close_stream(std::int32_t id, std::uint32_t) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  std::unique_ptr<Stream> st = std::move(it->second);
  streams_.erase(it);
  if (st->body_queue) st->body_queue->drop();
  std::function<void()> on_close;
  if (st->box) {
    std::lock_guard lock(st->box->mu);
    st->box->closed = true;
    st->box->gone = true;
    // Like a disconnect on HTTP/1.1: the producer hears of it unless everything was sent.
    if (!st->eof_sent) on_close = std::move(st->box->on_close);
    st->box->on_close = nullptr;
    st->box->chunks.clear();
  }
  if (st->dispatched) log(*st);
  if (on_close) on_close();
}

void H2ServerSession::log(const Stream& st) {
  if (!options_.access_log || st.status == 0) return;
  AccessLogEntry e;
  e.listener = options_.name;
  e.method = st.req.method;
  e.target = st.req.target;
  e.status = st.status;
  e.latency = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - st.started);
  e.client_request_id = std::string(st.req.header("x-ms-client-request-id").value_or(""));
  e.note = st.note;
  options_.access_log(e);
}

void H2ServerSession::fail(std::uint32_t error_code, std::string_view why) {
  if (goaway_code_) return;
  goaway_code_ = error_code;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), error_code,
                        reinterpret_cast<const std::uint8_t*>(why.data()), why.size());
  // No more reading: finished() turns true once the GOAWAY (with `why` as debug data) is out.
}

bool H2ServerSession::receive(std::string_view bytes) {
  if (goaway_code_) return false;
  auto rv = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size());
  if (rv < 0) {
    // nghttp2 queues its own GOAWAY for protocol errors it handles; these come back instead.
    std::uint32_t code = NGHTTP2_INTERNAL_ERROR;
    if (rv == NGHTTP2_ERR_BAD_CLIENT_MAGIC) code = NGHTTP2_PROTOCOL_ERROR;
    if (rv == NGHTTP2_ERR_FLOODED) code = NGHTTP2_ENHANCE_YOUR_CALM;
    fail(code, rv == NGHTTP2_ERR_BAD_CLIENT_MAGIC ? "invalid HTTP/2 connection preface"
                                                  : nghttp2_strerror(static_cast<int>(rv)));
    return false;
  }
  return !goaway_code_;
}

void H2ServerSession::send(std::string& out, std::size_t max) {
  auto now = steady::now();
  for (auto& [id, st] : streams_) {
    if (!st->box) continue;
    bool resume = false, reset = false;
    {
      std::lock_guard lock(st->box->mu);
      // Over the buffer limit, or nothing of it sent for stream_write_timeout (the client's
      // window stays shut): the stream is reset, as HTTP/1.1 drops such a client.
      bool stalled =
          !st->box->chunks.empty() && now - st->box->waiting_since > options_.stream_write_timeout;
      if (stalled) st->box->closed = true;
      if ((st->box->overflow || stalled) && !st->reset_sent)
        reset = true;
      else if (st->deferred && (!st->box->chunks.empty() || st->box->finished))
        resume = true;
    }
    if (reset) {
      st->reset_sent = true;
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    } else if (resume) {
      st->deferred = false;
      nghttp2_session_resume_data(session_, id);
    }
  }
  while (out.size() < max) {
    const std::uint8_t* data = nullptr;
    auto n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

bool H2ServerSession::finished() const {
  bool writing = nghttp2_session_want_write(session_);
  return !writing && (goaway_code_ || !nghttp2_session_want_read(session_));
}

void H2ServerSession::shutdown() {
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
}

} // namespace konform::serve
