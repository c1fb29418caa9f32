// The over-time series of `konform merge --html`: shards' intervals merged one grid interval at a
// time equal what one process recording all their responses would have plotted, and shards that
// started at different moments are put on one grid by the documented rule.
#include "load/hlog.h"
#include "load/merge_intervals.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

constexpr double base = 1'700'000'000.0;

// The corrected histogram of interval k of a shard: shard 0 has 100 responses with 4 slow ones,
// shard 1 has 300 with 2 slower ones, so that the p99 of both together (the 5th slowest of
// 400) is neither shard's own p99 and moves with k.
std::int64_t responses(int shard) {
  return shard == 0 ? 100 : 300;
}
Histogram interval_histogram(int shard, int k) {
  Histogram h;
  const int n = static_cast<int>(responses(shard)), slow = shard == 0 ? 4 : 2;
  for (int i = 1; i <= n; ++i)
    h.record(i > n - slow ? 50'000 * (k + 1) * (shard + 1) + i * 1000
                          : 1000 * (shard + 1) + i * 37);
  return h;
}

// A log as `konform load --hlog` writes it: its own BaseTime `start`, one-second intervals (the
// last `last_length` long), each with the untagged, uncorrected and a step's lines.
std::string shard_log(int shard, double start, int intervals, double last_length = 1.0) {
  std::string log = hlog_header(start, "test");
  for (int k = 0; k < intervals; ++k) {
    Histogram c = interval_histogram(shard, k), u;
    u.record(5);
    IntervalView v;
    v.start_epoch_s = start + k;
    v.length_s = k + 1 == intervals ? last_length : 1.0;
    v.corrected = &c;
    v.uncorrected = &u;
    v.steps.push_back({"step", &u, &u}); // tagged lines must not count
    log += hlog_interval_lines(v, start);
  }
  return log;
}

TEST(MergeIntervals, TwoShardsPerIntervalEqualOneCombinedHistogram) {
  const int intervals = 5;
  auto series = merge_intervals(
      {{"a.hlog", shard_log(0, base, intervals)}, {"b.hlog", shard_log(1, base, intervals)}});
  EXPECT_TRUE(series.problems.empty());
  ASSERT_EQ(series.points.size(), static_cast<std::size_t>(intervals));
  for (int k = 0; k < intervals; ++k) {
    Histogram one_process = interval_histogram(0, k);
    ASSERT_TRUE(one_process.add(interval_histogram(1, k)).ok());
    const auto& p = series.points[k];
    EXPECT_DOUBLE_EQ(p.start_s, k);
    EXPECT_DOUBLE_EQ(p.length_s, 1.0);
    EXPECT_EQ(p.count, one_process.total_count()) << k;
    EXPECT_DOUBLE_EQ(p.rps, 400.0) << k;
    // Exactly, not within a tolerance: the same buckets were added.
    EXPECT_EQ(p.p99_us, one_process.value_at_percentile(99)) << k;
    // Neither shard alone has this p99 (the test would pass on a max of the shards' p99s).
    EXPECT_NE(p.p99_us, interval_histogram(0, k).value_at_percentile(99));
    EXPECT_NE(p.p99_us, interval_histogram(1, k).value_at_percentile(99));
  }
}

TEST(MergeIntervals, OneLogGivesThePointsOfTheLoadRunsOwnReport) {
  // What `konform load --html` plots for the same intervals (interval_point of each view).
  const int intervals = 4;
  auto series = merge_intervals({{"one.hlog", shard_log(0, base + 0.25, intervals, 0.5)}});
  ASSERT_EQ(series.points.size(), static_cast<std::size_t>(intervals));
  for (int k = 0; k < intervals; ++k) {
    Histogram c = interval_histogram(0, k);
    IntervalView v;
    v.start_epoch_s = base + 0.25 + k;
    v.length_s = k + 1 == intervals ? 0.5 : 1.0;
    v.corrected = &c;
    const auto own = interval_point(v, base + 0.25);
    const auto& p = series.points[k];
    EXPECT_NEAR(p.start_s, own.start_s, 1e-6) << k;
    EXPECT_DOUBLE_EQ(p.length_s, own.length_s) << k;
    EXPECT_EQ(p.count, own.count) << k;
    EXPECT_DOUBLE_EQ(p.rps, own.rps) << k; // the short last interval: 100 in 0.5 s = 200/s
    EXPECT_EQ(p.p99_us, own.p99_us) << k;
  }
  EXPECT_DOUBLE_EQ(series.points.back().rps, 200.0);
}

