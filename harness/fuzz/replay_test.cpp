// Replays every input under harness/fuzz/regressions/<target>/ (crashes the fuzzers found, kept
// so they stay fixed) and harness/fuzz/seeds/<target>/ through the fuzz targets, in the ordinary
// test build (no libFuzzer, no clang needed): tests/fuzz/tests.cmake compiles each target's
// LLVMFuzzerTestOneInput under the name konform_fuzz_<target>. A regression that comes back
// crashes this program (or trips ASan/UBSan in the asan-ubsan preset).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#define KONFORM_FUZZ_TARGETS(X)                                                                    \
  X(scenario)                                                                                      \
  X(json_path)                                                                                     \
  X(compare)                                                                                       \
  X(validate) X(exchange) X(response_parser) X(hlog) X(gzip) X(kql) X(ingest) X(sql_parser)        \
      X(serve_kusto) X(serve_ksql)

#define KONFORM_DECLARE(name) extern "C" int konform_fuzz_##name(const std::uint8_t*, std::size_t);
KONFORM_FUZZ_TARGETS(KONFORM_DECLARE)

namespace {

namespace fs = std::filesystem;
using Entry = int (*)(const std::uint8_t*, std::size_t);

struct Target {
  const char* name;
  Entry entry;
};

// What ctest shows for the parameter (instead of the struct's bytes).
void PrintTo(const Target& target, std::ostream* os) {
  *os << target.name;
}

#define KONFORM_TARGET(name) Target{#name, konform_fuzz_##name},
const Target kTargets[] = {KONFORM_FUZZ_TARGETS(KONFORM_TARGET)};

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> files;
  for (const char* kind : {"regressions", "seeds"}) {
    fs::path dir = fs::path(KONFORM_SOURCE_DIR) / "harness/fuzz" / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
  }
  return files;
}

class Replay : public testing::TestWithParam<Target> {};

TEST_P(Replay, RunsWithoutACrash) {
  auto files = inputs(GetParam().name);
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Named before it runs: a crash ends the program before gtest can say which input it was.
    std::fprintf(stderr, "replay %s\n", file.c_str());
    EXPECT_EQ(GetParam().entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
              0);
  }
  if (files.empty()) GTEST_SKIP() << "no kept inputs for " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(KeptInputs, Replay, testing::ValuesIn(kTargets),
                         [](const testing::TestParamInfo<Target>& param) {
                           return std::string(param.param.name);
                         });

} // namespace
