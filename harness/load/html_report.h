#pragma once
// `konform load --html` and `konform merge --html`: one self-contained page with the latency
// percentile distribution as inline SVG (x: percentile on the HdrHistogram log scale
// log10(1/(1-p)), 0 .. 99.999; y: latency), corrected, uncorrected and per step; requests/s and
// p99 per interval when the run kept its intervals; errors by category; settings; thresholds.
#include "load/result.h"
#include "load/threshold.h"

#include <string>
#include <string_view>
#include <vector>

namespace konform::load {

// One finished interval, reduced to what the time plots need.
struct IntervalPoint {
  double start_s = 0; // seconds since the first interval began
  double length_s = 0;
  std::int64_t count = 0; // corrected histogram count: responses in the interval
  std::int64_t p99_us = 0;
  double rps = 0; // count ÷ length; for a merge, summed over the shards (merge_intervals.h)
};
IntervalPoint interval_point(const IntervalView& view, double first_start_epoch_s);

// The over-time plots draw at most this many points (20 minutes of one-second intervals), so that
// a page opens as fast for a day's run as for ten minutes (each point is an SVG circle with its
// tooltip). A longer run is plotted one point per group of consecutive intervals: its
// requests/s averaged over the group's time, its p99 the highest of the group's (a peak stays
// visible), its count summed.
inline constexpr std::size_t max_time_points = 1200;
struct TimeSeries {
  std::vector<IntervalPoint> points;
  std::size_t per_point = 1; // intervals in each point
};
TimeSeries decimated(const std::vector<IntervalPoint>& intervals,
                     std::size_t max_points = max_time_points);

// The percentiles plotted, one point each: 0, then 1 − 10^(−x) for x = 0.1 .. 5 (99.999).
std::vector<double> plotted_percentiles();

std::string html_report(const LoadResult& result, const std::vector<ThresholdOutcome>& outcomes,
                        const std::vector<IntervalPoint>& intervals, std::string_view title);

} // namespace konform::load
