#pragma once
// HdrHistogram interval logs (.hlog, format version 1.3 as the Java HistogramLogWriter writes it)
// and the percentile distribution text (.hgrm) wrk2 prints. konform records microseconds, so the
// "Interval_Max" column is in milliseconds with a unit ratio of 1000 (HistogramLogProcessor:
// -outputValueUnitRatio 1000).
#include "core/result.h"
#include "load/histogram.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace konform::load {

// µs → ms: the value unit ratio of everything konform writes.
inline constexpr double us_per_ms = 1000.0;

// The comment header and legend; start/base in seconds since the epoch.
std::string hlog_header(double start_epoch_s, std::string_view tool);
// One data line "[Tag=tag,]start,length,max,HISTF…\n"; start is relative to the base time.
std::string hlog_line(std::string_view tag, double start_s, double length_s, const Histogram& h);
// A tag may not hold commas or white space (the log's field separators): those become '_'.
std::string hlog_tag(std::string_view name);

struct HlogEntry {
  std::string tag;    // "" for untagged lines
  double start_s = 0; // absolute (seconds since the epoch) when the log has a base/start time
  double length_s = 0;
  Histogram histogram;
  int line = 0;
};

struct HlogInfo {
  std::optional<double> start_time; // #[StartTime: ...]
  std::optional<double> base_time;  // #[BaseTime: ...]
  std::size_t entries = 0;
  std::vector<std::string> comments; // every "#..." line without the '#'
  // Lines that could not be read, as "origin:line:column: what", reading went on after each.
  // The first max_problems, then one line saying how many more there were.
  static constexpr std::size_t max_problems = 100;
  std::vector<std::string> problems;
};

// Reads a log line by line and hands every interval to `on_entry` (histograms are decoded one at
// a time, so memory stays constant for long logs). Timestamps are made absolute with the Java
// reader's rules (BaseTime, else StartTime when the stamps look relative).
Result<HlogInfo> read_hlog(std::string_view text, std::string_view origin,
                           const std::function<void(HlogEntry&)>& on_entry);

// One data line as read, its histogram still encoded (a few words, views into the log's text).
struct HlogLine {
  std::string_view tag;
  double start_s = 0; // absolute, as in HlogEntry
  double length_s = 0;
  std::string_view encoded; // the base64 field
  std::size_t encoded_column = 0;
  int line = 0;
};

// The pull side of read_hlog: the next data line on demand, decoded only when asked. `konform
// merge` holds the next line of every shard at once while it walks them in time order, so a
// pending line must not cost a decoded histogram (~188 KiB) each.
class HlogReader {
public:
  HlogReader(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}
  // The next data line whose fields parse (comments and the legend are taken in on the way,
  // lines that do not parse become problems); nullopt at the end of the text.
  std::optional<HlogLine> next();
  // The line's histogram; when it does not decode the problem is recorded and nullopt returned.
  std::optional<Histogram> decode(const HlogLine& line);
  // The header times, comments and problems so far (complete once next() returned nullopt).
  HlogInfo finish();

private:
  void problem(std::string what);
  std::string_view text_;
  std::string origin_;
  std::size_t pos_ = 0;
  int line_no_ = 0;
  std::size_t unlisted_ = 0;
  HlogInfo info_;
};

// wrk2's "Detailed Percentile spectrum" (the Java outputPercentileDistribution layout), values in
// milliseconds; plottable with HdrHistogram's plotFiles.html.
std::string percentile_distribution(const Histogram& h, int ticks_per_half_distance = 5);

} // namespace konform::load
