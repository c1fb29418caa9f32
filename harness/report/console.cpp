#include "report/difference.h"
#include "report/writers.h"

#include <cstdio>

namespace konform::report {
namespace {

std::string milliseconds(std::chrono::microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Long values (whole tables) would drown the excerpt: the JSON report has them in full.
std::string excerpt(const std::string& s, std::size_t max = 160) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "...";
}

std::string_view label(Outcome o) {
  switch (o) {
  case Outcome::passed:
    return "PASS ";
  case Outcome::failed:
    return "FAIL ";
  case Outcome::error:
    return "ERROR";
  case Outcome::updated:
    return "WROTE";
  }
  return "ERROR";
}

} // namespace

std::string console_scenario(const ScenarioResult& scenario, const ConsoleOptions& options) {
  std::string out;
  if (!scenario.bad_input.empty()) {
    out += "BAD   " + scenario.file + "\n";
    std::size_t start = 0;
    while (start < scenario.bad_input.size()) {
      std::size_t end = scenario.bad_input.find('\n', start);
      if (end == std::string::npos) end = scenario.bad_input.size();
      out += "      " + scenario.bad_input.substr(start, end - start) + "\n";
      start = end + 1;
    }
    return out;
  }
  out += scenario.name + " (" + scenario.file + ", " + scenario.endpoint + " " + scenario.target +
         ")\n";
  for (const auto& step : scenario.steps) {
    out += "  " + std::string(label(step.outcome)) + " " + pad(step.name, 40) + " " +
           (step.status ? std::to_string(step.status) : std::string("---")) + "  " +
           milliseconds(step.latency) + "\n";
    if (step.outcome == Outcome::passed) continue;
    if (step.outcome == Outcome::updated) {
      out += "        golden " + step.golden + "\n";
      continue;
    }
    out += "        client-request-id " + step.client_request_id + "\n";
    for (const auto& f : step.failures)
      out += "        " + excerpt(f, 300) + "\n";
    for (const auto& f : step.findings)
      if (f.level == "violation")
        out += "        protocol " + f.rule + (f.path.empty() ? "" : " at " + f.path) + ": " +
               f.message + "\n";
    std::size_t shown = 0;
    for (const auto& d : step.differences) {
      if (shown == options.max_differences) break;
      ++shown;
      for (const auto& line : difference_lines(d))
        out += "        " + line + "\n";
    }
    if (step.differences.size() > shown)
      out += "        ... and " + std::to_string(step.differences.size() - shown) +
             " more differences (all of them are in the --json report)\n";
  }
  return out;
}

std::string console_summary(const RunResult& run) {
  Totals t = run.totals();
  std::string out;
  if (!run.runtime_error.empty()) out += "runtime failure: " + run.runtime_error + "\n";
  out += std::to_string(t.steps) + " steps in " + std::to_string(t.scenarios) +
         " scenarios: " + std::to_string(t.passed) + " passed, " + std::to_string(t.failed) +
         " failed, " + std::to_string(t.errors) + " errors";
  if (t.updated) out += ", " + std::to_string(t.updated) + " golden files written";
  out += "; " + std::to_string(t.bad_files) + (t.bad_files == 1 ? " bad file" : " bad files");
  out += " (" + milliseconds(run.duration) + ")\n";
  std::string verdict = run.verdict();
  if (verdict == "passed")
    out += "PASSED\n";
  else if (verdict == "failed")
    out += "FAILED: " + std::to_string(t.failed) + " step(s) failed\n";
  else if (verdict == "bad-input")
    out += "FAILED: bad input (see the messages above)\n";
  else
    out += "FAILED: runtime failure\n";
  return out;
}

} // namespace konform::report
