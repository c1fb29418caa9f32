// gzip / zlib / raw deflate (request and response bodies): decompressing any bytes ends in the
// data or an error, within the output limit; and what konform compresses comes back unchanged.
// A selector byte (fuzz_input.h) picks the format; without one the input is taken as gzip.
#include "core/gzip.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view bytes = fuzz::as_text(data, size);
  auto selector = fuzz::take_selector(bytes);
  constexpr gzip::Format formats[] = {gzip::Format::gzip, gzip::Format::zlib_deflate,
                                      gzip::Format::raw_deflate};
  gzip::Format format = formats[selector.value_or(0) % 3];

  constexpr std::size_t limit = 1 << 20;
  auto out = gzip::decompress(bytes, format, limit);
  if (out && out->size() > limit) __builtin_trap();

  auto packed = gzip::compress(bytes, format, selector.value_or(6) % 10);
  auto unpacked = gzip::decompress(packed, format, bytes.size() + 1);
  if (!unpacked || *unpacked != bytes) __builtin_trap();
  return 0;
}
