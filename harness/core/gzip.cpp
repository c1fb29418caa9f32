#include "core/gzip.h"

#include <zlib.h>

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

static Result<std::string> inflate_with(std::string_view data, int bits, std::size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, bits) != Z_OK) return make_error("zlib could not be initialised");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      std::string why = zs.msg ? zs.msg : "truncated or corrupt data";
      inflateEnd(&zs);
      return make_error("the compressed body is invalid (" + why + ")");
    }
    out.append(chunk, sizeof chunk - zs.avail_out);
    if (out.size() > max_output) {
      inflateEnd(&zs);
      return make_error("the decompressed body exceeds the limit of " + std::to_string(max_output) +
                        " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return make_error("the compressed body is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

Result<std::string> decompress(std::string_view data, Format format, std::size_t max_output) {
  if (format == Format::gzip && !looks_like_gzip(data))
    return make_error("the body is not gzip (it does not start with the gzip magic bytes 1f 8b)");
  auto r = inflate_with(data, window_bits(format), max_output);
  if (!r && format == Format::zlib_deflate)
    return inflate_with(data, window_bits(Format::raw_deflate), max_output);
  return r;
}

bool looks_like_gzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

} // namespace konform::gzip
