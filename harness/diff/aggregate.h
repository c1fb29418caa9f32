#pragma once
// Differences grouped by normalised path over all steps and repeats: how many compared response
// pairs differ there, whether that is noise, and up to three examples; sorted by count.
#include "diff/model.h"
#include "diff/noise.h"

#include <map>
#include <string>
#include <vector>

namespace konform::diff {

class Aggregator {
public:
  // One compared baseline/candidate pair of a step and its differences; `noise` says which
  // paths are noise for the step.
  void add(const std::string& scenario, const std::string& step, const Response& baseline,
           const Response& candidate, const std::vector<PathDifference>& differences,
           const Noise& noise);
  // Sorted by count (most first), then beyond-noise before noise, then path.
  std::vector<Group> groups() const;

private:
  std::map<std::string, Group> groups_;
};

} // namespace konform::diff
