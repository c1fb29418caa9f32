// json::Path's text form, both ways: whatever text parses renders to a text that parses back to
// the same path (after one round trip every name is valid UTF-8, so from then on exactly), and
// that text is also a pattern matching the path; any text parses or fails without a crash, as a
// path and as a pattern. Input: path text (a NUL, then anything, is ignored).
#include "fuzz/fuzz_input.h"
#include "json/path.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using konform::json::Path;
  using konform::json::PathPattern;
  auto text = konform::fuzz::split_nul(konform::fuzz::as_text(data, size)).first;

  (void)PathPattern::parse(text);
  auto path = Path::parse(text);
  if (!path) {
    // A refused text says where: "at character N" within the text (or one past its end).
    const auto& message = path.error().message;
    if (message.find("invalid JSON path \"") != 0 ||
        message.find(" at character ") == std::string::npos)
      __builtin_trap();
    return 0;
  }
  const std::string rendered = path->str();
  auto again = Path::parse(rendered);
  if (!again) __builtin_trap();
  bool ascii = true;
  for (char c : text)
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii && !(*again == *path)) __builtin_trap();
  auto third = Path::parse(again->str());
  if (!third || !(*third == *again) || third->str() != again->str()) __builtin_trap();
  auto pattern = PathPattern::parse(rendered);
  if (!pattern || !pattern->matches(again->steps())) __builtin_trap();
  return 0;
}
