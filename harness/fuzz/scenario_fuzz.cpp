// Scenario files: any bytes must come back as a Scenario or an error naming file:line:column,
// never a crash. A `--var` name is declared so that external variables are exercised too.
#include "fuzz/fuzz_input.h"
#include "scenario/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  konform::scenario::ParseOptions options;
  options.external_variables = {"cluster"};
  auto parsed = konform::scenario::parse_scenario(konform::fuzz::as_text(data, size),
                                                  "scenarios/fuzz.json", options);
  if (!parsed && parsed.error().message.empty()) __builtin_trap(); // an error must say what
  return 0;
}
