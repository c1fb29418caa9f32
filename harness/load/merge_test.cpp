// `konform merge` on logs built in memory: histograms add exactly, counters travel in the summary
// comment, and damaged input is reported with its place while the rest is merged.
#include "load/merge.h"
#include "load/report.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

// A log as `konform load --hlog` writes it, for `intervals` one-second intervals.
std::string shard_log(int offset, int intervals, std::uint64_t status_503, Histogram& all) {
  LoadResult r;
  r.open_model = true;
  r.duration_s = intervals;
  r.target_rate = 50;
  r.steps.push_back(StepResult{});
  r.steps[0].name = "query one";
  std::string log = hlog_header(1'700'000'000.0, "test");
  for (int k = 0; k < intervals; ++k) {
    Histogram c, u, lag;
    for (int i = 1; i <= 50; ++i) {
      c.record(offset + i * 100 + k);
      u.record(i * 10);
      lag.record(i);
    }
    (void)all.add(c);
    (void)r.corrected.add(c);
    r.counters.requests += 50;
    r.steps[0].counters.requests += 50;
    IntervalView v;
    v.start_epoch_s = 1'700'000'000.0 + k;
    v.length_s = 1.0;
    v.corrected = &c;
    v.uncorrected = &u;
    v.lag = &lag;
    v.steps.emplace_back("query one", &c);
    log += hlog_interval_lines(v, 1'700'000'000.0);
  }
  r.counters.status[200] = r.counters.requests - status_503;
  r.counters.status[503] = status_503;
  r.counters.errors.status = status_503;
  r.dropped = 3;
  log += hlog_summary_comment(r);
  return log;
}

TEST(Merge, AddsHistogramsExactlyAndSumsCounters) {
  Histogram all;
  const auto a = shard_log(0, 4, 2, all);
  const auto b = shard_log(7, 4, 5, all);
  auto merged = merge_hlogs({{"a.hlog", a}, {"b.hlog", b}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const auto& r = merged->result;
  EXPECT_TRUE(merged->problems.empty());
  EXPECT_TRUE(r.corrected.same_counts(all));
  EXPECT_EQ(r.counters.requests, 400u);
  EXPECT_EQ(r.counters.status.at(503), 7u);
  EXPECT_EQ(r.counters.errors.status, 7u);
  EXPECT_EQ(r.dropped, 6u);
  EXPECT_TRUE(r.open_model);
  EXPECT_DOUBLE_EQ(r.duration_s, 4.0); // shards run side by side
  EXPECT_DOUBLE_EQ(r.rps(), 100.0);
  EXPECT_DOUBLE_EQ(r.target_rate, 100.0);
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].name, "query_one");
  EXPECT_EQ(r.steps[0].counters.requests, 400u);
  EXPECT_EQ(r.steps[0].corrected.total_count(), 400);
  EXPECT_EQ(r.uncorrected.total_count(), 400);
  EXPECT_EQ(r.lag.total_count(), 400);
  const auto text = summary_text(r);
  EXPECT_NE(text.find("400 requests in 4.00s"), std::string::npos) << text;
  EXPECT_NE(text.find("503=7"), std::string::npos) << text;
}

TEST(Merge, DamagedLinesAreNamedAndTheRestIsMerged) {
  Histogram all;
  auto a = shard_log(0, 2, 0, all);
  a.insert(a.find("Tag=uncorrected"), "0.0,1.0,1.0,HISTFbroken\n");
  auto merged = merge_hlogs({{"a.hlog", a}});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->problems.size(), 1u);
  EXPECT_EQ(merged->problems[0].rfind("a.hlog:7:13: ", 0), 0u) << merged->problems[0];
  EXPECT_EQ(merged->result.corrected.total_count(), 100);
}

TEST(Merge, NothingReadableIsAnError) {
  auto merged = merge_hlogs({{"empty.hlog", "#[just a comment]\n"}});
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.error().message.find("no readable interval"), std::string::npos);
}

TEST(Merge, LogsOfOtherToolsCountTheirHistograms) {
  Histogram h;
  for (int i = 0; i < 10; ++i)
    h.record(1000 + i);
  std::string log = "#[StartTime: 1441812279.474 (seconds since epoch), x]\n" +
                    hlog_line("", 0.0, 1.0, h) + hlog_line("", 1.0, 1.0, h);
  auto merged = merge_hlogs({{"jhiccup.hlog", log}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->result.counters.requests, 20u);
  EXPECT_DOUBLE_EQ(merged->result.duration_s, 2.0);
}

} // namespace
} // namespace konform::load
