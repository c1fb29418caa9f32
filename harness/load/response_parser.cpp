#include "load/response_parser.h"

#include "core/text.h"

#include <cstring>
#include <string_view>

namespace konform::load {
namespace {

using text::ascii_lower;
using text::iequals;

// A comma-separated header value holds `token` (case-insensitive): "keep-alive, Upgrade".
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    if (iequals(text::trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace

void ResponseParser::reset(bool head, std::string* capture) {
  state_ = State::status_line;
  line_ = {};
  partial_len_ = 0;
  head_ = head;
  capture_ = capture;
  if (capture_) capture_->clear();
  capture_truncated_ = false;
  started_ = false;
  error_ = "";
  h_ = {};
  keep_alive_ = true;
  remaining_ = 0;
  body_bytes_ = 0;
  chunks_ = 0;
  header_bytes_ = 0;
  body_rows_ = 0;
  row_prefix_len_ = 0;
  row_line_decided_ = false;
}

void ResponseParser::framed_head(int status, std::uint64_t header_bytes, bool encoded, bool gzip) {
  started_ = true;
  h_.status = status;
  h_.encoded = encoded;
  h_.gzip = gzip;
  header_bytes_ += header_bytes;
  keep_alive_ = true;
  state_ = State::body_until_close; // until the stream ends (framed_end)
}

void ResponseParser::fail(const char* why) {
  state_ = State::error;
  error_ = why;
}

bool ResponseParser::take_line(const char*& p, const char* end) {
  const auto* nl =
      static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const char* stop = nl ? nl : end;
  const auto n = static_cast<std::size_t>(stop - p);
  if (partial_len_ + n > max_line) {
    fail("a status, header or chunk-size line longer than 8 KiB");
    return false;
  }
  if (state_ == State::status_line || state_ == State::headers) {
    header_bytes_ += n + (nl ? 1 : 0);
    if (header_bytes_ > max_header_bytes) {
      fail("a header block (with any interim responses) longer than 1 MiB");
      return false;
    }
  }
  if (nl && partial_len_ == 0) {
    line_ = {p, n};
  } else {
    std::memcpy(partial_ + partial_len_, p, n);
    partial_len_ += n;
    if (nl) line_ = {partial_, partial_len_};
  }
  p = nl ? nl + 1 : end;
  if (!nl) return false;
  partial_len_ = 0;
  if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
  return true;
}

bool ResponseParser::replay_header_memo(const char* data, std::size_t size) {
  if (memo_.size == 0 || size < memo_.size || std::memcmp(data, memo_.block, memo_.size) != 0)
    return false;
  h_ = memo_.fields;
  header_bytes_ = memo_.size;
  ++memo_hits_;
  on_headers_end(); // the same transition the parse would make, HEAD and 1xx included
  return true;
}

void ResponseParser::remember_header_block(const char* data, std::size_t size) {
  if (size > HeaderMemo::max_block) return;
  std::memcpy(memo_.block, data, size);
  memo_.size = size;
  memo_.fields = h_;
}

std::size_t ResponseParser::feed(const char* data, std::size_t size) {
  const char* p = data;
  const char* end = data + size;
  if (size > 0) started_ = true;
  // Only a header block that starts at `data` and ends in this call lies whole in it.
  const bool at_start = state_ == State::status_line && partial_len_ == 0 && header_bytes_ == 0;
  if (at_start && replay_header_memo(data, size)) p += memo_.size;
  while (p < end && state_ != State::done && state_ != State::error) {
    switch (state_) {
    case State::status_line:
      if (take_line(p, end)) on_status_line();
      break;
    case State::headers:
      if (take_line(p, end)) {
        if (line_.empty()) {
          if (at_start) remember_header_block(data, static_cast<std::size_t>(p - data));
          on_headers_end();
        } else {
          on_header_line();
        }
      }
      break;
    case State::body_length: {
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(end - p)));
      body(p, n);
      p += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::done;
      break;
    }
    case State::body_until_close: {
      const auto n = static_cast<std::size_t>(end - p);
      body(p, n);
      p += n;
      break;
    }
    case State::chunk_size:
      if (take_line(p, end)) on_chunk_size_line();
      break;
    case State::chunk_data: {
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(end - p)));
      body(p, n);
      p += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::chunk_data_crlf;
      break;
    }
    case State::chunk_data_crlf:
      if (take_line(p, end)) {
        if (!line_.empty())
          fail("chunk data longer than its declared size");
        else
          state_ = State::chunk_size;
      }
      break;
    case State::trailers:
      if (take_line(p, end) && line_.empty()) state_ = State::done;
      break;
    case State::done:
    case State::error:
      break;
    }
  }
  return static_cast<std::size_t>(p - data);
}

