// The JSON stream splitter (json/elements.h, used for ksqlDB streams by protocol/ and compare/):
// fed in pieces it finds what it finds fed at once (elements, ending, error and its offset), and
// its elements are ordered, non-empty and inside the text. Input: an optional selector byte (bit 0:
// array or sequence layout; the rest: where the text is cut), then the stream.
#include "fuzz/fuzz_input.h"
#include "json/elements.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using konform::json::ElementSplitter;
  auto text = konform::fuzz::as_text(data, size);
  const std::uint8_t selector = konform::fuzz::take_selector(text).value_or(0);
  const auto layout =
      (selector & 1) ? ElementSplitter::Layout::sequence : ElementSplitter::Layout::array;

  auto whole = konform::json::split_elements(text, layout);
  std::size_t previous_end = 0;
  for (const auto& e : whole.elements) {
    if (e.begin < previous_end || e.begin >= e.end || e.end > text.size()) __builtin_trap();
    previous_end = e.end;
  }
  if (whole.error_at && *whole.error_at > text.size()) __builtin_trap();

  // Pieces of (selector / 2 + 1) bytes, the last one shorter.
  const std::size_t step = selector / 2 + 1;
  ElementSplitter pieces(layout);
  for (std::size_t at = 0; at < text.size(); at += step)
    pieces.feed(text.substr(at, step));
  pieces.finish();
  if (pieces.elements() != whole.elements || pieces.ending() != whole.ending ||
      pieces.error_at() != whole.error_at || pieces.error() != whole.error)
    __builtin_trap();
  return 0;
}
