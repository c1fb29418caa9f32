// HAR files (`konform record --from-har`): any bytes end in exchanges or an error naming
// file:line:column, never a crash; what parses converts into a scenario (staged in a scratch
// folder and never committed, so nothing stays on disk) or a clear error.
#include "fuzz/fuzz_input.h"
#include "record/convert.h"
#include "record/har.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  auto exchanges = record::parse_har(fuzz::as_text(data, size), "fuzz.har");
  if (!exchanges) {
    if (exchanges.error().message.rfind("fuzz.har:", 0) != 0) __builtin_trap();
    return 0;
  }
  for (const auto& e : *exchanges)
    if (e.target.empty() || e.target[0] != '/') __builtin_trap();
  static const std::string out =
      (std::filesystem::temp_directory_path() / "konform-har-fuzz" / "rec.json").string();
  record::ConvertOptions options;
  options.out = out;
  options.max_body = 1 << 20;
  record::Staging staging; // destroyed uncommitted: the temporary files go with it
  (void)record::convert(*exchanges, options, staging);
  return 0;
}
