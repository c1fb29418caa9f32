// `konform validate`'s input files: a recorded exchange ({"konform_exchange":1,"status":...,
// "headers":{...},"body"|"body_base64":...}, the body decoded as its Content-Encoding says) or a
// raw body, read from a file as validate reads it, then rendered as text and as JSON (which must
// parse). A selector byte (fuzz_input.h) names the kind as --as does; else it is detected.
#include "fuzz/fuzz_input.h"
#include "fuzz/kinds.h"
#include "json/document.h"
#include "protocol/validate_files.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// One scratch file per process, rewritten for every input (validate_file reads a path).
const std::string& scratch_file() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string p = std::string(dir && *dir ? dir : "/tmp") + "/konform-exchange-fuzz-XXXXXX";
    int fd = mkstemp(p.data());
    if (fd < 0) std::abort();
    close(fd);
    std::atexit([] { std::remove(scratch_file().c_str()); });
    return p;
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view text = fuzz::as_text(data, size);
  auto selector = fuzz::take_selector(text);
  const std::string& path = scratch_file();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), f) != text.size()) std::abort();
  std::fclose(f);

  std::optional<protocol::Kind> as;
  if (selector) as = fuzz::kind_of(*selector);
  auto result = protocol::validate_file(path, as);
  (void)protocol::verdict(result);
  (void)protocol::render_text(result);
  // konform's own JSON output must stay JSON whatever the input held (control bytes, bad UTF-8).
  auto json = protocol::render_json({result}, result.input_error.empty() ? 0 : 2);
  if (!json::Document::parse(json)) __builtin_trap();
  return 0;
}