TEST(MergeIntervals, AShardThatStartedLessThanHalfAnIntervalLaterSharesTheGrid) {
  // b started 0.4 s after a: each of its intervals overlaps a's of the same index by 0.6 s.
  auto series =
      merge_intervals({{"a.hlog", shard_log(0, base, 3)}, {"b.hlog", shard_log(1, base + 0.4, 3)}});
  ASSERT_EQ(series.points.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    Histogram both = interval_histogram(0, k);
    ASSERT_TRUE(both.add(interval_histogram(1, k)).ok());
    EXPECT_DOUBLE_EQ(series.points[k].start_s, k);
    EXPECT_EQ(series.points[k].count, 400);
    EXPECT_DOUBLE_EQ(series.points[k].rps, 400.0);
    EXPECT_EQ(series.points[k].p99_us, both.value_at_percentile(99));
  }
}

TEST(MergeIntervals, AShardThatStartedMoreThanHalfAnIntervalLaterGoesToTheNextOne) {
  // b started 0.6 s after a: its interval k overlaps a's k + 1 most. The grid starts with a
  // alone and ends with b alone.
  auto series =
      merge_intervals({{"a.hlog", shard_log(0, base, 3)}, {"b.hlog", shard_log(1, base + 0.6, 3)}});
  ASSERT_EQ(series.points.size(), 4u);
  EXPECT_EQ(series.points[0].count, 100);
  EXPECT_EQ(series.points[0].p99_us, interval_histogram(0, 0).value_at_percentile(99));
  for (int k = 1; k < 3; ++k) {
    Histogram both = interval_histogram(0, k);
    ASSERT_TRUE(both.add(interval_histogram(1, k - 1)).ok());
    EXPECT_EQ(series.points[k].count, 400) << k;
    EXPECT_DOUBLE_EQ(series.points[k].rps, 400.0) << k;
    EXPECT_EQ(series.points[k].p99_us, both.value_at_percentile(99)) << k;
  }
  EXPECT_DOUBLE_EQ(series.points[3].start_s, 3);
  EXPECT_EQ(series.points[3].count, 300);
  EXPECT_EQ(series.points[3].p99_us, interval_histogram(1, 2).value_at_percentile(99));
  // Exactly half way: the later grid interval.
  auto half =
      merge_intervals({{"a.hlog", shard_log(0, base, 2)}, {"b.hlog", shard_log(1, base + 0.5, 2)}});
  ASSERT_EQ(half.points.size(), 3u);
  EXPECT_EQ(half.points[0].count, 100);
  EXPECT_EQ(half.points[2].count, 300);
}

TEST(MergeIntervals, ALineThatGoesBackInTimeIsNamedAndLeftOut) {
  std::string log = shard_log(0, base, 3);
  // The lines of interval 0 again at the end, after interval 2.
  const auto first = log.find("\n0.000,");
  const auto end = log.find('\n', first + 1);
  log += log.substr(first + 1, end - first);
  auto series = merge_intervals({{"odd.hlog", log}});
  ASSERT_EQ(series.points.size(), 3u);
  EXPECT_EQ(series.points[0].count, 100); // not 200
  ASSERT_EQ(series.problems.size(), 1u);
  EXPECT_NE(series.problems[0].find("odd.hlog:"), std::string::npos) << series.problems[0];
  EXPECT_NE(series.problems[0].find("starts before the one above it"), std::string::npos);
}

TEST(MergeIntervals, DamagedStampsAreNamedNotPlotted) {
  // nan, infinite or negative stamps are refused by the reader (named by the totals' pass); a
  // start 10^300 s away from the others fits no grid: named here. None may crash or pull every
  // line into one point.
  std::string log = shard_log(0, base, 3);
  const auto first = log.find("\n0.000,1.000,");
  const std::string line = log.substr(first + 1, log.find('\n', first + 1) - first);
  const std::string histogram = line.substr(line.rfind(',') + 1);
  log += "nan,1.000,0.000," + histogram;
  log += "1e300,1.000,0.000," + histogram;
  log += "inf,1.000,0.000," + histogram;
  log += "3.000,inf,0.000," + histogram;
  log += "3.000,-1,0.000," + histogram;
  auto series = merge_intervals({{"odd.hlog", log}});
  ASSERT_EQ(series.points.size(), 3u);
  for (const auto& p : series.points)
    EXPECT_EQ(p.count, 100);
  ASSERT_EQ(series.problems.size(), 1u);
  EXPECT_NE(series.problems[0].find("odd.hlog:"), std::string::npos) << series.problems[0];
  EXPECT_NE(series.problems[0].find("too far from the log's others"), std::string::npos);
  std::size_t refused = 0;
  const auto info = read_hlog(log, "odd.hlog", [](HlogEntry&) {});
  ASSERT_TRUE(info.ok());
  for (const auto& p : info->problems)
    refused += p.find("must be numbers") != std::string::npos;
  EXPECT_EQ(refused, 4u);
}

TEST(MergeIntervals, NoUntaggedLineGivesNoPoints) {
  auto series = merge_intervals({{"empty.hlog", hlog_header(base, "test")}, {"garbage", "x,y\n"}});
  EXPECT_TRUE(series.points.empty());
}

} // namespace
} // namespace konform::load
