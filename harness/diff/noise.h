#pragma once
// Noise: paths whose values differ between two responses of the baseline version to the same
// request (a second baseline instance, or the baseline asked again). A difference between
// baseline and candidate at a noise path of that step is not a regression. Learned noise is
// written as an editable JSON file (--learn-noise) and read back (--noise), so a CI job learns
// once and gates many times:
//   {"format": "konform-noise", "version": 1,
//    "noise": [{"scenario": "kusto-query-v2", "step": "plain frames",
//               "path": "QueryCompletionInformation[*].Timestamp", "rate": 1}]}
// "scenario" and "step" are globs (* and ?), "*" for every one; "path" is a normalised path
// (normalise.h), also a glob; "rate" (0..1, optional) is how often it differed when learned.
#include "core/result.h"

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace konform::diff {

inline constexpr int kNoiseFileVersion = 1;

struct NoiseEntry {
  std::string scenario;
  std::string step;
  std::string path;
  double rate = 1;          // share of the baseline comparisons in which the path differed
  std::size_t differed = 0; // learned in this run: comparisons in which it differed
  std::size_t compared = 0; // learned in this run: baseline comparisons of the step
  bool from_file = false;
};

class Noise {
public:
  // One comparison of two baseline responses to a step: the normalised paths that differed.
  void learn(const std::string& scenario, const std::string& step,
             const std::set<std::string>& differing);
  // An entry of a noise file.
  void add(NoiseEntry entry);

  // The learned entry of the step, else the first file entry matching; null when the path is
  // not noise for the step.
  const NoiseEntry* find(const std::string& scenario, const std::string& step,
                         const std::string& path) const;

  // Every path learned in this run (differed at least once), by scenario, step and path.
  std::vector<NoiseEntry> learned() const;
  const std::vector<NoiseEntry>& from_file() const { return file_; }
  bool empty() const { return learned_.empty() && file_.empty(); }

private:
  struct StepNoise {
    std::size_t compared = 0;
    std::map<std::string, NoiseEntry> paths;
  };
  std::map<std::pair<std::string, std::string>, StepNoise> learned_;
  std::vector<NoiseEntry> file_;
};

// The noise file text of learned (and file) entries, one entry per line, sorted.
std::string noise_file_text(const Noise& noise);

// Parses a noise file; the error names file:line:column, what is wrong and what to write.
Result<Noise> parse_noise_file(std::string_view text, const std::string& file);
Result<Noise> read_noise_file(const std::string& file);

} // namespace konform::diff
