#pragma once
// Reads scenario files. Every error names file:line:column, what is wrong and how to fix it; an
// unknown field gets a "did you mean" hint. A file's errors are all collected (one per line of
// the message), so a user fixes a file in one pass.
#include "core/result.h"
#include "scenario/model.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace konform::scenario {

struct ParseOptions {
  // Variables defined outside the file (--var k=v): referring to them is not an error.
  std::vector<std::string> external_variables;
  // The folders that the scenario file, its bodyFile and golden paths must stay inside (see
  // scenario/roots.h). Empty: default_root() of the scenario file.
  std::vector<std::string> roots;
  // check --http2: every request goes over HTTP/2, so a streamed body needs no "http": "2".
  bool http2 = false;
};

// Limits on the files a scenario brings in; more is an error naming the file and the limit.
inline constexpr std::size_t kMaxScenarioFile = std::size_t(64) << 20;
inline constexpr std::size_t kMaxBodyFile = std::size_t(64) << 20;
inline constexpr std::size_t kMaxBodyFilesPerScenario = std::size_t(256) << 20; // all steps

// Parses scenario text; `file` names it in messages and anchors bodyFile and golden paths.
// bodyFile and golden must resolve inside options.roots (an error located at the field).
Result<Scenario> parse_scenario(std::string_view text, const std::string& file,
                                const ParseOptions& options = {});

// Reads and parses a file: a regular file of at most kMaxScenarioFile bytes, inside the roots.
Result<Scenario> load_scenario(const std::string& file, const ParseOptions& options = {});

// The scenario files named by PATH arguments: files as given, folders searched recursively for
// *.json (except schema.json), sorted so runs are reproducible. The error names a path that does
// not exist.
Result<std::vector<std::string>> find_scenario_files(const std::vector<std::string>& paths);

// A scenario file of a run and what reading it gave.
struct LoadedFile {
  std::string file;
  Result<Scenario> scenario;
};

// find_scenario_files, each file loaded. A JSON file found by searching a folder is left out when
// a scenario of the run reads it as its golden or body file: it is that scenario's data (a
// recording writes its goldens beside the scenario). A file named as a PATH is always loaded.
Result<std::vector<LoadedFile>> load_scenario_files(const std::vector<std::string>& paths,
                                                    const ParseOptions& options = {});

// The name of `candidates` closest to `word` (edit distance <= 2, or equal ignoring case), for
// "did you mean" hints; empty when none is close.
std::string closest_name(std::string_view word, const std::vector<std::string_view>& candidates);

} // namespace konform::scenario
