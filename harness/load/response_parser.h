#pragma once
// The load generator's HTTP/1.1 response parser: an incremental state machine that never allocates
// (the current status/header/chunk-size line lives in a fixed buffer), fed with whatever a read
// returned. It keeps only what the load generator needs: status, Content-Length, chunked framing,
// Connection: close, Content-Encoding, body size, chunk count, and — only when asked — the body.
#include <cstddef>
#include <cstdint>
#include <string>

namespace konform::load {

class ResponseParser {
public:
  // Longest status, header or chunk-size line accepted; longer is a protocol violation.
  static constexpr std::size_t max_line = 8192;
  // Longest header block (status line, headers, and any interim 1xx responses and stray line ends
  // before the final one); longer is a protocol violation, not a wait for --timeout.
  static constexpr std::size_t max_header_bytes = std::size_t(1) << 20;
  // Most of a body a capture keeps (the validators' own limit on a decompressed body): a server
  // that sends an endless body grows no buffer beyond this; capture_truncated() then says so.
  static constexpr std::size_t max_capture = std::size_t(64) << 20;

  // Prepares for the next response. head: the request was HEAD (no body whatever the headers).
  // capture: when not null, the (still encoded) body is appended to it — used for sampled
  // validation and never in the plain hot path.
  void reset(bool head = false, std::string* capture = nullptr);

  // Consumes bytes up to the end of one response and returns how many it used; bytes after the
  // end belong to the next response. Stops consuming on error.
  std::size_t feed(const char* data, std::size_t size);
  // The peer closed the connection: completes a body delimited by the close; otherwise an error
  // if a response was in progress.
  void on_eof();

  // HTTP/2: the session (nghttp2) does the framing, and these keep the same accounting (status,
  // sizes, rows, capture) for one stream: its final header block, its DATA, its end.
  void framed_head(int status, std::uint64_t header_bytes, bool encoded, bool gzip);
  void framed_body(const char* data, std::size_t size) { body(data, size); }
  void framed_end() { state_ = State::done; }

  bool done() const { return state_ == State::done; }
  bool failed() const { return state_ == State::error; }
  bool started() const { return started_; }
  const char* error() const { return error_; }
  bool capture_truncated() const { return capture_truncated_; }

  int status() const { return h_.status; }
  bool keep_alive() const { return keep_alive_; }
  bool chunked() const { return h_.chunked; }
  bool encoded() const { return h_.encoded; } // Content-Encoding other than identity
  bool gzip() const { return h_.gzip; }
  std::int64_t content_length() const { return h_.content_length; } // -1 when absent
  std::uint64_t body_bytes() const { return body_bytes_; }
  std::uint64_t chunks() const { return chunks_; }
  std::uint64_t header_bytes() const { return header_bytes_; }
  // Rows of a streaming ksqlDB query in the body: lines that start with {"row" (/query, every
  // server generation) or with '[' not followed by '{' (a /query-stream row array). Header
  // lines, keep-alive blank lines and final messages are not rows.
  std::uint64_t body_rows() const { return body_rows_; }
  void count_rows(bool on) { count_rows_ = on; }
  // Responses whose header block matched the previous one byte for byte (see HeaderMemo).
  std::uint64_t header_memo_hits() const { return memo_hits_; }

private:
  enum class State {
    status_line,
    headers,
    body_length,
    body_until_close,
    chunk_size,
    chunk_data,
    chunk_data_crlf,
    trailers,
    done,
    error,
  };

  // What the status and header lines set: all that on_headers_end() decides from (kept as one
  // struct so a header-block memo can store and restore it whole).
  struct HeaderFields {
    int status = 0;
    bool http10 = false;
    bool connection_close = false;
    bool connection_keep_alive = false;
    bool chunked = false;
    bool encoded = false;
    bool gzip = false;
    std::int64_t content_length = -1;
  };
  // A keep-alive connection gets the same header block again and again (nginx's changes only in
  // Date, once a second), and identical bytes parse identically: the last block that arrived
  // whole in one read is kept with what it said, and a response that starts with exactly those
  // bytes skips the line-by-line parse (a memcmp instead of ~200 ns of parsing per response).
  struct HeaderMemo {
    static constexpr std::size_t max_block = 1024; // longer blocks are parsed every time
    char block[max_block];
    std::size_t size = 0;
    HeaderFields fields;
  };
  bool replay_header_memo(const char* data, std::size_t size);
  void remember_header_block(const char* data, std::size_t size);

  bool take_line(const char*& p, const char* end); // true when line_ is a whole line
  void on_status_line();
  void on_header_line();
  void on_headers_end();
  void on_chunk_size_line();
  void body(const char* p, std::size_t n);
  void classify_row_line();
  void fail(const char* why);

  State state_ = State::status_line;
  // The current line, without its CRLF: in the caller's buffer when the read held it whole (the
  // common case, no copy), else in partial_, where the pieces of a line split across reads gather.
  std::string_view line_;
  char partial_[max_line];
  std::size_t partial_len_ = 0;
  bool head_ = false;
  std::string* capture_ = nullptr;
  bool capture_truncated_ = false;
  bool started_ = false;
  const char* error_ = "";
  HeaderFields h_; // what the status and header lines said
  bool keep_alive_ = true;
  bool count_rows_ = false;
  char row_prefix_[6] = {};
  std::size_t row_prefix_len_ = 0;
  bool row_line_decided_ = false;
  std::uint64_t remaining_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::uint64_t chunks_ = 0;
  std::uint64_t header_bytes_ = 0;
  std::uint64_t body_rows_ = 0;
  HeaderMemo memo_; // kept across reset(): it is keyed by the bytes, not by the request
  std::uint64_t memo_hits_ = 0;
};

} // namespace konform::load
