#include "core/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace konform::gzip {

static int window_bits(Format f) {
  switch (f) {
  case Format::gzip:
    return 15 + 16;
  case Format::zlib_deflate:
    return 15;
  case Format::raw_deflate:
    return -15;
  }
  return 15;
}

std::string compress(std::string_view data, Format format, int level) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, window_bits(format), 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

namespace {

// Owns the z_stream so that every return path ends it.
struct Inflater {
  z_stream zs{};
  bool ok = false;
  explicit Inflater(int bits) { ok = inflateInit2(&zs, bits) == Z_OK; }
  ~Inflater() {
    if (ok) inflateEnd(&zs);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

Error too_big(std::size_t max_output) {
  return Error{"the decompressed body exceeds the limit of " + std::to_string(max_output) +
                   " bytes",
               ErrorKind::limit};
}

// The output so far, in blocks that zlib writes into directly: growing one string would copy
// everything it holds at each doubling, and a bomb would pay for copies of output it is about to
// refuse. The blocks are joined once, on success.
class Blocks {
public:
  explicit Blocks(std::size_t max_output) : max_(max_output) {}

  // Room for the next inflate() call; nullptr when max_output bytes are held already.
  std::pair<char*, std::size_t> room() {
    if (blocks_.empty() || used_ == sizes_.back()) {
      if (total_ == max_) return {nullptr, 0};
      std::size_t n = std::min(block_size(), max_ - total_);
      blocks_.emplace_back(new char[n]); // not zero-filled: zlib writes every byte we keep
      sizes_.push_back(n);
      used_ = 0;
    }
    return {blocks_.back().get() + used_, sizes_.back() - used_};
  }
  void commit(std::size_t n) {
    used_ += n;
    total_ += n;
  }
  std::string join() const {
    std::string out;
    out.reserve(total_);
    for (std::size_t i = 0; i < blocks_.size(); ++i)
      out.append(blocks_[i].get(), i + 1 == blocks_.size() ? used_ : sizes_[i]);
    return out;
  }

private:
  // Small outputs stay small; large ones grow in 1 MiB blocks.
  std::size_t block_size() const {
    return std::min<std::size_t>(std::max<std::size_t>(total_, 16384), std::size_t(1) << 20);
  }
  std::size_t max_;
  std::size_t total_ = 0, used_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::size_t> sizes_;
};

Result<std::string> inflate_with(std::string_view data, int bits, bool members,
                                 std::size_t max_output) {
  Inflater inf(bits);
  if (!inf.ok) return make_error("zlib could not be initialised");
  z_stream& zs = inf.zs;
  Blocks out(max_output);
  char probe[256]; // where output goes once max_output bytes are held: any of it is too much
  std::size_t consumed = 0; // bytes of `data` handed to zlib so far
  auto feed = [&] {
    // avail_in is 32 bits: large inputs go in slices.
    std::size_t n = std::min<std::size_t>(data.size() - consumed, std::size_t(1) << 30);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    zs.avail_in = static_cast<uInt>(n);
    consumed += n;
  };
  feed();
  for (;;) {
    auto [at, size] = out.room();
    bool full = at == nullptr;
    if (full) std::tie(at, size) = std::pair<char*, std::size_t>(probe, sizeof probe);
    size = std::min<std::size_t>(size, std::size_t(1) << 30);
    zs.next_out = reinterpret_cast<Bytef*>(at);
    zs.avail_out = static_cast<uInt>(size);
    int rc = inflate(&zs, Z_NO_FLUSH);
    std::size_t produced = size - zs.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && produced == 0)) {
      std::string why = zs.msg ? zs.msg : "corrupt data";
      return make_error("the compressed body is invalid (" + why + ")");
    }
    if (full && produced > 0) return too_big(max_output);
    if (!full) out.commit(produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && consumed < data.size()) feed();
      if (zs.avail_in == 0) return out.join();
      // Bytes remain after the end of a stream: another gzip member, or garbage.
      std::size_t offset = consumed - zs.avail_in;
      std::string_view rest = data.substr(offset);
      if (members && looks_like_gzip(rest)) {
        if (inflateReset(&zs) != Z_OK) return make_error("zlib could not be reset");
        continue;
      }
      return make_error("the compressed body has " + std::to_string(rest.size()) +
                        " trailing bytes after the end of the " +
                        (members ? "last gzip member" : "deflate stream") + " (at byte " +
                        std::to_string(offset) + "); they are not compressed data");
    }
    if (zs.avail_in == 0) {
      if (consumed < data.size()) {
        feed();
      } else if (zs.avail_out != 0 || rc == Z_BUF_ERROR) {
        return make_error("the compressed body is truncated (it ends before the end of the " +
                          std::string(members ? "gzip member" : "deflate stream") + ")");
      }
    }
  }
}

// A zlib stream starts with CMF FLG: compression method 8, window <= 32K, and a checksum that
// makes the pair a multiple of 31 (RFC 1950 §2.2).
bool looks_like_zlib(std::string_view data) {
  if (data.size() < 2) return false;
  auto cmf = static_cast<unsigned char>(data[0]), flg = static_cast<unsigned char>(data[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

} // namespace

Result<std::string> decompress(std::string_view data, Format format, std::size_t max_output) {
  if (format == Format::gzip && !looks_like_gzip(data))
    return make_error("the body is not gzip (it does not start with the gzip magic bytes 1f 8b)");
  if (format == Format::zlib_deflate) {
    if (!looks_like_zlib(data)) format = Format::raw_deflate;
    auto r = inflate_with(data, window_bits(format), false, max_output);
    // A raw stream whose first two bytes happen to pass the zlib header check: try it as raw.
    if (!r && format == Format::zlib_deflate && r.error().kind != ErrorKind::limit) {
      auto raw = inflate_with(data, window_bits(Format::raw_deflate), false, max_output);
      if (raw) return raw;
    }
    return r;
  }
  return inflate_with(data, window_bits(format), format == Format::gzip, max_output);
}

bool looks_like_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

} // namespace konform::gzip
