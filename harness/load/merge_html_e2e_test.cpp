// `konform merge --html` on the logs of two real `konform load --shard` processes: the page has the
// over-time plots with one point per interval of the merged grid, and those points hold every
// response of the run once.
#include "core/file.h"
#include "load/hlog.h"
#include "load/merge.h"
#include "load/merge_intervals.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <string>
#include <thread>

namespace konform::load {
namespace {

// The points of the plot whose aria-label is `label`.
std::size_t points_of(const std::string& page, const std::string& label) {
  const auto at = page.find("aria-label=\"" + label + "\"");
  if (at == std::string::npos) return 0;
  const auto end = page.find("</svg>", at);
  const std::string svg = page.substr(at, end - at);
  std::size_t n = 0;
  for (auto p = svg.find("<circle class=\"point\""); p != std::string::npos;
       p = svg.find("<circle class=\"point\"", p + 1))
    ++n;
  return n;
}

TEST(MergeHtmlCli, TwoShardsGiveOnePointPerIntervalHoldingEveryResponse) {
  const test_support::ScratchDir dir("konform-merge-html");
  // The embedded endpoint in each process; the second shard starts ~0.7 s later, so its
  // intervals do not share boundaries with the first's.
  const std::string common = "load -R 200 -d 3s -t 1 -c 2 -q";
  test_support::Run a, b;
  std::thread ta(
      [&] { a = test_support::run_binary(common + " --shard 0/2 --hlog " + dir.path("a.hlog")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  b = test_support::run_binary(common + " --shard 1/2 --hlog " + dir.path("b.hlog"));
  ta.join();
  ASSERT_EQ(a.code, 0) << a.output;
  ASSERT_EQ(b.code, 0) << b.output;

  auto merge = test_support::run_binary("merge " + dir.path("a.hlog") + " " + dir.path("b.hlog") +
                                        " --html " + dir.path("merged.html"));
  ASSERT_EQ(merge.code, 0) << merge.output;
  auto page = file::read(dir.path("merged.html"));
  ASSERT_TRUE(page.ok());

  // The grid the README describes, worked out here from the logs' own interval starts: one
  // point per distinct nearest whole second from the earliest start.
  std::vector<MergeInput> inputs;
  std::vector<double> starts;
  std::int64_t responses = 0;
  for (const char* name : {"a.hlog", "b.hlog"}) {
    auto text = file::read(dir.path(name));
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE(read_hlog(*text, name, [&](HlogEntry& e) {
                  if (!e.tag.empty()) return;
                  starts.push_back(e.start_s);
                  responses += e.histogram.total_count();
                }).ok());
    inputs.push_back({name, std::move(*text)});
  }
  ASSERT_FALSE(starts.empty());
  const double origin = *std::min_element(starts.begin(), starts.end());
  std::set<long> grid;
  for (double s : starts)
    grid.insert(std::lround(s - origin));
  EXPECT_EQ(responses, 600); // 200/s × 3 s, split between the shards

  EXPECT_EQ(points_of(*page, "requests/s per interval"), grid.size()) << *page;
  EXPECT_EQ(points_of(*page, "p99 latency per interval"), grid.size());
  const auto series = merge_intervals(inputs);
  ASSERT_EQ(series.points.size(), grid.size());
  std::int64_t plotted = 0;
  for (const auto& p : series.points)
    plotted += p.count;
  EXPECT_EQ(plotted, responses); // each response in exactly one point
}

} // namespace
} // namespace konform::load
