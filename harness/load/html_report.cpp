#include "load/html_report.h"

#include "load/report.h"
#include "report/html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace konform::load {
namespace {

using report::html::escaped;

std::string num(double v, const char* fmt = "%.1f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// A round axis maximum at or above v: 1, 2 or 5 × 10^k.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string percentile_label(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", p);
  return buf;
}

struct Series {
  std::string name;
  std::string css; // class of the line
  const Histogram* histogram;
};

constexpr double kW = 900, kH = 360, kLeft = 70, kRight = 44, kTop = 20, kBottom = 46;

std::string percentile_plot(const std::vector<Series>& series) {
  const auto ps = plotted_percentiles();
  double top = 0;
  for (const auto& s : series)
    top = std::max(top, static_cast<double>(s.histogram->value_at_percentile(99.999)));
  top = nice_ceiling(top);
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto x_of = [&](double p) { return kLeft + pw * std::log10(1.0 / (1.0 - p / 100.0)) / 5.0; };
  auto y_of = [&](double us) { return kTop + ph * (1.0 - us / top); };
  std::string svg = "<svg class=\"plot percentiles\" viewBox=\"0 0 " + num(kW, "%.0f") + " " +
                    num(kH, "%.0f") + "\" role=\"img\" aria-label=\"latency by percentile\">";
  for (int i = 0; i <= 4; ++i) { // y grid
    double us = top * i / 4;
    svg += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kW - kRight) + "\" y1=\"" +
           num(y_of(us)) + "\" y2=\"" + num(y_of(us)) + "\"/><text class=\"axis\" x=\"" +
           num(kLeft - 6) + "\" y=\"" + num(y_of(us) + 4) + "\" text-anchor=\"end\">" +
           escaped(format_latency(us)) + "</text>";
  }
  const char* ticks[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
  for (int d = 0; d <= 5; ++d) {
    double x = kLeft + pw * d / 5.0;
    svg += "<line class=\"grid\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(kTop) +
           "\" y2=\"" + num(kH - kBottom) + "\"/><text class=\"axis\" x=\"" + num(x) + "\" y=\"" +
           num(kH - kBottom + 16) + "\" text-anchor=\"middle\">" + ticks[d] + "</text>";
  }
  svg += "<text class=\"axis\" x=\"" + num(kLeft + pw / 2) + "\" y=\"" + num(kH - 8) +
         "\" text-anchor=\"middle\">percentile</text>";
  int index = 0;
  for (const auto& s : series) {
    std::string points, dots;
    for (double p : ps) {
      double us = static_cast<double>(s.histogram->value_at_percentile(p));
      std::string x = num(x_of(p), "%.2f"), y = num(y_of(us), "%.2f");
      points += x + "," + y + " ";
      dots += "<circle class=\"point\" data-p=\"" + percentile_label(p) + "\" cx=\"" + x +
              "\" cy=\"" + y + "\" r=\"2.5\"><title>" + escaped(s.name) + " p" +
              percentile_label(p) + " = " + escaped(format_latency(us)) + "</title></circle>";
    }
    svg += "<g class=\"series " + s.css + " c" + std::to_string(index++ % 8) + "\" data-name=\"" +
           escaped(s.name) + "\"><polyline points=\"" + points + "\"/>" + dots + "</g>";
  }
  svg += "</svg>";
  std::string legend = "<div class=\"legend\">";
  index = 0;
  for (const auto& s : series)
    legend += "<span class=\"key " + s.css + " c" + std::to_string(index++ % 8) + "\"><i></i>" +
              escaped(s.name) + "</span>";
  return svg + legend + "</div>";
}

