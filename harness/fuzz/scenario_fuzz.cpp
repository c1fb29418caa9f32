// Scenario files: any bytes must come back as a Scenario or an error naming file:line:column,
// never a crash. A `--var` name is declared so that external variables are exercised too.
// The file sits in an empty temporary folder that is also its only root, so bodyFile and golden
// paths go through the path confinement (scenario/roots.h: "..", absolute paths, links) without
// any file on disk being read. The source map (scenario/source_map.h) is walked directly too,
// with paths taken from the input, besides the lookups the parser's errors make.
#include "fuzz/fuzz_input.h"
#include "scenario/parser.h"
#include "scenario/source_map.h"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

// Made once per process, removed at exit (libFuzzer's exit runs static destructors).
struct EmptyRoot {
  std::string path;
  EmptyRoot() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "konform-fuzz-scenario-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) __builtin_trap();
    path = tmpl;
  }
  ~EmptyRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A JSON path made of the input's first bytes: a byte below 0x80 is an array index, above it a
// member name among those scenario files use (enough to reach existing and missing values).
std::vector<konform::json::PathStep> path_from(std::string_view text) {
  static const char* const kNames[] = {"steps", "request", "expect", "body", "name", "headers"};
  std::vector<konform::json::PathStep> path;
  for (std::size_t i = 0; i < text.size() && i < 6; ++i) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80)
      path.push_back({"", std::size_t(b % 4), true});
    else
      path.push_back({kNames[b % 6], 0, false});
  }
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const EmptyRoot root;
  auto text = konform::fuzz::as_text(data, size);
  konform::scenario::ParseOptions options;
  options.external_variables = {"cluster"};
  options.roots = {root.path};
  auto parsed = konform::scenario::parse_scenario(text, root.path + "/fuzz.json", options);
  if (!parsed && parsed.error().message.empty()) __builtin_trap(); // an error must say what

  konform::scenario::SourceMap map(text);
  auto path = path_from(text);
  for (auto offset : {map.value_offset(path), map.key_offset(path)}) {
    if (offset > text.size()) __builtin_trap(); // an offset must be inside the text
    auto where = map.location(offset);
    if (where.line == 0 || where.column == 0) __builtin_trap();
  }
  return 0;
}
