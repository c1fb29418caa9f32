#include "load/report.h"

#include "json/writer.h"

#include <cstdio>
#include <vector>

namespace konform::load {
namespace {

struct Pct {
  const char* label;
  const char* key;
  double p;
};
constexpr Pct reported[] = {{"p50", "p50", 50},       {"p75", "p75", 75},
                            {"p90", "p90", 90},       {"p99", "p99", 99},
                            {"p99.9", "p99_9", 99.9}, {"p99.99", "p99_99", 99.99}};

std::string printf_string(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (b >= 1024 && u < 3) {
    b /= 1024;
    ++u;
  }
  return printf_string("%.2f%s", b, units[u]);
}

// A step name in lines of at most `width` characters, broken between words only: a name is
// never cut mid-word (a single word longer than `width` stands whole on its own line).
std::vector<std::string> wrap_words(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ')
      ++i;
    std::size_t end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    if (end == i) break;
    std::string word = text.substr(i, end - i);
    i = end;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

void latency_object(json::Writer& w, const Histogram& h) {
  w.begin_object();
  w.field("count", h.total_count());
  for (const auto& p : reported)
    w.field(p.key, h.value_at_percentile(p.p));
  w.field("max", h.max());
  w.field("min", h.min());
  w.field("mean", h.mean());
  w.field("stdev", h.stdev());
  w.end_object();
}

} // namespace

void write_counters(json::Writer& w, const Counters& c) {
  w.field("requests", c.requests);
  w.field("bytes", c.bytes);
  w.key("status").begin_object();
  for (const auto& [code, n] : c.status)
    w.field(std::to_string(code), n);
  w.end_object();
  w.key("errors").begin_object();
  w.field("connect", c.errors.connect);
  w.field("read", c.errors.read);
  w.field("write", c.errors.write);
  w.field("timeout", c.errors.timeout);
  w.field("status", c.errors.status);
  w.field("protocol", c.errors.protocol);
  w.field("total", c.errors.total());
  w.field("malformed", c.errors.malformed);
  w.field("failed_responses", c.errors.failed_responses);
  w.end_object();
}

namespace {

std::string status_line(const Counters& c) {
  std::string out;
  for (const auto& [code, n] : c.status)
    out += (out.empty() ? "" : "  ") + std::to_string(code) + "=" + std::to_string(n);
  return out.empty() ? "(none)" : out;
}

// Every response is recorded in both, so an empty uncorrected beside a non-empty corrected means
// it was not measured (merged from a log of another tool, or of an older konform for a step):
// the JSON leaves it out instead of reporting zeros.
bool measured_uncorrected(const Histogram& corrected, const Histogram& uncorrected) {
  return uncorrected.total_count() > 0 || corrected.total_count() == 0;
}

} // namespace

std::string format_latency(double us) {
  if (us < 1000) return printf_string("%.0fus", us);
  if (us < 1'000'000) return printf_string("%.2fms", us / 1000);
  return printf_string("%.2fs", us / 1'000'000);
}

std::string summary_text(const LoadResult& r) {
  std::string out;
  std::string settings;
  for (const auto& s : r.settings)
    settings += (settings.empty() ? "" : " ") + s;
  out += r.tool + ": " + settings + "\n";
  out += printf_string("  %-10s %12s %12s%s\n", "Latency", r.open_model ? "corrected" : "latency",
                       r.open_model ? "uncorrected" : "",
                       r.open_model ? "   (corrected = from the intended send time)" : "");
  auto row = [&](const char* label, double a, double b) {
    out += printf_string("  %-10s %12s %12s\n", label, format_latency(a).c_str(),
                         r.open_model ? format_latency(b).c_str() : "");
  };
  for (const auto& p : reported)
    row(p.label, static_cast<double>(r.corrected.value_at_percentile(p.p)),
        static_cast<double>(r.uncorrected.value_at_percentile(p.p)));
  row("max", static_cast<double>(r.corrected.max()), static_cast<double>(r.uncorrected.max()));
  row("mean", r.corrected.mean(), r.uncorrected.mean());
  row("stdev", r.corrected.stdev(), r.uncorrected.stdev());
  if (r.open_model) {
    out +=
        printf_string("  Schedule lag (actual - intended send): p50 %s  p99 %s  p99.9 %s  max %s\n",
                      format_latency(static_cast<double>(r.lag.value_at_percentile(50))).c_str(),
                      format_latency(static_cast<double>(r.lag.value_at_percentile(99))).c_str(),
                      format_latency(static_cast<double>(r.lag.value_at_percentile(99.9))).c_str(),
                      format_latency(static_cast<double>(r.lag.max())).c_str());
    out += printf_string("  Sends: %llu sent, %llu late (> 1 ms behind schedule), %llu dropped\n",
                         static_cast<unsigned long long>(r.sent),
                         static_cast<unsigned long long>(r.late),
                         static_cast<unsigned long long>(r.dropped));
  }
  out += printf_string("  %llu requests in %.2fs, %s read\n",
                       static_cast<unsigned long long>(r.counters.requests), r.duration_s,
                       human_bytes(static_cast<double>(r.counters.bytes)).c_str());
  out +=
      printf_string("Requests/sec: %12.2f%s\n", r.rps(),
                    r.open_model ? printf_string("   (target %.2f)", r.target_rate).c_str() : "");
  out += printf_string("Transfer/sec: %12s\n", human_bytes(r.bytes_per_second()).c_str());
  out += "  Status codes: " + status_line(r.counters) + "\n";
  const auto& e = r.counters.errors;
  out += printf_string(
      "  Errors: connect %llu, read %llu, write %llu, timeout %llu, status>=400 "
      "%llu, protocol %llu (error rate %.3f%%: %llu failed of %llu attempted)\n",
      static_cast<unsigned long long>(e.connect), static_cast<unsigned long long>(e.read),
      static_cast<unsigned long long>(e.write), static_cast<unsigned long long>(e.timeout),
      static_cast<unsigned long long>(e.status), static_cast<unsigned long long>(e.protocol),
      100.0 * r.error_rate(), static_cast<unsigned long long>(r.failed()),
      static_cast<unsigned long long>(r.attempted()));
  if (e.malformed > 0) {
    out += printf_string("  Malformed: %llu answers were no %s response (in protocol)\n",
                         static_cast<unsigned long long>(e.malformed),
                         r.http2 ? "valid HTTP/2" : "HTTP/1.x");
    for (const auto& ex : r.malformed_examples)
      out += "    " + ex + "\n";
  }
  if (r.unfinished > 0)
    out += printf_string(
        "  Unfinished: %llu requests still unanswered when the duration ended (abandoned: not "
        "errors, in no latency)\n",
        static_cast<unsigned long long>(r.unfinished));
  if (r.validated > 0 || r.violations > 0) {
    out += printf_string("  Validation: %llu sampled responses, %llu with protocol violations\n",
                         static_cast<unsigned long long>(r.validated),
                         static_cast<unsigned long long>(r.violations));
    for (const auto& ex : r.violation_examples)
      out += "    " + ex + "\n";
  }
  if (r.steps.size() > 1 || (!r.steps.empty() && r.steps[0].stream.streams > 0)) {
    // The open model's steps also show the uncorrected p99: the server's share of the corrected.
    const bool both = r.open_model;
    out +=
        printf_string("  %-36s %10s %10s %10s %10s %10s %10s %8s%s\n", "Step", "requests", "req/s",
                      "p50", "p99", "p99.9", "max", "errors", both ? "  uncorrected p99" : "");
    for (const auto& s : r.steps) {
      const double rps =
          r.duration_s > 0 ? static_cast<double>(s.counters.requests) / r.duration_s : 0;
      std::string uncorrected_p99;
      if (both)
        uncorrected_p99 = printf_string(
            "  %15s",
            measured_uncorrected(s.corrected, s.uncorrected)
                ? format_latency(static_cast<double>(s.uncorrected.value_at_percentile(99))).c_str()
                : "-");
      const auto name_lines = wrap_words(s.name, 36);
      std::size_t next_line = 0;
      if (name_lines.front().size() > 36) // one long word: alone, the numbers below it
        out += "  " + name_lines[next_line++] + "\n";
      const std::string first = next_line < name_lines.size() && name_lines[next_line].size() <= 36
                                    ? name_lines[next_line++]
                                    : std::string();
      out += printf_string(
          "  %-36s %10llu %10.1f %10s %10s %10s %10s %8llu%s\n", first.c_str(),
          static_cast<unsigned long long>(s.counters.requests), rps,
          format_latency(static_cast<double>(s.corrected.value_at_percentile(50))).c_str(),
          format_latency(static_cast<double>(s.corrected.value_at_percentile(99))).c_str(),
          format_latency(static_cast<double>(s.corrected.value_at_percentile(99.9))).c_str(),
          format_latency(static_cast<double>(s.corrected.max())).c_str(),
          static_cast<unsigned long long>(s.counters.errors.total()), uncorrected_p99.c_str());
      for (; next_line < name_lines.size(); ++next_line)
        out += "  " + name_lines[next_line] + "\n";
      if (s.stream.streams > 0)
        out += printf_string(
            "    streams %llu: time to first row p50 %s p99 %s, %llu rows, %.1f rows/s per "
            "stream\n",
            static_cast<unsigned long long>(s.stream.streams),
            format_latency(static_cast<double>(s.stream.time_to_first_row.value_at_percentile(50)))
                .c_str(),
            format_latency(static_cast<double>(s.stream.time_to_first_row.value_at_percentile(99)))
                .c_str(),
            static_cast<unsigned long long>(s.stream.rows), s.stream.rows_per_second());
    }
  }
  return out;
}

std::string to_json(const LoadResult& r) {
  std::string out;
  json::Writer w(out, 2);
  w.begin_object();
  w.field("version", LoadResult::json_version);
  w.field("tool", r.tool);
  w.key("settings").begin_object();
  for (const auto& s : r.settings) {
    const auto eq = s.find('=');
    w.field(s.substr(0, eq), eq == std::string::npos ? std::string() : s.substr(eq + 1));
  }
  w.end_object();
  w.field("model", r.open_model ? "open" : "closed");
  w.field("duration_s", r.duration_s);
  w.field("rps", r.rps());
  w.field("target_rps", r.target_rate);
  w.field("bytes_per_s", r.bytes_per_second());
  write_counters(w, r.counters);
  w.field("error_rate", r.error_rate());
  w.field("attempted", r.attempted());
  w.field("failed", r.failed());
  w.key("latency_us").begin_object();
  w.key("corrected");
  latency_object(w, r.corrected);
  if (measured_uncorrected(r.corrected, r.uncorrected)) {
    w.key("uncorrected");
    latency_object(w, r.uncorrected);
  }
  w.end_object();
  w.key("schedule_lag_us");
  latency_object(w, r.lag);
  w.field("sent", r.sent);
  w.field("late", r.late);
  w.field("dropped", r.dropped);
  w.field("unfinished", r.unfinished);
  w.key("malformed_examples").begin_array();
  for (const auto& e : r.malformed_examples)
    w.string(e);
  w.end_array();
  w.key("validation").begin_object();
  w.field("sampled", r.validated);
  w.field("with_violations", r.violations);
  w.key("examples").begin_array();
  for (const auto& e : r.violation_examples)
    w.string(e);
  w.end_array();
  w.end_object();
  w.key("steps").begin_array();
  for (const auto& s : r.steps) {
    w.begin_object();
    w.field("name", s.name);
    w.field("rps", r.duration_s > 0 ? static_cast<double>(s.counters.requests) / r.duration_s : 0);
    write_counters(w, s.counters);
    w.key("latency_us").begin_object();
    w.key("corrected");
    latency_object(w, s.corrected);
    if (measured_uncorrected(s.corrected, s.uncorrected)) {
      w.key("uncorrected");
      latency_object(w, s.uncorrected);
    }
    w.end_object();
    if (s.stream.streams > 0) {
      w.key("stream").begin_object();
      w.field("streams", s.stream.streams);
      w.field("rows", s.stream.rows);
      w.field("rows_per_s_per_stream", s.stream.rows_per_second());
      w.key("time_to_first_row_us");
      latency_object(w, s.stream.time_to_first_row);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += "\n";
  return out;
}

std::string no_response_diagnosis(const LoadResult& r, const std::string& origin) {
  const auto& e = r.counters.errors;
  if (r.counters.requests > 0 || (e.total() == 0 && r.unfinished == 0)) return {};
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  if (e.malformed > 0) {
    std::string out = "no valid HTTP response from " + origin + ": " + n(e.malformed) +
                      (r.http2 ? " answers were not valid HTTP/2" : " answers were not HTTP/1.x");
    if (!r.malformed_examples.empty()) out += " (" + r.malformed_examples.front() + ")";
    if (r.http2)
      return out + "; does the port speak HTTP/2 (h2c with prior knowledge over http://, ALPN h2 "
                   "over https://)? Drop --http2 for an HTTP/1.1 server";
    return out + "; is the port an HTTP/1.1 server (not https, not HTTP/2 only)?";
  }
  std::string what;
  auto add = [&](std::uint64_t v, const char* label) {
    if (v > 0) what += (what.empty() ? "" : ", ") + n(v) + " " + label;
  };
  add(e.connect, "connect errors");
  add(e.write, "write errors");
  add(e.read, "connections closed or reset before a whole response");
  add(e.timeout, "timeouts (--timeout)");
  add(r.unfinished, "requests unanswered when the duration ended");
  const char* hint = "the target accepts connections but does not answer in time";
  if (e.connect == e.unanswered() && r.unfinished == 0)
    hint = "is the target running?";
  else if (e.timeout == 0 && r.unfinished == 0 && e.read > 0)
    hint = "the target closes connections before a whole response";
  return "no response at all from " + origin + " (" + what + "); " + hint;
}

std::string live_line(const LiveSample& s) {
  if (s.warming_up) return printf_string("[%6.1fs] warming up", s.elapsed_s);
  std::string rate = printf_string("%.0f req/s", s.achieved_rps);
  if (s.target_rps > 0) rate += printf_string(" (target %.0f)", s.target_rps);
  return printf_string("[%6.1fs] %s  p50 %s  p99 %s  requests %llu  errors %llu", s.elapsed_s,
                       rate.c_str(), format_latency(static_cast<double>(s.p50_us)).c_str(),
                       format_latency(static_cast<double>(s.p99_us)).c_str(),
                       static_cast<unsigned long long>(s.requests),
                       static_cast<unsigned long long>(s.errors));
}

} // namespace konform::load
