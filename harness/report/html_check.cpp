// `konform check --html`: the run as a page. Written from the same RunResult as the JSON report.
#include "report/difference.h"
#include "report/html.h"
#include "report/writers.h"

#include <cstdio>

namespace konform::report {
namespace {

using html::escaped;

std::string ms(std::chrono::microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Both values with their first differing character in <mark> (the end of the shorter one when
// it is a prefix of the other). "(missing)" on either side has no character to mark.
std::pair<std::string, std::string> marked(const std::string& e, const std::string& a) {
  if (e == "(missing)" || a == "(missing)") return {escaped(e), escaped(a)};
  std::size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i])
    ++i;
  while (i > 0 && ((i < e.size() && continuation(e[i])) || (i < a.size() && continuation(a[i]))))
    --i;
  auto mark = [i](const std::string& s) {
    if (i >= s.size()) return escaped(s) + "<mark title=\"ends here\">&#8203;</mark>";
    std::size_t n = 1;
    while (i + n < s.size() && continuation(s[i + n]))
      ++n;
    return escaped(s.substr(0, i)) + "<mark>" + escaped(s.substr(i, n)) + "</mark>" +
           escaped(s.substr(i + n));
  };
  return {mark(e), mark(a)};
}

std::string headers_table(const HeaderList& headers) {
  if (headers.empty()) return "<p class=\"meta\">(no headers)</p>";
  std::string out = "<table class=\"headers mono\">";
  for (const auto& [name, value] : headers)
    out += "<tr><th>" + escaped(name) + "</th><td>" + escaped(value) + "</td></tr>";
  return out + "</table>";
}

// The first failed steps' details are markup; later ones are built as they scroll into view,
// so a run where every step failed still opens at once.
constexpr int kEagerDetails = 50;

// What a failed step shows: its id, failures, differences, findings, and the request and
// response folded (built when opened).
std::string step_detail(const StepResult& step, html::Deferred& deferred) {
  std::string out;
  out += "<div>client-request-id <code class=\"crid\">" + escaped(step.client_request_id) +
         "</code></div>";
  if (!step.location.empty())
    out += "<div class=\"meta\">" + escaped(step.location) +
           (step.golden.empty() ? "" : " &middot; golden " + escaped(step.golden)) + "</div>";
  if (!step.failures.empty()) {
    out += "<ul class=\"failures\">";
    for (const auto& f : step.failures)
      out += "<li>" + escaped(f) + "</li>";
    out += "</ul>";
  }
  if (!step.differences.empty()) {
    out += "<table class=\"diff\"><tr><th>path</th><th>expected</th><th>actual</th></tr>";
    for (const auto& d : step.differences) {
      auto [e, a] = marked(d.expected, d.actual);
      std::string where = escaped(d.path.empty() ? "$" : d.path);
      std::string note;
      if (auto colon = d.message.find(": expected "); colon != std::string::npos)
        note = "<div class=\"meta\">" + escaped(d.message.substr(0, colon)) + "</div>";
      else if (!d.message.empty() && d.message.rfind("expected ", 0) != 0)
        note = "<div class=\"meta\">" + escaped(d.message) + "</div>";
      if (auto m = string_mismatch(d, 0))
        note +=
            "<div class=\"meta\">" +
            (m->beyond_excerpt ? "differs after character " + std::to_string(m->position - 1)
                               : "first difference at character " + std::to_string(m->position)) +
            "</div>";
      out += "<tr class=\"difference\"><td class=\"path\">" + where + note + "</td><td>" + e +
             "</td><td>" + a + "</td></tr>";
    }
    out += "</table>";
  }
  bool any_finding = false;
  for (const auto& f : step.findings) {
    if (!any_finding) out += "<ul class=\"findings\">";
    any_finding = true;
    out += "<li class=\"" + escaped(f.level) + "\"><b>" + escaped(f.level) + "</b> <code>" +
           escaped(f.rule) + "</code>" +
           (f.path.empty() ? "" : " at <code>" + escaped(f.path) + "</code>") + ": " +
           escaped(f.message) + "</li>";
  }
  if (any_finding) out += "</ul>";
  const Exchange& x = step.exchange;
  out += deferred.details(
      "request", "request: " + escaped(step.method) + " " + escaped(step.url),
      headers_table(x.request_headers) + "<pre>" + html::body_text(x.request_body) + "</pre>" +
          (x.request_body_cut ? "<p class=\"warn\">body cut at 256 KiB</p>" : ""));
  // A Kusto response whose tables differ: the tables themselves, the differing cells marked.
  if (!step.differences.empty() && !x.response_body.empty()) {
    std::vector<std::string> paths;
    for (const auto& d : step.differences)
      paths.push_back(d.path);
    std::string tables = html::kusto_tables(x.response_body, paths);
    if (!tables.empty())
      out += "<details class=\"tables\" open><summary>tables of the response</summary>" + tables +
             "</details>";
  }
  out += deferred.details(
      "response",
      "response: " + (step.status ? std::to_string(step.status) : std::string("no response")),
      headers_table(x.response_headers) + "<pre>" + html::body_text(x.response_body) + "</pre>" +
          (x.response_body_cut ? "<p class=\"warn\">body cut at 256 KiB</p>" : ""));
  return out;
}

constexpr std::string_view kScript = R"(
var box=document.getElementById("failed-only");
function apply(){document.body.classList.toggle("failed-only",box.checked);}
// "#failed" in the address opens the page filtered (a link a CI job can post); it combines with
// "#expanded" as "#failed,expanded".
if(/\bfailed\b/.test(location.hash))box.checked=true;
box.addEventListener("change",apply);apply();
)";

} // namespace