void ResponseParser::on_eof() {
  if (state_ == State::body_until_close) {
    state_ = State::done;
    keep_alive_ = false;
    return;
  }
  if (state_ != State::done && state_ != State::error)
    fail(started_ ? "connection closed in the middle of a response"
                  : "connection closed before a response");
}

void ResponseParser::on_status_line() {
  const std::string_view line = line_;
  if (line.empty() && h_.status == 0) return; // tolerate a stray CRLF between responses
  // "HTTP/1.1 200 OK"
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ') {
    fail("the status line is not 'HTTP/1.x NNN reason'");
    return;
  }
  h_.http10 = line[7] == '0';
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    const char c = line[static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') {
      fail("the status code is not three digits");
      return;
    }
    status = status * 10 + (c - '0');
  }
  if (line.size() > 12 && line[12] != ' ') {
    fail("the status code is not three digits");
    return;
  }
  h_.status = status;
  state_ = State::headers;
}

void ResponseParser::on_header_line() {
  const std::string_view line = line_;
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail("a header line without 'name:'");
    return;
  }
  const auto name = line.substr(0, colon);
  const auto value = text::trim_ows(line.substr(colon + 1));
  switch (ascii_lower(name[0])) {
  case 'c':
    if (iequals(name, "content-length")) {
      std::int64_t v = 0;
      if (value.empty() || value.size() > 18) {
        fail("Content-Length is not a number");
        return;
      }
      for (char c : value) {
        if (c < '0' || c > '9') {
          fail("Content-Length is not a number");
          return;
        }
        v = v * 10 + (c - '0');
      }
      if (h_.content_length >= 0 && h_.content_length != v) {
        fail("two different Content-Length headers");
        return;
      }
      h_.content_length = v;
    } else if (iequals(name, "connection")) {
      if (has_token(value, "close")) h_.connection_close = true;
      if (has_token(value, "keep-alive")) h_.connection_keep_alive = true;
    } else if (iequals(name, "content-encoding")) {
      if (!value.empty() && !iequals(value, "identity")) {
        h_.encoded = true;
        h_.gzip = has_token(value, "gzip");
      }
    }
    break;
  case 't':
    if (iequals(name, "transfer-encoding") && has_token(value, "chunked")) h_.chunked = true;
    break;
  default:
    break;
  }
}

void ResponseParser::on_headers_end() {
  if (h_.status >= 100 && h_.status < 200) { // 100 Continue and friends: the real response follows
    const auto kept = header_bytes_;
    reset(head_, capture_);
    header_bytes_ = kept;
    started_ = true;
    return;
  }
  keep_alive_ = h_.http10 ? h_.connection_keep_alive : !h_.connection_close;
  if (head_ || h_.status == 204 || h_.status == 304) {
    state_ = State::done;
    return;
  }
  if (h_.chunked) {
    state_ = State::chunk_size;
    return;
  }
  if (h_.content_length >= 0) {
    remaining_ = static_cast<std::uint64_t>(h_.content_length);
    state_ = remaining_ == 0 ? State::done : State::body_length;
    return;
  }
  keep_alive_ = false; // the body ends when the server closes
  state_ = State::body_until_close;
}

void ResponseParser::on_chunk_size_line() {
  const std::string_view line = line_;
  std::uint64_t size = 0;
  std::size_t digits = 0;
  for (char c : line) {
    int d = -1;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f')
      d = ascii_lower(c) - 'a' + 10;
    if (d < 0) break; // chunk extensions (";name=value") and trailing spaces are ignored
    if (++digits > 15) {
      fail("a chunk size too large");
      return;
    }
    size = size * 16 + static_cast<std::uint64_t>(d);
  }
  if (digits == 0) {
    fail("a chunk-size line that is not hexadecimal");
    return;
  }
  if (size == 0) {
    state_ = State::trailers;
    return;
  }
  ++chunks_;
  remaining_ = size;
  state_ = State::chunk_data;
}

void ResponseParser::body(const char* p, std::size_t n) {
  body_bytes_ += n;
  if (capture_) {
    const auto room = max_capture - std::min(max_capture, capture_->size());
    if (n > room) capture_truncated_ = true;
    capture_->append(p, std::min(n, room));
  }
  if (!count_rows_) return;
  for (const char* end = p + n; p < end; ++p) {
    if (*p == '\n') {
      if (!row_line_decided_) classify_row_line();
      row_prefix_len_ = 0;
      row_line_decided_ = false;
    } else if (!row_line_decided_) {
      row_prefix_[row_prefix_len_++] = *p;
      if (row_prefix_len_ == sizeof row_prefix_) classify_row_line();
    }
  }
}

void ResponseParser::classify_row_line() {
  row_line_decided_ = true;
  const std::string_view prefix(row_prefix_, row_prefix_len_);
  if (prefix.starts_with("{\"row\"") ||
      (prefix.size() >= 2 && prefix[0] == '[' && prefix[1] != '{'))
    ++body_rows_;
}

} // namespace konform::load
