#include "record/spill.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace konform::record {
namespace {

// A record: u64 length of what follows, then the head (arrival stamp, status, flags, method,
// target, both header lists, both body descriptors), then the bytes of the bodies held inline,
// request first. Numbers are little-endian as the machine writes them: the file never leaves
// the process that wrote it.
constexpr std::size_t kDefaultBuffer = std::size_t(64) << 10;
enum : std::uint8_t { kInline = 0, kSpooled = 1 };

template <class T> void put_num(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_str(std::string& out, std::string_view s) {
  put_num(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
void put_headers(std::string& out, const http::Headers& hs) {
  put_num(out, static_cast<std::uint32_t>(hs.size()));
  for (const auto& [n, v] : hs) {
    put_str(out, n);
    put_str(out, v);
  }
}
void put_body(std::string& out, const Body& b) {
  if (b.spool_file.empty()) {
    put_num(out, kInline);
    put_num(out, static_cast<std::uint64_t>(b.bytes.size()));
  } else {
    put_num(out, kSpooled);
    put_str(out, b.spool_file);
    put_num(out, b.size);
    put_num(out, b.nonce);
  }
}

// Reads the head back; false when the record is not whole.
struct Reader {
  std::string_view in;
  template <class T> bool num(T& v) {
    if (in.size() < sizeof v) return false;
    std::memcpy(&v, in.data(), sizeof v);
    in.remove_prefix(sizeof v);
    return true;
  }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!num(n) || in.size() < n) return false;
    s.assign(in.data(), n);
    in.remove_prefix(n);
    return true;
  }
  bool headers(http::Headers& hs) {
    std::uint32_t n = 0;
    if (!num(n) || n > in.size()) return false;
    hs.resize(n);
    for (auto& [name, value] : hs)
      if (!str(name) || !str(value)) return false;
    return true;
  }
  // An inline body's size (its bytes follow the head), or a spooled body in full.
  bool body(Body& b, std::uint64_t& inline_size) {
    std::uint8_t kind = 0;
    inline_size = 0;
    if (!num(kind)) return false;
    if (kind == kInline) return num(inline_size);
    return kind == kSpooled && str(b.spool_file) && num(b.size) && num(b.nonce);
  }
};

Status pread_all(int fd, char* data, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    ssize_t r = ::pread(fd, data, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error(std::strerror(errno));
    if (r == 0) return make_error("the file ends inside a record");
    data += r;
    n -= static_cast<std::size_t>(r);
    offset += static_cast<std::uint64_t>(r);
  }
  return Ok{};
}

} // namespace

SpillWriter::SpillWriter(std::string dir, std::shared_ptr<const Sealer> sealer,
                         std::size_t buffer_bytes)
    : dir_(std::move(dir)), sealer_(std::move(sealer)), flush_each_(buffer_bytes == 0),
      capacity_(buffer_bytes == 0 ? kDefaultBuffer : buffer_bytes) {}

SpillWriter::~SpillWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status SpillWriter::fail(const std::string& why) {
  failed_ = make_error(why, ErrorKind::write);
  return *failed_;
}

Status SpillWriter::flush() {
  if (failed_) return *failed_;
  std::size_t done = 0;
  while (done < used_) {
    ssize_t w = ::write(fd_, buffer_.get() + done, used_ - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      return fail("cannot write the spill file " + path_ + ": " +
                  (w < 0 ? std::strerror(errno) : "nothing written"));
    done += static_cast<std::size_t>(w);
  }
  used_ = 0;
  kept_ = complete_; // not a record whose start was written by a flush in its middle
  return Ok{};
}

// Seals into the buffer, writing it out whenever it is full (a record may span two writes).
Status SpillWriter::put(const char* data, std::size_t n) {
  while (n > 0) {
    if (used_ == capacity_)
      if (auto st = flush(); !st) return st;
    std::size_t k = std::min(n, capacity_ - used_);
    if (!stream_->seal(data, k, buffer_.get() + used_))
      return fail("cannot seal the spill file " + path_ + " (OpenSSL)");
    used_ += k;
    data += k;
    n -= k;
  }
  return Ok{};
}

Status SpillWriter::append(const Exchange& e, std::uint64_t order) {
  ++ended_; // counted even when it fails: appended() - kept() is what the recording lost
  if (failed_) return *failed_;
  if (fd_ < 0) {
    std::string pattern = dir_ + "/.konform-record-spill-XXXXXX";
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0) return fail("cannot create a spill file in " + dir_ + ": " + std::strerror(errno));
    path_ = pattern;
    nonce_ = sealer_->next_nonce();
    stream_.emplace(*sealer_, nonce_);
    if (!stream_->ok()) return fail("cannot seal the spill file " + path_ + " (OpenSSL)");
    buffer_ = std::make_unique<char[]>(capacity_);
  }
  head_.clear();
  put_num(head_, std::uint64_t(0)); // the length, filled in below
  put_num(head_, order);
  put_num(head_, static_cast<std::int32_t>(e.status));
  put_num(head_, static_cast<std::uint8_t>(e.truncated));
  put_num(head_, static_cast<std::uint8_t>(e.response_decoded));
  put_num(head_, static_cast<std::int64_t>(e.streamed.count()));
  put_str(head_, e.method);
  put_str(head_, e.target);
  put_headers(head_, e.request_headers);
  put_headers(head_, e.response_headers);
  put_body(head_, e.request_body);
  put_body(head_, e.response_body);
  std::uint64_t length = head_.size() - 8;
  for (const Body* b : {&e.request_body, &e.response_body})
    if (b->spool_file.empty()) length += b->bytes.size();
  std::memcpy(head_.data(), &length, sizeof length);
  if (auto st = put(head_.data(), head_.size()); !st) return st;
  for (const Body* b : {&e.request_body, &e.response_body})
    if (b->spool_file.empty())
      if (auto st = put(b->bytes.data(), b->bytes.size()); !st) return st;
  ++complete_; // whole in the buffer: kept once the buffer is written
  if (flush_each_) return flush();
  return Ok{};
}

Result<std::vector<Spilled>> read_spill(const std::string& path,
                                        const std::shared_ptr<const Sealer>& sealer,
                                        std::uint64_t nonce, std::uint64_t count) {
  std::vector<Spilled> out;
  if (count == 0) return out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": cannot open the spill file: " + std::strerror(errno));
  std::uint64_t at = 0;
  std::string head;
  struct stat file {};
  const std::uint64_t file_size = ::fstat(fd, &file) == 0 ? std::uint64_t(file.st_size) : 0;
  auto bad = [&](const std::string& why) {
    ::close(fd);
    return make_error(path + ": the spill file's record at byte " + std::to_string(at) + ": " +
                      why);
  };
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t length = 0;
    char raw[8];
    if (auto st = pread_all(fd, raw, 8, at); !st) return bad(st.error().message);
    sealer->apply(nonce, at, raw, 8);
    std::memcpy(&length, raw, 8);
    // A length the file cannot hold (a file cut short, or not this run's) is refused before
    // anything is allocated for it.
    if (length > file_size - std::min(file_size, at + 8)) return bad("not a whole record");
    // Only the head is read now, not the bodies after it: 16 kB holds the head of nearly every
    // exchange; a longer one is read again whole.
    Spilled s;
    Exchange& e = s.exchange;
    std::int32_t status = 0;
    std::uint8_t truncated = 0, decoded = 0;
    std::int64_t streamed = 0;
    std::uint64_t req_inline = 0, res_inline = 0;
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(length, 16 << 10));
    Reader r;
    for (;;) {
      head.resize(want);
      if (auto st = pread_all(fd, head.data(), want, at + 8); !st) return bad(st.error().message);
      sealer->apply(nonce, at + 8, head.data(), want);
      r = Reader{head};
      s = Spilled{};
      if (r.num(s.order) && r.num(status) && r.num(truncated) && r.num(decoded) &&
          r.num(streamed) && r.str(e.method) && r.str(e.target) && r.headers(e.request_headers) &&
          r.headers(e.response_headers) && r.body(e.request_body, req_inline) &&
          r.body(e.response_body, res_inline))
        break;
      if (want == length) return bad("not a whole record");
      want = static_cast<std::size_t>(length);
    }
    e.status = status;
    e.truncated = truncated != 0;
    e.response_decoded = decoded != 0;
    e.streamed = std::chrono::milliseconds(streamed);
    std::uint64_t head_size = want - r.in.size();
    if (head_size + req_inline + res_inline != length) return bad("the lengths do not add up");
    std::uint64_t body_at = at + 8 + head_size;
    for (auto [b, n] : {std::pair{&e.request_body, req_inline}, {&e.response_body, res_inline}}) {
      b->sealer = sealer;
      if (!b->spool_file.empty() || n == 0) continue; // its own spool file, or empty
      b->spool_file = path;
      b->offset = body_at;
      b->size = n;
      b->nonce = nonce;
      body_at += n;
    }
    out.push_back(std::move(s));
    at += 8 + length;
  }
  ::close(fd);
  return out;
}

} // namespace konform::record