std::string html_report(const RunResult& run) {
  Totals t = run.totals();
  std::string verdict = run.verdict();
  html::Deferred deferred;
  int failed_shown = 0;
  std::string b;
  b += "<h1>konform check <span class=\"verdict " + escaped(verdict) + "\" id=\"verdict\">" +
       escaped(verdict) + "</span></h1>\n";
  b += "<div class=\"meta\">started " + escaped(run.started_at) + " &middot; " + ms(run.duration) +
       (run.embedded_endpoint ? " &middot; embedded endpoint" : "") + "</div>\n";
  if (!run.runtime_error.empty())
    b += "<p class=\"warn\">runtime failure: " + escaped(run.runtime_error) + "</p>\n";
  auto segment = [&](const char* cls, int n) {
    if (n == 0 || t.steps == 0) return std::string();
    char w[32];
    std::snprintf(w, sizeof w, "%.3f%%", 100.0 * n / t.steps);
    return "<span class=\"" + std::string(cls) + "\" style=\"width:" + w + "\" title=\"" +
           std::to_string(n) + " " + cls + "\"></span>";
  };
  b += "<div class=\"bar\" id=\"summary-bar\">" + segment("passed", t.passed) +
       segment("failed", t.failed) + segment("error", t.errors) + segment("updated", t.updated) +
       "</div>\n";
  b += "<div class=\"counts\"><span>" + std::to_string(t.steps) + " steps in " +
       std::to_string(t.scenarios) + " scenarios</span><span>" + std::to_string(t.passed) +
       " passed</span><span>" + std::to_string(t.failed) + " failed</span><span>" +
       std::to_string(t.errors) + " errors</span>" +
       (t.updated ? "<span>" + std::to_string(t.updated) + " golden files written</span>" : "") +
       "<span>" + std::to_string(t.bad_files) + " bad files</span>" +
       "<label><input type=\"checkbox\" id=\"failed-only\"> failed only</label></div>\n";
  for (const auto& s : run.scenarios) {
    bool all_passed = s.bad_input.empty();
    for (const auto& step : s.steps)
      all_passed &= step.outcome == Outcome::passed || step.outcome == Outcome::updated;
    b += std::string("<section class=\"card scenario") + (all_passed ? " all-passed" : "") +
         "\">\n<h2>" + escaped(s.name.empty() ? s.file : s.name) + "</h2>\n<div class=\"meta\">" +
         escaped(s.file) +
         (s.endpoint.empty() ? "" : " &middot; " + escaped(s.endpoint) + " " + escaped(s.target)) +
         "</div>\n";
    if (!s.bad_input.empty())
      b += "<p><span class=\"badge error\">BAD</span> this file could not be used</p><pre>" +
           escaped(s.bad_input) + "</pre>\n";
    if (!s.steps.empty()) {
      b += "<table class=\"steps\"><tr><th>outcome</th><th>step</th><th>status</th>"
           "<th class=\"num\">latency</th><th></th></tr>\n";
      for (const auto& step : s.steps) {
        std::string o(to_string(step.outcome));
        b += "<tr class=\"step " + o + "\"><td><span class=\"badge " + o + "\">" + o +
             "</span></td><td class=\"step-name\">" + escaped(step.name) + "</td><td>" +
             (step.status ? std::to_string(step.status) : std::string("&mdash;")) +
             "</td><td class=\"num\">" + ms(step.latency) + "</td><td></td></tr>\n";
        if (step.outcome == Outcome::failed || step.outcome == Outcome::error) {
          std::string detail = step_detail(step, deferred);
          b += "<tr class=\"detail-row\"><td></td><td colspan=\"4\">" +
               (failed_shown++ < kEagerDetails ? "<div class=\"detail\">" + detail + "</div>"
                                               : deferred.on_view("detail", std::move(detail))) +
               "</td></tr>\n";
        }
      }
      b += "</table>\n";
    }
    b += "</section>\n";
  }
  b += deferred.data_block();
  return html::page("konform check: " + verdict, b, "",
                    std::string(html::kDeferredScript) + std::string(kScript));
}

} // namespace konform::report
