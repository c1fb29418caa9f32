// Replays every input under harness/fuzz/regressions/<target>/ (crashes the fuzzers found, kept
// so they stay fixed) and harness/fuzz/seeds/<target>/ through the fuzz targets, in the ordinary
// test build (no libFuzzer, no clang needed): tests/fuzz/tests.cmake compiles each target's
// LLVMFuzzerTestOneInput under the name konform_fuzz_<target>. A regression that comes back
// crashes this program (or trips ASan/UBSan in the asan-ubsan preset).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

// Each target's LLVMFuzzerTestOneInput, renamed by tests/fuzz/tests.cmake.
extern "C" {
int konform_fuzz_scenario(const std::uint8_t* data, std::size_t size);
int konform_fuzz_json_path(const std::uint8_t* data, std::size_t size);
int konform_fuzz_compare(const std::uint8_t* data, std::size_t size);
int konform_fuzz_validate(const std::uint8_t* data, std::size_t size);
int konform_fuzz_exchange(const std::uint8_t* data, std::size_t size);
int konform_fuzz_response_parser(const std::uint8_t* data, std::size_t size);
int konform_fuzz_hlog(const std::uint8_t* data, std::size_t size);
int konform_fuzz_gzip(const std::uint8_t* data, std::size_t size);
int konform_fuzz_kql(const std::uint8_t* data, std::size_t size);
int konform_fuzz_ingest(const std::uint8_t* data, std::size_t size);
int konform_fuzz_sql_parser(const std::uint8_t* data, std::size_t size);
int konform_fuzz_serve_kusto(const std::uint8_t* data, std::size_t size);
int konform_fuzz_serve_ksql(const std::uint8_t* data, std::size_t size);
int konform_fuzz_diff_files(const std::uint8_t* data, std::size_t size);
int konform_fuzz_serve_h2(const std::uint8_t* data, std::size_t size);
int konform_fuzz_har(const std::uint8_t* data, std::size_t size);
int konform_fuzz_path(const std::uint8_t* data, std::size_t size);
int konform_fuzz_elements(const std::uint8_t* data, std::size_t size);
}

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

const Target kTargets[] = {
    {"scenario", konform_fuzz_scenario},
    {"json_path", konform_fuzz_json_path},
    {"compare", konform_fuzz_compare},
    {"validate", konform_fuzz_validate},
    {"exchange", konform_fuzz_exchange},
    {"response_parser", konform_fuzz_response_parser},
    {"hlog", konform_fuzz_hlog},
    {"gzip", konform_fuzz_gzip},
    {"kql", konform_fuzz_kql},
    {"ingest", konform_fuzz_ingest},
    {"sql_parser", konform_fuzz_sql_parser},
    {"serve_kusto", konform_fuzz_serve_kusto},
    {"serve_ksql", konform_fuzz_serve_ksql},
    {"diff_files", konform_fuzz_diff_files},
    {"serve_h2", konform_fuzz_serve_h2},
    {"har", konform_fuzz_har},
    {"path", konform_fuzz_path},
    {"elements", konform_fuzz_elements},
};

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
