// `konform diff --html`: the run as one self-contained page, in the style of check's report
// (report/html.h): summary, grouped paths with noise marked and examples, steps with latencies.
#include "diff/writers.h"
#include "report/html.h"

#include <cstdio>

namespace konform::diff {
namespace {

using report::html::escaped;

constexpr std::string_view kCss = R"(
tr.noise td{color:var(--mute)}
.noise-mark{display:inline-block;font-size:11px;font-weight:600;border-radius:3px;padding:0 5px;background:#9e9e9e;color:#fff}
.diff-mark{display:inline-block;font-size:11px;font-weight:600;border-radius:3px;padding:0 5px;background:var(--fail);color:#fff}
td.ratio.slower{color:var(--fail);font-weight:600}
ul.examples{margin:2px 0 4px 16px;padding:0}
table.groups th:nth-child(1){width:30%}table.groups th:nth-child(2){width:90px}
table.groups th:nth-child(3){width:110px}
)";

std::string percent(double rate) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", rate * 100);
  return buf;
}

std::string groups(const DiffResult& r) {
  std::string out = "<section class=\"card groups\"><h2>Differences by path</h2>";
  if (r.groups.empty()) return out + "<p class=\"meta\">No differences at all.</p></section>";
  out += "<table class=\"diff groups\"><tr><th>path</th><th class=\"num\">responses</th>"
         "<th>kind</th><th>examples (baseline → candidate, client-request-ids)</th></tr>";
  // Differences beyond noise first (each sorted by count), then the noise with one example.
  std::vector<const Group*> ordered;
  for (bool noise : {false, true})
    for (const auto& g : r.groups)
      if (g.noise == noise) ordered.push_back(&g);
  for (const Group* gp : ordered) {
    const Group& g = *gp;
    out += std::string("<tr class=\"group ") + (g.noise ? "noise" : "beyond") +
           "\"><td class=\"path\">" + escaped(g.path) + "</td><td class=\"num\">" +
           std::to_string(g.count) + "</td><td>";
    out += g.noise ? "<span class=\"noise-mark\" title=\"the baseline differs from itself here " +
                         percent(g.noise_rate) + " of the time\">noise " + percent(g.noise_rate) +
                         "</span>"
                   : std::string("<span class=\"diff-mark\">difference</span>");
    out += "</td><td><ul class=\"examples\">";
    for (std::size_t i = 0; i < g.examples.size() && (i == 0 || !g.noise); ++i) {
      const Example& e = g.examples[i];
      out += "<li>" + escaped(e.scenario + " / " + e.step) + ": <code>" + escaped(e.baseline) +
             "</code> → <code>" + escaped(e.candidate) + "</code> <span class=\"meta\"><code " +
             "class=\"crid\">" + escaped(e.baseline_request_id) + "</code> | <code " +
             "class=\"crid\">" + escaped(e.candidate_request_id) + "</code></span></li>";
    }
    out += "</ul></td></tr>";
  }
  return out + "</table></section>";
}

std::string steps(const DiffResult& r) {
  std::string out = "<section class=\"card\"><h2>Steps</h2><table class=\"diff-steps\"><tr>"
                    "<th></th><th>scenario / step</th><th class=\"num\">p50 baseline</th>"
                    "<th class=\"num\">p50 candidate</th><th class=\"num\">ratio</th>"
                    "<th>differences beyond noise</th></tr>";
  for (const auto& s : r.steps) {
    double ratio = s.baseline_p50.count() > 0 ? static_cast<double>(s.candidate_p50.count()) /
                                                    static_cast<double>(s.baseline_p50.count())
                                              : 0;
    char rbuf[32];
    std::snprintf(rbuf, sizeof rbuf, "%.2f×", ratio);
    out += std::string("<tr class=\"step ") + (s.failed() ? "failed" : "passed") +
           "\"><td><span class=\"badge " + (s.failed() ? "failed\">DIFF" : "passed\">same") +
           "</span></td><td>" + escaped(s.scenario) + " / <span class=\"step-name\">" +
           escaped(s.step) + "</span></td><td class=\"num\">" + format_ms(s.baseline_p50) +
           "</td><td class=\"num\">" + format_ms(s.candidate_p50) + "</td><td class=\"num ratio" +
           (ratio > 1.5 ? " slower" : "") + "\">" + rbuf + "</td><td>";
    for (const auto& d : s.differences)
      out += "<div class=\"mono\">" + escaped(d.path) + ": " + escaped(d.first) + " → " +
             escaped(d.second) + "</div>";
    for (const auto& f : s.candidate_violations)
      out += "<div class=\"warn\">candidate violates " + escaped(f.rule) + ": " +
             escaped(f.message) + "</div>";
    for (const auto& n : s.notes)
      out += "<div class=\"meta\">" + escaped(n) + "</div>";
    out += "</td></tr>";
  }
  return out + "</table></section>";
}

std::string noise(const DiffResult& r) {
  std::string out = "<section class=\"card\"><h2>Noise</h2><p class=\"meta\">";
  out += r.baseline2.empty()
             ? "Learned by asking the baseline " + std::to_string(r.repeat) + " times"
             : "Learned from the second baseline " + escaped(r.baseline2);
  out += "; a path here is not a regression where it differs.</p><table class=\"noise\"><tr>"
         "<th>path</th><th class=\"num\">rate</th><th class=\"num\">steps</th><th></th></tr>";
  for (const auto& n : r.noise)
    out += "<tr><td class=\"path mono\">" + escaped(n.path) + "</td><td class=\"num\">" +
           percent(n.rate) + "</td><td class=\"num\">" + std::to_string(n.steps) + "</td><td>" +
           (n.from_file ? "noise file" : "learned") + "</td></tr>";
  return out + "</table></section>";
}

} // namespace

std::string html_report(const DiffResult& r) {
  std::string verdict = r.verdict();
  std::size_t beyond = 0;
  for (const auto& g : r.groups)
    beyond += g.noise ? 0 : 1;
  std::string body = "<h1>konform diff <span class=\"verdict " + escaped(verdict) + "\">" +
                     escaped(verdict) + "</span></h1>";
  body += "<p class=\"meta\">baseline " + escaped(r.baseline) + " &middot; candidate " +
          escaped(r.candidate) + " &middot; started " + escaped(r.started_at) + "</p>";
  body += "<p class=\"counts summary\"><span>" + std::to_string(r.steps.size()) +
          " steps</span><span>" + std::to_string(r.failed_steps()) + " differ</span><span>" +
          std::to_string(beyond) + " paths beyond noise</span><span>" +
          std::to_string(r.noise.size()) + " noise paths</span></p>";
  if (!r.runtime_error.empty()) body += "<p class=\"warn\">" + escaped(r.runtime_error) + "</p>";
  for (const auto& b : r.bad_input)
    body += "<p class=\"warn\">bad input: " + escaped(b) + "</p>";
  body += groups(r) + steps(r) + noise(r);
  return report::html::page("konform diff", body, kCss);
}

} // namespace konform::diff
