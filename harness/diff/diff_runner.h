#pragma once
// `konform diff`: every scenario runs on the baseline and on the candidate, each side with its
// own variables and captures (so create / ingest / query / drop flows work on both); the
// responses are validated and compared with check's comparison. Noise — paths where the baseline
// differs from itself — is learned from a second baseline instance (--baseline2) or from asking
// the baseline again (--repeat), and can come from a noise file too.
#include "core/result.h"
#include "diff/model.h"
#include "diff/noise.h"
#include "runner/check_runner.h"

#include <functional>
#include <string>

namespace konform::diff {

struct DiffOptions {
  // Scenario paths, filter, TLS, token, --var, root, timeout and max body, as for check (its
  // targets are not used).
  runner::CheckOptions check;
  // Each side: a URL for both services, or one per service (the per-service one wins).
  std::string baseline, kusto_baseline, ksql_baseline;
  std::string candidate, kusto_candidate, ksql_candidate;
  std::string baseline2, kusto_baseline2, ksql_baseline2;
  // Rounds per scenario: each round runs it on the baseline, the second baseline if any, and the
  // candidate. 0: 1 with a second baseline, else 2 (the baseline compared with itself).
  int repeat = 0;
  Noise noise; // read from --noise; learned noise is added in the run
  // false: compare ids and timestamps too, as any other value (then they are learned as noise).
  bool protocol_defaults = true;
  std::function<void(const StepDiff&)> on_step; // progress, as each step is judged
};

// The run, and the noise it learned (for --learn-noise). The error is bad input that stops the
// run before it starts (a bad URL, a missing side, a PATH that does not exist).
struct DiffRun {
  DiffResult result;
  Noise noise;
};
Result<DiffRun> run_diff(const DiffOptions& options);

} // namespace konform::diff
