#pragma once
// The CLI side of the regression gates (load/baseline.h), shared by `konform load` and
// `konform merge`: the --baseline, --max-regression and --force options, reading the baseline
// before the run (a bad file is refused before any load is sent), and the verdict after it.
#include "core/result.h"
#include "load/baseline.h"

#include <cxxopts.hpp>

#include <optional>
#include <string>
#include <vector>

namespace konform::cli {

// What --baseline, --max-regression and --force say, checked without reading the file.
struct BaselineFlags {
  std::string path; // empty: no baseline
  std::vector<load::RegressionLimit> limits;
  bool force = false;
};
Result<BaselineFlags> parse_baseline_flags(const cxxopts::ParseResult& args);

class BaselineGate {
public:
  static void add_options(cxxopts::Options& options);
  // Reads the baseline file that `flags` names, if any.
  Status prepare(BaselineFlags flags);
  // Reads --baseline and parses --max-regression; false (the message printed after `me`) when
  // either is bad: the caller exits with exit_bad_input.
  bool prepare(const cxxopts::ParseResult& args, const char* me);
  bool active() const { return baseline_.has_value(); }
  // Before `konform load` sends anything: exit_bad_input (each difference named) when the
  // planned run cannot be compared with the baseline and --force was not given, else exit_ok.
  int check_before(const load::LoadOptions& options, const char* me) const;
  // Prints the comparison and returns exit_ok, exit_failed (a limit exceeded, each named) or
  // exit_bad_input (different settings without --force, each difference named).
  int finish(const load::LoadResult& result, const char* me) const;

private:
  std::optional<load::RunSummary> baseline_;
  std::vector<load::RegressionLimit> limits_;
  bool force_ = false;
};

} // namespace konform::cli
