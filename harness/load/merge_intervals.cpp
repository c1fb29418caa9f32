#include "load/merge_intervals.h"

#include "load/hlog.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace konform::load {
namespace {

constexpr std::size_t max_listed_problems = 20;

// One log's place in the walk: its next untagged line, not yet decoded.
struct Cursor {
  HlogReader reader;
  std::string origin;
  std::optional<HlogLine> pending;
  std::int64_t bucket = 0;      // of `pending`
  std::int64_t last_bucket = 0; // of the line taken before it
  bool taken_any = false;
};

void advance(Cursor& c) {
  do
    c.pending = c.reader.next();
  while (c.pending && !c.pending->tag.empty());
}

} // namespace

IntervalSeries merge_intervals(const std::vector<MergeInput>& inputs) {
  IntervalSeries out;
  std::size_t unlisted = 0;
  auto problem = [&](std::string what) {
    if (out.problems.size() < max_listed_problems)
      out.problems.push_back(std::move(what));
    else
      ++unlisted;
  };
  std::vector<Cursor> cursors;
  cursors.reserve(inputs.size());
  for (const auto& in : inputs) {
    cursors.push_back(Cursor{HlogReader(in.text, in.origin), in.origin, {}, 0, 0, false});
    advance(cursors.back());
  }
  // The grid: the earliest start, the longest first interval (the last one of a log is short).
  double origin = std::numeric_limits<double>::infinity(), length = 0;
  for (const auto& c : cursors)
    if (c.pending && std::isfinite(c.pending->start_s)) {
      origin = std::min(origin, c.pending->start_s);
      length = std::max(length, c.pending->length_s);
    }
  if (!std::isfinite(origin)) return out;
  if (!(length >= 0.001) || !std::isfinite(length)) length = 1.0;

  // The grid interval of a line, or nullopt for a start no grid index can hold (damaged input).
  auto bucket_of = [&](const HlogLine& line) -> std::optional<std::int64_t> {
    const double k = std::round((line.start_s - origin) / length);
    if (!std::isfinite(k) || std::fabs(k) > 1e15) return std::nullopt;
    return static_cast<std::int64_t>(k);
  };
  // Moves a cursor to its next line that can be plotted: time goes forward within one log.
  auto settle = [&](Cursor& c) {
    for (; c.pending; advance(c)) {
      const auto k = bucket_of(*c.pending);
      if (!k) {
        problem(c.origin + ":" + std::to_string(c.pending->line) +
                ":1: the interval start is too far from the log's others to plot");
        continue;
      }
      if (c.taken_any && *k < c.last_bucket) {
        problem(c.origin + ":" + std::to_string(c.pending->line) +
                ":1: this interval starts before the one above it: left out of the over-time "
                "plot (its counts are in the totals); write one log per run, in time order");
        continue;
      }
      c.bucket = *k;
      return;
    }
  };
  for (auto& c : cursors)
    settle(c);

  Histogram sum; // reused for every grid interval
  for (;;) {
    std::optional<std::int64_t> k;
    for (const auto& c : cursors)
      if (c.pending && (!k || c.bucket < *k)) k = c.bucket;
    if (!k) break;
    sum.reset();
    IntervalPoint p;
    p.start_s = static_cast<double>(*k) * length;
    for (auto& c : cursors) {
      std::int64_t responses = 0;
      double seconds = 0;
      while (c.pending && c.bucket == *k) {
        if (auto h = c.reader.decode(*c.pending)) // a damaged line: named by the totals' pass
          if (sum.add(*h).ok()) {
            responses += h->total_count();
            seconds += c.pending->length_s;
          }
        c.last_bucket = c.bucket;
        c.taken_any = true;
        advance(c);
        settle(c);
      }
      p.count += responses;
      if (seconds > 0) p.rps += static_cast<double>(responses) / seconds;
      p.length_s = std::max(p.length_s, std::min(seconds, length));
    }
    p.p99_us = sum.value_at_percentile(99);
    out.points.push_back(p);
  }
  if (unlisted > 0)
    out.problems.push_back(std::to_string(unlisted) + " more interval lines left out of the plot");
  return out;
}

} // namespace konform::load
