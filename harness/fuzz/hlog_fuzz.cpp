// HdrHistogram interval logs (.hlog, `konform merge` input): the line reader and the base64 +
// zlib + V2 histogram decoder under it. Every histogram read must survive its statistics and an
// encode/decode round trip unchanged. A selector byte (fuzz_input.h) hands the rest to the
// histogram decoder directly, as raw (not base64) bytes.
#include "fuzz/fuzz_input.h"
#include "load/hlog.h"

namespace {

void exercise(const konform::load::Histogram& h) {
  (void)h.min();
  (void)h.max();
  (void)h.mean();
  (void)h.stdev();
  (void)h.value_at_percentile(99.9);
  auto again = konform::load::Histogram::decode(h.encode_compressed());
  if (!again || !again->same_counts(h)) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view text = fuzz::as_text(data, size);
  if (fuzz::take_selector(text)) {
    if (auto h = load::Histogram::decode(text)) exercise(*h);
    return 0;
  }
  (void)load::read_hlog(text, "fuzz.hlog", [](load::HlogEntry& e) { exercise(e.histogram); });
  return 0;
}