// One value per interval (or group of `per_point` intervals) over time (requests/s or p99).
std::string time_plot(const std::vector<IntervalPoint>& intervals, std::size_t per_point,
                      const char* what, const std::string& css,
                      double (*value)(const IntervalPoint&), bool latency) {
  double top = 0, end = 0;
  for (const auto& i : intervals) {
    top = std::max(top, value(i));
    end = std::max(end, i.start_s + i.length_s);
  }
  top = nice_ceiling(top);
  if (end <= 0) end = 1;
  const double w = 440, h = 220, left = 64, right = 12, tp = 14, bottom = 36;
  const double pw = w - left - right, ph = h - tp - bottom;
  auto label = [&](double v) { return latency ? format_latency(v) : num(v, "%.0f"); };
  std::string svg = "<svg class=\"plot " + css +
                    "\" viewBox=\"0 0 440 220\" role=\"img\" "
                    "aria-label=\"" +
                    std::string(what) + " per interval\">";
  for (int k = 0; k <= 4; ++k) {
    double v = top * k / 4, y = tp + ph * (1 - v / top);
    svg += "<line class=\"grid\" x1=\"" + num(left) + "\" x2=\"" + num(w - right) + "\" y1=\"" +
           num(y) + "\" y2=\"" + num(y) + "\"/><text class=\"axis\" x=\"" + num(left - 5) +
           "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" + escaped(label(v)) + "</text>";
  }
  svg += "<text class=\"axis\" x=\"" + num(left) + "\" y=\"" + num(h - 20) + "\">0 s</text>";
  svg += "<text class=\"axis\" x=\"" + num(w - right) + "\" y=\"" + num(h - 20) +
         "\" text-anchor=\"end\">" + num(end, "%.0f") + " s</text>";
  svg += "<text class=\"axis\" x=\"" + num(left + pw / 2) + "\" y=\"" + num(h - 4) +
         "\" text-anchor=\"middle\">" + what + "</text>";
  std::string points, dots;
  for (const auto& i : intervals) {
    double mid = i.start_s + i.length_s / 2;
    std::string x = num(left + pw * mid / end, "%.2f"),
                y = num(tp + ph * (1 - value(i) / top), "%.2f");
    points += x + "," + y + " ";
    dots += "<circle class=\"point\" cx=\"" + x + "\" cy=\"" + y + "\" r=\"2\"><title>" +
            num(i.start_s, "%.0f") + " s: " + escaped(label(value(i))) +
            (per_point > 1 ? (latency ? " (the highest of " : " (mean of ") +
                                 std::to_string(per_point) + " intervals)"
                           : std::string()) +
            "</title></circle>";
  }
  return svg + "<g class=\"series c0\"><polyline points=\"" + points + "\"/>" + dots + "</g></svg>";
}

