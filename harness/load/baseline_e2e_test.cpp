// `konform load --baseline` and `konform merge --baseline` end to end: the exit codes a CI job
// branches on (1 beyond a --max-regression, 2 for incomparable settings or a bad baseline file),
// against the embedded reference endpoint on loopback. Baselines are written by the test with
// known values, so the verdicts do not depend on how fast this machine is today.
#include "core/file.h"
#include "load/report.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

using test_support::run_binary;

// What `konform load -n 200 -t 1 -c 2` on the embedded endpoint records as its settings and
// step, with every latency `latency_us` and the rate `rps`.
std::string baseline_json(std::int64_t latency_us, double rps, int connections = 2) {
  LoadResult r;
  r.duration_s = 1;
  r.counters.requests = static_cast<std::uint64_t>(rps);
  for (int i = 0; i < 100; ++i)
    r.corrected.record(latency_us);
  r.uncorrected = r.corrected;
  StepResult step;
  step.name = "/v1/rest/ping";
  step.corrected = r.corrected;
  step.uncorrected = r.corrected;
  step.counters = r.counters;
  r.steps.push_back(std::move(step));
  r.settings = {"threads=1", "connections=" + std::to_string(connections), "model=closed",
                "shard=0/1", "steps=1"};
  return to_json(r);
}

const std::string run_args = "load -q -n 200 -t 1 -c 2 ";

TEST(LoadBaselineCli, ExitsOneNamingEachMetricBeyondItsLimit) {
  const test_support::ScratchDir dir("konform-baseline-e2e");
  // A baseline 1 µs fast and at a billion requests/s: any real run regressed both.
  const auto fast = dir.write("fast.json", baseline_json(1, 1e9));
  auto r = run_binary(run_args + "--baseline " + fast +
                      " --max-regression 'p99=10%' --max-regression 'rps=5%'");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("Against the baseline " + fast), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("regression FAILED: p99=10%"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("regression FAILED: rps=5%"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("new/old"), std::string::npos) << r.output;

  // A baseline an hour slow at 1 request/s: the same gates hold.
  const auto slow = dir.write("slow.json", baseline_json(3'600'000'000, 1));
  r = run_binary(run_args + "--baseline " + slow +
                 " --max-regression 'p99=10%' --max-regression 'rps=5%'");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("regression ok:     p99=10%"), std::string::npos) << r.output;
}

TEST(LoadBaselineCli, RefusesOtherSettingsUnlessForced) {
  const test_support::ScratchDir dir("konform-baseline-e2e");
  const auto other = dir.write("other.json", baseline_json(3'600'000'000, 1, 50));
  auto r = run_binary(run_args + "--baseline " + other + " --max-regression 'p99=10%'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("connections: 50 in " + other + ", 2 in this run"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("regression ok"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Requests/sec"), std::string::npos) << "refused before any load";
  EXPECT_NE(r.output.find("nothing was sent"), std::string::npos) << r.output;

  r = run_binary(run_args + "--baseline " + other + " --max-regression 'p99=10%' --force");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("compared anyway (--force)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("regression ok:     p99=10%"), std::string::npos) << r.output;
}

TEST(LoadBaselineCli, BadBaselineFileIsRefusedBeforeAnyLoadWithFileLineColumn) {
  const test_support::ScratchDir dir("konform-baseline-e2e");
  const auto bad = dir.write("bad.json", "{\n  \"version\": 1,\n  \"model\": \"closed\",\n}\n");
  auto r = run_binary(run_args + "--baseline " + bad);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(bad + ":4:1: invalid JSON"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Requests/sec"), std::string::npos) << "no load before the check";

  r = run_binary(run_args + "--baseline " + dir.path("missing.json"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("missing.json"), std::string::npos) << r.output;

  r = run_binary(run_args + "--max-regression 'p99=10%'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("add --baseline"), std::string::npos) << r.output;

  r = run_binary(run_args + "--baseline " + dir.write("ok.json", baseline_json(1, 1)) +
                 " --max-regression 'p98=10%'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown metric 'p98'"), std::string::npos) << r.output;
}

TEST(MergeBaselineCli, ComparesTheMergedRunWithASavedMerge) {
  const test_support::ScratchDir dir("konform-baseline-e2e");
  const auto hlog = dir.path("a.hlog");
  auto r = run_binary("load -q -n 200 -t 1 -c 2 -R 1000 --hlog " + hlog);
  ASSERT_EQ(r.code, 0) << r.output;
  r = run_binary("merge " + hlog + " --json " + dir.path("merged.json"));
  ASSERT_EQ(r.code, 0) << r.output;
  // The same logs against their own merge: every ratio is 1, a 0% limit holds.
  r = run_binary("merge " + hlog + " --baseline " + dir.path("merged.json") +
                 " --max-regression 'p99=0%' --max-regression 'uncorrected_p99.9=0%'");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("regression ok:     p99=0%"), std::string::npos) << r.output;
  // A load result of another model is not comparable with the merged open-model run.
  r = run_binary("merge " + hlog + " --baseline " + dir.write("closed.json", baseline_json(1, 1)));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("model: closed in"), std::string::npos) << r.output;
}

} // namespace
} // namespace konform::load
