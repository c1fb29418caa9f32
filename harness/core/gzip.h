#pragma once
// gzip and deflate through zlib: request bodies (streaming ingest), response bodies
// (Content-Encoding), and the server's own compression.
#include "core/result.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace konform::gzip {

enum class Format { gzip, zlib_deflate, raw_deflate };

std::string compress(std::string_view data, Format format = Format::gzip, int level = 6);

// Decompresses, streaming, into at most max_output bytes: as soon as the output would pass the
// limit, decompression stops with an error that names the limit (the defence against a gzip
// bomb: the work and the memory are bounded by the limit, not by what the input expands to).
// Format::gzip accepts concatenated members (RFC 1952 §2.2, what `cat a.gz b.gz` makes); any
// other byte after the last member or after a deflate stream's end is an error ("trailing
// bytes"), never silently dropped. Format::zlib_deflate also accepts raw deflate (a stream
// without the zlib header), because servers disagree on what "Content-Encoding: deflate" means.
Result<std::string> decompress(std::string_view data, Format format = Format::gzip,
                               std::size_t max_output = std::size_t(1) << 30);

// True when the bytes start with the gzip magic number (1f 8b).
bool looks_like_gzip(std::string_view data);

} // namespace konform::gzip