constexpr std::string_view kCss = R"(
.plot{width:100%;max-width:900px;background:#fff;display:block}
.plot .grid{stroke:#e4e4e4;stroke-width:1}.plot .axis{font-size:11px;fill:#555}
.plot polyline{fill:none;stroke-width:2}
.c0 polyline{stroke:#1565c0}.c0 circle{fill:#1565c0}.c1 polyline{stroke:#ef6c00}.c1 circle{fill:#ef6c00}
.c2 polyline{stroke:#2e7d32}.c2 circle{fill:#2e7d32}.c3 polyline{stroke:#6a1b9a}.c3 circle{fill:#6a1b9a}
.c4 polyline{stroke:#00838f}.c4 circle{fill:#00838f}.c5 polyline{stroke:#ad1457}.c5 circle{fill:#ad1457}
.c6 polyline{stroke:#5d4037}.c6 circle{fill:#5d4037}.c7 polyline{stroke:#9e9d24}.c7 circle{fill:#9e9d24}
.uncorrected polyline{stroke-dasharray:6 4}.step polyline{stroke-width:1.3}
.legend{margin:4px 0 0 70px;font-size:13px}.legend .key{margin-right:14px;cursor:pointer}
.legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}
.legend .c0 i{background:#1565c0}.legend .c1 i{background:#ef6c00}.legend .c2 i{background:#2e7d32}
.legend .c3 i{background:#6a1b9a}.legend .c4 i{background:#00838f}.legend .c5 i{background:#ad1457}
.legend .c6 i{background:#5d4037}.legend .c7 i{background:#9e9d24}.legend .off{opacity:.35}
.plots2{display:flex;gap:16px;flex-wrap:wrap}.plots2>div{flex:1;min-width:320px}
table.errors,table.status,table.thresholds,table.settings{width:auto;min-width:420px}
.ok{color:var(--pass);font-weight:600}.bad{color:var(--fail);font-weight:600}
.note{color:#555;margin:0 0 6px}
)";

// Clicking a legend key hides or shows its series.
constexpr std::string_view kScript = R"(
var keys=document.querySelectorAll(".legend .key"),groups=document.querySelectorAll("svg.percentiles g.series");
keys.forEach(function(k,i){k.addEventListener("click",function(){k.classList.toggle("off");
if(groups[i])groups[i].style.display=k.classList.contains("off")?"none":"";});});
)";

} // namespace

IntervalPoint interval_point(const IntervalView& v, double first_start_epoch_s) {
  IntervalPoint p;
  p.start_s = v.start_epoch_s - first_start_epoch_s;
  p.length_s = v.length_s;
  if (v.corrected) {
    p.count = v.corrected->total_count();
    p.p99_us = v.corrected->value_at_percentile(99);
    if (v.length_s > 0) p.rps = static_cast<double>(p.count) / v.length_s;
  }
  return p;
}

TimeSeries decimated(const std::vector<IntervalPoint>& intervals, std::size_t max_points) {
  TimeSeries out;
  if (max_points == 0 || intervals.size() <= max_points) {
    out.points = intervals;
    return out;
  }
  out.per_point = (intervals.size() + max_points - 1) / max_points;
  for (std::size_t at = 0; at < intervals.size(); at += out.per_point) {
    const auto end = std::min(intervals.size(), at + out.per_point);
    IntervalPoint g;
    g.start_s = intervals[at].start_s;
    double seconds = 0, weighted_rps = 0;
    for (std::size_t i = at; i < end; ++i) {
      const auto& p = intervals[i];
      g.count += p.count;
      g.p99_us = std::max(g.p99_us, p.p99_us);
      seconds += p.length_s;
      weighted_rps += p.rps * p.length_s;
    }
    g.length_s = intervals[end - 1].start_s + intervals[end - 1].length_s - g.start_s;
    g.rps = seconds > 0 ? weighted_rps / seconds : 0;
    out.points.push_back(g);
  }
  return out;
}

std::vector<double> plotted_percentiles() {
  std::vector<double> ps{0};
  for (int tenth = 1; tenth <= 50; ++tenth)
    ps.push_back(100.0 * (1.0 - std::pow(10.0, -tenth / 10.0)));
  return ps;
}

std::string html_report(const LoadResult& r, const std::vector<ThresholdOutcome>& outcomes,
                        const std::vector<IntervalPoint>& intervals, std::string_view title) {
  std::string b;
  bool all_ok = std::all_of(outcomes.begin(), outcomes.end(), [](auto& o) { return o.passed; });
  b += "<h1>" + escaped(title) +
       (outcomes.empty() ? ""
        : all_ok         ? " <span class=\"verdict passed\">thresholds met</span>"
                         : " <span class=\"verdict failed\">threshold failed</span>") +
       "</h1>\n";
  b += "<div class=\"counts\" id=\"totals\"><span>" + std::to_string(r.counters.requests) +
       " requests in " + num(r.duration_s, "%.2f") + " s</span><span>" + num(r.rps(), "%.1f") +
       " req/s</span><span>p50 " + escaped(format_latency(r.corrected.value_at_percentile(50))) +
       "</span><span>p99 " + escaped(format_latency(r.corrected.value_at_percentile(99))) +
       "</span><span>max " + escaped(format_latency(r.corrected.max())) + "</span><span>errors " +
       num(100 * r.error_rate(), "%.2f") + "%</span><span>" +
       (r.open_model ? "open model (corrected for coordinated omission)" : "closed model") +
       "</span></div>\n";
  std::vector<Series> series;
  if (r.open_model) {
    series.push_back({"corrected", "corrected", &r.corrected});
    series.push_back({"uncorrected", "uncorrected", &r.uncorrected});
  } else {
    series.push_back({"all steps", "corrected", &r.corrected});
  }
  if (r.steps.size() > 1)
    for (const auto& s : r.steps)
      series.push_back({"step: " + s.name, "step", &s.corrected});
  b += "<section class=\"card\"><h2>Latency by percentile</h2>" + percentile_plot(series) +
       "</section>\n";
  if (!intervals.empty()) {
    const auto over_time = decimated(intervals);
    const auto& points = over_time.points;
    b += "<section class=\"card\"><h2>Over time</h2>" +
         (over_time.per_point > 1
              ? "<p class=\"note\">" + std::to_string(intervals.size()) +
                    " intervals, one point per " + std::to_string(over_time.per_point) +
                    " (requests/s: their mean; p99: the highest of them)</p>"
              : std::string()) +
         "<div class=\"plots2\"><div>" +
         time_plot(
             points, over_time.per_point, "requests/s", "rps",
             [](const IntervalPoint& i) { return i.rps; }, false) +
         "</div><div>" +
         time_plot(
             points, over_time.per_point, "p99 latency", "p99",
             [](const IntervalPoint& i) { return static_cast<double>(i.p99_us); }, true) +
         "</div></div></section>\n";
  }
  b += "<section class=\"card\"><h2>Steps</h2><table class=\"load-steps\"><tr><th>step</th>"
       "<th class=\"num\">requests</th><th class=\"num\">p50</th><th class=\"num\">p99</th>"
       "<th class=\"num\">p99.9</th><th class=\"num\">max</th><th class=\"num\">errors</th></tr>";
  for (const auto& s : r.steps)
    b += "<tr><td class=\"step-name\">" + escaped(s.name) + "</td><td class=\"num\">" +
         std::to_string(s.counters.requests) + "</td><td class=\"num\">" +
         escaped(format_latency(s.corrected.value_at_percentile(50))) + "</td><td class=\"num\">" +
         escaped(format_latency(s.corrected.value_at_percentile(99))) + "</td><td class=\"num\">" +
         escaped(format_latency(s.corrected.value_at_percentile(99.9))) +
         "</td><td class=\"num\">" + escaped(format_latency(s.corrected.max())) +
         "</td><td class=\"num\">" + std::to_string(s.counters.errors.total()) + "</td></tr>";
  b += "</table></section>\n";
  const auto& e = r.counters.errors;
  b += "<section class=\"card\"><h2>Errors by category</h2><table class=\"errors\">";
  const std::pair<const char*, std::uint64_t> cats[] = {
      {"connect", e.connect},       {"read", e.read},
      {"write", e.write},           {"timeout", e.timeout},
      {"status >= 400", e.status},  {"protocol", e.protocol},
      {"dropped sends", r.dropped}, {"unfinished at the end", r.unfinished}};
  for (const auto& [name, n] : cats)
    b += "<tr><th>" + std::string(name) + "</th><td class=\"num\">" + std::to_string(n) +
         "</td></tr>";
  b += "</table><h2>Status codes</h2><table class=\"status\">";
  for (const auto& [code, n] : r.counters.status)
    b += "<tr><th>" + std::to_string(code) + "</th><td class=\"num\">" + std::to_string(n) +
         "</td></tr>";
  b += "</table>";
  for (const auto& x : r.violation_examples)
    b += "<div class=\"warn\">" + escaped(x) + "</div>";
  for (const auto& x : r.malformed_examples)
    b += "<div class=\"warn\">" + escaped(x) + "</div>";
  b += "</section>\n";
  if (!outcomes.empty()) {
    b += "<section class=\"card\"><h2>Thresholds</h2><table class=\"thresholds\">";
    for (const auto& o : outcomes)
      b += "<tr><td><code>" + escaped(o.threshold ? o.threshold->text : "") + "</code></td><td>" +
           escaped(o.actual_text) + "</td><td class=\"" + (o.passed ? "ok\">met" : "bad\">FAILED") +
           "</td></tr>";
    b += "</table></section>\n";
  }
  b += "<section class=\"card\"><h2>Settings</h2><table class=\"settings mono\">";
  for (const auto& s : r.settings) {
    auto eq = s.find('=');
    b += "<tr><th>" + escaped(s.substr(0, eq)) + "</th><td>" +
         escaped(eq == std::string::npos ? "" : s.substr(eq + 1)) + "</td></tr>";
  }
  b += "</table></section>\n";
  return report::html::page(title, b, kCss, kScript);
}

} // namespace konform::load
