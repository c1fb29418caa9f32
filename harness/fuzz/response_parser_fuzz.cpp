// The load engine's HTTP/1.1 response parser: a stream of pipelined responses fed once whole and
// once cut into small reads. Where reads end must not change what the parser makes of the bytes
// (a header block split across reads, a chunk size cut in two, the header memo that replays a
// block seen whole), and feed() never claims more bytes than it was given. A selector byte
// (fuzz_input.h) picks the read size, HEAD, body capture and row counting.
#include "fuzz/fuzz_input.h"
#include "load/response_parser.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

struct Outcome {
  bool done = false;
  bool failed = false;
  int status = 0;
  bool keep_alive = false;
  std::uint64_t body_bytes = 0;
  std::uint64_t chunks = 0;
  std::uint64_t rows = 0;
  std::string body;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

std::vector<Outcome> parse_all(std::string_view bytes, std::size_t read_size, bool head,
                               bool capture, bool count_rows) {
  konform::load::ResponseParser parser;
  std::vector<Outcome> outcomes;
  std::size_t pos = 0;
  for (int responses = 0; responses < 64; ++responses) {
    Outcome o;
    parser.reset(head, capture ? &o.body : nullptr);
    parser.count_rows(count_rows);
    while (pos < bytes.size() && !parser.done() && !parser.failed()) {
      std::size_t n = std::min(read_size, bytes.size() - pos);
      std::size_t used = parser.feed(bytes.data() + pos, n);
      if (used > n) __builtin_trap();
      if (used == 0 && !parser.done() && !parser.failed()) __builtin_trap(); // stalled
      pos += used;
    }
    if (pos == bytes.size() && !parser.done() && !parser.failed()) parser.on_eof();
    o.done = parser.done();
    o.failed = parser.failed();
    o.status = parser.status();
    o.keep_alive = parser.keep_alive();
    o.body_bytes = parser.body_bytes();
    o.chunks = parser.chunks();
    o.rows = parser.body_rows();
    o.error = parser.error();
    outcomes.push_back(std::move(o));
    if (!parser.done() || pos == bytes.size()) break;
  }
  return outcomes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = konform::fuzz::as_text(data, size);
  auto selector = konform::fuzz::take_selector(bytes);
  std::uint8_t s = selector.value_or(0x06);
  std::size_t read_size = (s & 0x0F) + 1;
  bool head = s & 0x10, capture = !(s & 0x20), count_rows = true;

  auto whole = parse_all(bytes, bytes.size() + 1, head, capture, count_rows);
  auto pieces = parse_all(bytes, read_size, head, capture, count_rows);
  if (whole != pieces) __builtin_trap();
  return 0;
}
