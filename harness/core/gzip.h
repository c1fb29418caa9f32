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

// Decompresses at most max_output bytes; a larger result is an error whose message says so
// (the defence against a gzip bomb). Format::zlib_deflate also accepts raw deflate, because
// servers disagree on what "Content-Encoding: deflate" means.
Result<std::string> decompress(std::string_view data, Format format = Format::gzip,
                               std::size_t max_output = std::size_t(1) << 30);

// True when the bytes start with the gzip magic number (1f 8b).
bool looks_like_gzip(std::string_view data);

} // namespace konform::gzip
