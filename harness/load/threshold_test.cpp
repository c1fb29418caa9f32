// Threshold expressions, shards and the step mix: the parts of `konform load` a CI config depends
// on.
#include "load/schedule.h"
#include "load/threshold.h"

#include <gtest/gtest.h>

#include <map>

namespace konform::load {
namespace {

LoadResult sample_result() {
  LoadResult r;
  for (int i = 1; i <= 1000; ++i) {
    r.corrected.record(i * 100);  // 0.1 .. 100 ms
    r.uncorrected.record(i * 10); // 0.01 .. 10 ms
    r.lag.record(i % 50);
  }
  r.counters.requests = 1000;
  r.counters.errors.status = 2;
  r.counters.errors.failed_responses = 2; // the two responses with status >= 400
  r.dropped = 1;
  r.duration_s = 2.0;
  return r;
}

TEST(Threshold, ParsesTheDocumentedForms) {
  auto p99 = parse_threshold("p99<50ms");
  ASSERT_TRUE(p99.ok());
  EXPECT_EQ(p99->metric, "p99");
  EXPECT_EQ(p99->op, "<");
  EXPECT_DOUBLE_EQ(p99->value, 50'000);
  auto p999 = parse_threshold("p99.9 <= 0.2s");
  ASSERT_TRUE(p999.ok());
  EXPECT_EQ(p999->metric, "p99.9");
  EXPECT_EQ(p999->op, "<=");
  EXPECT_DOUBLE_EQ(p999->value, 200'000);
  auto er = parse_threshold("error_rate<0.1%");
  ASSERT_TRUE(er.ok());
  EXPECT_DOUBLE_EQ(er->value, 0.001);
  auto rps = parse_threshold("rps>1000");
  ASSERT_TRUE(rps.ok());
  EXPECT_DOUBLE_EQ(rps->value, 1000);
  auto bare = parse_threshold("mean<5"); // no unit: milliseconds, as in k6
  ASSERT_TRUE(bare.ok());
  EXPECT_DOUBLE_EQ(bare->value, 5000);
  EXPECT_TRUE(parse_threshold("lag_p99<50us").ok());
  EXPECT_TRUE(parse_threshold("uncorrected_p99.99<1s").ok());
  EXPECT_TRUE(parse_threshold("dropped==0").ok());
}

TEST(Threshold, BadExpressionsSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const auto& c : {Case{"p99", "METRIC OP VALUE"}, Case{"latency<5ms", "unknown metric"},
                        Case{"p99<fast", "not a duration"}, Case{"p99=5ms", "=="},
                        Case{"error_rate<lots", "not a rate"}, Case{"p101<1s", "unknown metric"}}) {
    auto t = parse_threshold(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.error().message.find(c.says), std::string::npos) << t.error().message;
    EXPECT_NE(t.error().message.find(c.text), std::string::npos) << t.error().message;
  }
}

TEST(Threshold, EvaluatesAgainstTheCorrectedHistogramAndCounters) {
  const auto r = sample_result();
  std::vector<Threshold> ths;
  for (const char* t : {"p99<100ms", "p99<50ms", "uncorrected_p99<10ms", "error_rate<0.5%",
                        "error_rate<0.2%", "rps>=500", "rps>500", "dropped==1", "lag_max<50us"})
    ths.push_back(*parse_threshold(t));
  const auto out = evaluate(ths, r);
  ASSERT_EQ(out.size(), ths.size());
  const std::vector<bool> expected = {true, false, true, true, false, true, false, true, true};
  for (std::size_t i = 0; i < out.size(); ++i)
    EXPECT_EQ(out[i].passed, expected[i]) << ths[i].text << " → " << out[i].actual_text;
  EXPECT_EQ(out[1].actual_text, "p99 = 99.01ms");
}

TEST(Threshold, NothingMeasuredPassesNoLatencyGate) {
  LoadResult empty;
  std::vector<Threshold> ths = {*parse_threshold("p99<1s"), *parse_threshold("dropped==0")};
  const auto out = evaluate(ths, empty);
  EXPECT_FALSE(out[0].passed);
  EXPECT_TRUE(out[1].passed);
}

TEST(Threshold, AGateOnAHistogramTheResultsLackFailsInsteadOfReadingZero) {
  LoadResult closed; // a closed-model run: no schedule lag
  closed.corrected.record(500);
  closed.uncorrected.record(500);
  closed.counters.requests = 1;
  LoadResult foreign; // merged from a log that carries the corrected histogram only
  foreign.corrected.record(500);
  foreign.counters.requests = 1;
  const std::vector<Threshold> ths = {*parse_threshold("lag_p99<1s"),
                                      *parse_threshold("uncorrected_p99<1s"),
                                      *parse_threshold("p99<1s")};
  const auto on_closed = evaluate(ths, closed);
  EXPECT_FALSE(on_closed[0].passed);
  EXPECT_NE(on_closed[0].actual_text.find("lag_p99 not measured: the schedule lag exists in the "
                                          "open model only"),
            std::string::npos)
      << on_closed[0].actual_text;
  EXPECT_TRUE(on_closed[1].passed);
  const auto on_foreign = evaluate(ths, foreign);
  EXPECT_FALSE(on_foreign[1].passed);
  EXPECT_NE(on_foreign[1].actual_text.find("no uncorrected histogram"), std::string::npos)
      << on_foreign[1].actual_text;
  EXPECT_TRUE(on_foreign[2].passed);
}

TEST(Threshold, DurationsParseWithUnits) {
  EXPECT_EQ(parse_duration_us("30s"), 30e6);
  EXPECT_EQ(parse_duration_us("500ms"), 500e3);
  EXPECT_EQ(parse_duration_us("2m"), 120e6);
  EXPECT_EQ(parse_duration_us("10"), 10e6);
  EXPECT_EQ(parse_duration_us("1h"), 3600e6);
  EXPECT_FALSE(parse_duration_us("soon"));
  EXPECT_FALSE(parse_duration_us("-1s"));
}

TEST(Shard, ParsesZeroBasedIndexes) {
  auto s = parse_shard("3/4");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->index, 3u);
  EXPECT_EQ(s->count, 4u);
  for (const char* bad : {"4/4", "1", "a/2", "1/0", "-1/2"}) {
    auto b = parse_shard(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.error().message.find("JOB_COMPLETION_INDEX"), std::string::npos);
  }
}

TEST(Schedule, ShardsAndThreadsPartitionTheSlotsExactly) {
  std::vector<Step> steps(1);
  std::map<std::uint64_t, int> seen;
  for (unsigned shard = 0; shard < 3; ++shard)
    for (unsigned t = 0; t < 2; ++t) {
      Schedule s(100, Shard{shard, 3}, 2, t, weighted_cycle(steps));
      for (std::uint64_t j = 0; j < 20; ++j)
        ++seen[s.slot(j)];
    }
  // 3 shards × 2 threads × 20 = slots 0..119, each exactly once.
  ASSERT_EQ(seen.size(), 120u);
  EXPECT_EQ(seen.rbegin()->first, 119u);
  for (const auto& [slot, n] : seen)
    EXPECT_EQ(n, 1) << slot;
  Schedule s(1000, Shard{}, 1, 0, weighted_cycle(steps));
  EXPECT_EQ(s.offset_of(1500).count(), 1'500'000'000);
}

TEST(Schedule, WeightedCycleInterleavesByWeight) {
  std::vector<Step> steps(3);
  steps[0].weight = 5;
  steps[1].weight = 1;
  steps[2].weight = 2;
  const auto cycle = weighted_cycle(steps);
  ASSERT_EQ(cycle.size(), 8u);
  std::map<int, int> count;
  for (auto c : cycle)
    ++count[c];
  EXPECT_EQ(count[0], 5);
  EXPECT_EQ(count[1], 1);
  EXPECT_EQ(count[2], 2);
  // Smooth: the heavy step never runs more than twice in a row within a cycle.
  int run = 0, longest = 0;
  for (auto c : cycle) {
    run = c == 0 ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  EXPECT_LE(longest, 2);
}

} // namespace
} // namespace konform::load
