#include "load/hlog.h"

#include "core/base64.h"
#include "core/text.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

namespace konform::load {
namespace {

std::string format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

std::string where(std::string_view origin, int line, std::size_t column) {
  return std::string(origin) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

// "#[StartTime: 1441812279.474 (seconds since epoch), ...]" → 1441812279.474
std::optional<double> header_seconds(std::string_view line, std::string_view key) {
  if (!line.starts_with(key)) return std::nullopt;
  auto rest = text::trim(line.substr(key.size()));
  const auto end = rest.find_first_of(" ]");
  return text::parse_double(rest.substr(0, end));
}

} // namespace

std::string hlog_header(double start_epoch_s, std::string_view tool) {
  const auto secs = static_cast<std::time_t>(start_epoch_s);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
  std::string out;
  out += "#[Logged with " + std::string(tool) + "]\n";
  out += "#[Histogram log format version 1.3]\n";
  out +=
      "#[StartTime: " + format("%.3f", start_epoch_s) + " (seconds since epoch), " + date + "]\n";
  out += "#[BaseTime: " + format("%.3f", start_epoch_s) + " (seconds since epoch)]\n";
  out +=
      "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  return out;
}

std::string hlog_tag(std::string_view name) {
  std::string tag(name);
  for (char& c : tag)
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') c = '_';
  return tag;
}

std::string hlog_line(std::string_view tag, double start_s, double length_s, const Histogram& h) {
  std::string out;
  if (!tag.empty()) out += "Tag=" + hlog_tag(tag) + ",";
  out += format("%.3f", start_s) + "," + format("%.3f", length_s) + "," +
         format("%.3f", static_cast<double>(h.max()) / us_per_ms) + ",";
  out += base64::encode(h.encode_compressed());
  out += "\n";
  return out;
}

void HlogReader::problem(std::string what) {
  if (info_.problems.size() < HlogInfo::max_problems)
    info_.problems.push_back(std::move(what));
  else
    ++unlisted_;
}

std::optional<HlogLine> HlogReader::next() {
  while (pos_ < text_.size()) {
    auto eol = text_.find('\n', pos_);
    if (eol == std::string_view::npos) eol = text_.size();
    std::string_view line = text_.substr(pos_, eol - pos_);
    pos_ = eol + 1;
    ++line_no_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (text::trim(line).empty()) continue;
    if (line[0] == '#') {
      info_.comments.emplace_back(line.substr(1));
      if (auto s = header_seconds(line, "#[StartTime:")) info_.start_time = *s;
      if (auto b = header_seconds(line, "#[BaseTime:")) info_.base_time = *b;
      continue;
    }
    if (line[0] == '"') continue; // the legend
    HlogLine out;
    out.line = line_no_;
    std::string_view rest = line;
    std::size_t column = 1;
    if (rest.starts_with("Tag=")) {
      const auto comma = rest.find(',');
      if (comma == std::string_view::npos) {
        problem(where(origin_, line_no_, 1) + "a tagged line needs fields after "
                                              "'Tag=name,'");
        continue;
      }
      out.tag = rest.substr(4, comma - 4);
      rest = rest.substr(comma + 1);
      column += comma + 1;
    }
    // start, length, max, histogram: separated by commas (or spaces, which Java also accepts)
    std::string_view fields[4];
    std::size_t columns[4] = {};
    std::size_t count = 0, f = 0;
    while (f <= rest.size() && count < 4) {
      auto sep = rest.find_first_of(", ", f);
      if (count == 3 || sep == std::string_view::npos) sep = rest.size();
      fields[count] = rest.substr(f, sep - f);
      columns[count++] = column + f;
      f = sep + 1;
    }
    if (count != 4) {
      problem(where(origin_, line_no_, column) + "expected 'start,length,max,histogram', found " +
              std::to_string(count) + " field(s)");
      continue;
    }
    auto start = text::parse_double(fields[0]);
    auto length = text::parse_double(fields[1]);
    const bool start_ok = start && std::isfinite(*start);
    if (!start_ok || !length || !std::isfinite(*length) || *length < 0) {
      problem(where(origin_, line_no_, start_ok ? columns[1] : columns[0]) +
              "the interval start and length must be numbers (seconds; a length not negative)");
      continue;
    }
    double stamp = *start;
    if (info_.base_time)
      stamp += *info_.base_time;
    else if (info_.start_time && stamp < *info_.start_time - 365.0 * 24 * 3600)
      stamp += *info_.start_time;
    out.start_s = stamp;
    out.length_s = *length;
    out.encoded = text::trim(fields[3]);
    out.encoded_column = columns[3];
    return out;
  }
  return std::nullopt;
}

std::optional<Histogram> HlogReader::decode(const HlogLine& line) {
  auto bytes = base64::decode(line.encoded);
  if (!bytes) {
    problem(where(origin_, line.line, line.encoded_column) +
            "the histogram is not valid base64: " + bytes.error().message);
    return std::nullopt;
  }
  auto h = Histogram::decode(*bytes);
  if (!h) {
    problem(where(origin_, line.line, line.encoded_column) + h.error().message);
    return std::nullopt;
  }
  ++info_.entries;
  return std::move(*h);
}

HlogInfo HlogReader::finish() {
  HlogInfo out = info_;
  if (unlisted_ > 0)
    out.problems.push_back(origin_ + ": " + std::to_string(unlisted_) +
                           " more problems not listed");
  return out;
}

Result<HlogInfo> read_hlog(std::string_view text, std::string_view origin,
                           const std::function<void(HlogEntry&)>& on_entry) {
  HlogReader reader(text, origin);
  while (auto line = reader.next()) {
    // The histogram (~188 KiB of counters) only for a line that decoded: a default-made one per
    // bad line made a file of short garbage lines cost 188 KiB each.
    auto h = reader.decode(*line);
    if (!h) continue;
    HlogEntry entry{std::string(line->tag), line->start_s, line->length_s, std::move(*h),
                    line->line};
    on_entry(entry);
  }
  return reader.finish();
}

std::string percentile_distribution(const Histogram& h, int ticks_per_half_distance) {
  std::string out;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
                "1/(1-Percentile)");
  out += buf;
  const auto total = h.total_count();
  if (total > 0) {
    // The Java PercentileIterator: levels get denser towards 100% (ticks per half distance).
    double level = 0;
    std::int64_t running = 0;
    std::int64_t last_value = 0;
    bool done = false;
    h.for_each_bucket([&](std::int64_t value, std::int64_t count) {
      if (done) return;
      running += count;
      last_value = value;
      const double current = 100.0 * static_cast<double>(running) / static_cast<double>(total);
      while (current >= level) {
        const double p = level / 100.0;
        std::snprintf(buf, sizeof buf, "%12.3f %1.12f %10lld %14.2f\n",
                      static_cast<double>(h.highest_equivalent(value)) / us_per_ms, p,
                      static_cast<long long>(running), 1.0 / (1.0 - p));
        out += buf;
        const double ticks = ticks_per_half_distance *
                             std::pow(2.0, std::floor(std::log2(100.0 / (100.0 - level))) + 1);
        const double next = level + 100.0 / ticks;
        // Counts so large that a bucket short of the total rounds to 100 %: the levels would
        // creep towards 100 until the step no longer moves them, printing lines forever. No
        // more levels then; the 100 % line below still closes the table.
        if (!(next > level) || next >= 100.0) {
          level = std::numeric_limits<double>::infinity();
          break;
        }
        level = next;
        if (running == total) break; // one line at the last value, then the 100% line below
      }
    });
    std::snprintf(buf, sizeof buf, "%12.3f %1.12f %10lld\n",
                  static_cast<double>(h.highest_equivalent(last_value)) / us_per_ms, 1.0,
                  static_cast<long long>(total));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n",
                h.mean() / us_per_ms, h.stdev() / us_per_ms);
  out += buf;
  std::snprintf(buf, sizeof buf, "#[Max     = %12.3f, Total count    = %12lld]\n",
                static_cast<double>(h.max()) / us_per_ms, static_cast<long long>(total));
  out += buf;
  std::snprintf(buf, sizeof buf, "#[Buckets = %12d, SubBuckets     = %12d]\n", h.bucket_count(),
                h.sub_bucket_count());
  out += buf;
  return out;
}

} // namespace konform::load
