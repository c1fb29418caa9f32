// The load HTML report: the percentile plot's geometry and the page's content.
#include "load/html_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

namespace konform::load {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

LoadResult sample() {
  LoadResult r;
  r.open_model = true;
  r.duration_s = 10;
  for (int i = 1; i <= 1000; ++i) {
    r.corrected.record(i * 100);
    r.uncorrected.record(i * 10);
  }
  r.counters.requests = 1000;
  r.counters.status[200] = 990;
  r.counters.status[503] = 10;
  r.counters.errors.status = 10;
  r.counters.errors.timeout = 3;
  for (const char* name : {"ping", "count <b>storms</b>"}) {
    StepResult s;
    s.name = name;
    s.corrected = r.corrected;
    s.uncorrected = r.uncorrected;
    r.steps.push_back(s);
  }
  r.settings = {"threads=2", "rate=100"};
  return r;
}

TEST(PlottedPercentiles, RunFromZeroTo99_999OnTheLogScale) {
  auto ps = plotted_percentiles();
  ASSERT_EQ(ps.size(), 51u);
  EXPECT_EQ(ps.front(), 0);
  EXPECT_NEAR(ps[10], 90, 1e-9);
  EXPECT_NEAR(ps[20], 99, 1e-9);
  EXPECT_NEAR(ps.back(), 99.999, 1e-9);
}

TEST(LoadHtml, PlotsOnePointPerPercentileForEachSeries) {
  LoadResult r = sample();
  std::string page = html_report(r, {}, {}, "konform load");
  // corrected, uncorrected and one per step (two steps)
  EXPECT_EQ(count(page, "<g class=\"series"), 4u);
  EXPECT_EQ(count(page, "<circle class=\"point\" data-p="), 4u * 51u);
  EXPECT_THAT(page, HasSubstr("data-name=\"uncorrected\""));
  EXPECT_THAT(page, HasSubstr("data-name=\"step: ping\""));
  // x = log10(1/(1-p)): p99 sits at 2/5 of the plot width (left 70, width 786).
  std::smatch m;
  std::regex p99("data-p=\"99\" cx=\"([0-9.]+)\"");
  ASSERT_TRUE(std::regex_search(page, m, p99));
  EXPECT_NEAR(std::stod(m[1]), 70 + 786 * 2.0 / 5, 0.01);
}

TEST(LoadHtml, ShowsIntervalsErrorsThresholdsAndSettingsAllEscaped) {
  LoadResult r = sample();
  Threshold t{"p99<50ms", "p99", "<", 50'000};
  std::vector<ThresholdOutcome> outcomes{{&t, false, 99'000, "p99 = 99.00ms"}};
  std::vector<IntervalPoint> intervals{
      {0, 1, 100, 900, 100}, {1, 1, 120, 1200, 120}, {2, 1, 80, 3000, 80}};
  std::string page = html_report(r, outcomes, intervals, "konform load");
  EXPECT_THAT(page, HasSubstr("aria-label=\"requests/s per interval\""));
  EXPECT_THAT(page, HasSubstr("aria-label=\"p99 latency per interval\""));
  EXPECT_EQ(count(page, "<circle class=\"point\" cx="), 6u); // 3 intervals × 2 plots
  EXPECT_THAT(page, HasSubstr("<tr><th>timeout</th><td class=\"num\">3</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><th>503</th><td class=\"num\">10</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<code>p99&lt;50ms</code></td><td>p99 = 99.00ms</td><td "
                              "class=\"bad\">FAILED"));
  EXPECT_THAT(page, HasSubstr("threshold failed"));
  EXPECT_THAT(page, HasSubstr("<tr><th>threads</th><td>2</td></tr>"));
  EXPECT_THAT(page, HasSubstr("count &lt;b&gt;storms&lt;/b&gt;"));
  EXPECT_THAT(page, Not(HasSubstr("<b>storms")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
}

TEST(LoadHtml, ALongRunIsPlottedInGroupsOfIntervalsKeepingItsPeak) {
  // An hour of one-second intervals: 3 per point, a p99 spike in one interval stays visible.
  std::vector<IntervalPoint> hour;
  for (int k = 0; k < 3600; ++k)
    hour.push_back(
        {static_cast<double>(k), 1, 100 + k % 3, k == 1801 ? 900'000 : 1000, 100.0 + k % 3});
  const auto series = decimated(hour);
  EXPECT_EQ(series.per_point, 3u);
  ASSERT_EQ(series.points.size(), 1200u);
  EXPECT_DOUBLE_EQ(series.points[600].start_s, 1800);
  EXPECT_DOUBLE_EQ(series.points[600].length_s, 3);
  EXPECT_EQ(series.points[600].count, 303);
  EXPECT_DOUBLE_EQ(series.points[600].rps, 101); // (100 + 101 + 102) / 3
  EXPECT_EQ(series.points[600].p99_us, 900'000);
  EXPECT_EQ(series.points[599].p99_us, 1000);
  const std::string page = html_report(sample(), {}, hour, "konform load");
  EXPECT_EQ(count(page, "<circle class=\"point\" cx="), 2u * 1200u);
  EXPECT_THAT(page, HasSubstr("3600 intervals, one point per 3"));
  EXPECT_THAT(page, HasSubstr("(the highest of 3 intervals)"));
  // Twenty minutes or less: one point per interval, no note.
  std::vector<IntervalPoint> short_run(hour.begin(), hour.begin() + 1200);
  EXPECT_EQ(decimated(short_run).per_point, 1u);
  const std::string all = html_report(sample(), {}, short_run, "konform load");
  EXPECT_EQ(count(all, "<circle class=\"point\" cx="), 2u * 1200u);
  EXPECT_THAT(all, Not(HasSubstr("one point per")));
}

TEST(LoadHtml, WithoutIntervalsThereIsNoTimePlot) {
  std::string page = html_report(sample(), {}, {}, "konform merge");
  EXPECT_THAT(page, Not(HasSubstr("per interval")));
  EXPECT_THAT(page, HasSubstr("<title>konform merge</title>"));
}

} // namespace
} // namespace konform::load
