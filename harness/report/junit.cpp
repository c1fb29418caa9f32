#include "report/difference.h"
#include "report/writers.h"

#include <cstdio>

namespace konform::report {

// XML 1.0 forbids most control characters even when escaped: they become '?', so that a binary
// response excerpt cannot make the report unreadable for the CI system.
std::string xml_escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
        out += '?';
      else
        out += c;
    }
  }
  return out;
}

namespace {

std::string seconds(std::chrono::microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(us.count()) / 1e6);
  return buf;
}

// The failure text: every failure line, violation and difference, one per line.
std::string details(const StepResult& step) {
  std::string out;
  for (const auto& f : step.failures)
    out += f + "\n";
  for (const auto& f : step.findings)
    if (f.level == "violation")
      out +=
          "protocol " + f.rule + (f.path.empty() ? "" : " at " + f.path) + ": " + f.message + "\n";
  for (const auto& d : step.differences)
    for (const auto& line : difference_lines(d))
      out += line + "\n";
  return out;
}

std::string first_line(const StepResult& step) {
  if (!step.failures.empty()) return step.failures.front();
  for (const auto& f : step.findings)
    if (f.level == "violation") return "protocol violation: " + f.message;
  if (!step.differences.empty())
    return std::to_string(step.differences.size()) + " difference(s) from " + step.golden;
  return "step " + std::string(to_string(step.outcome));
}

} // namespace

std::string junit_xml(const RunResult& run) {
  Totals t = run.totals();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"konform check\" tests=\"" + std::to_string(t.steps + t.bad_files) +
         "\" failures=\"" + std::to_string(t.failed) + "\" errors=\"" +
         std::to_string(t.errors + t.bad_files + (run.runtime_error.empty() ? 0 : 1)) +
         "\" time=\"" + seconds(run.duration) + "\">\n";
  for (const auto& s : run.scenarios) {
    int failures = 0, errors = 0;
    std::chrono::microseconds time{0};
    for (const auto& step : s.steps) {
      failures += step.outcome == Outcome::failed;
      errors += step.outcome == Outcome::error;
      time += step.latency;
    }
    if (!s.bad_input.empty()) errors = 1;
    int tests = s.bad_input.empty() ? static_cast<int>(s.steps.size()) : 1;
    out += "  <testsuite name=\"" + xml_escaped(s.name) + "\" tests=\"" + std::to_string(tests) +
           "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
           "\" skipped=\"0\" time=\"" + seconds(time) + "\"" +
           (run.started_at.empty() ? "" : " timestamp=\"" + xml_escaped(run.started_at) + "\"") +
           ">\n";
    out += "    <properties>\n";
    out += "      <property name=\"file\" value=\"" + xml_escaped(s.file) + "\"/>\n";
    out += "      <property name=\"endpoint\" value=\"" + xml_escaped(s.endpoint) + "\"/>\n";
    out += "      <property name=\"target\" value=\"" + xml_escaped(s.target) + "\"/>\n";
    out += "    </properties>\n";
    if (!s.bad_input.empty()) {
      out += "    <testcase classname=\"" + xml_escaped(s.name) +
             "\" name=\"scenario file\" time=\"0\">\n";
      out += "      <error message=\"invalid scenario file\" type=\"bad-input\">" +
             xml_escaped(s.bad_input) + "</error>\n";
      out += "    </testcase>\n";
    }
    for (const auto& step : s.steps) {
      out += "    <testcase classname=\"" + xml_escaped(s.name) + "\" name=\"" +
             xml_escaped(step.name) + "\" time=\"" + seconds(step.latency) + "\">\n";
      if (step.outcome == Outcome::failed)
        out += "      <failure message=\"" + xml_escaped(first_line(step)) +
               "\" type=\"mismatch\">" + xml_escaped(details(step)) + "</failure>\n";
      else if (step.outcome == Outcome::error)
        out += "      <error message=\"" + xml_escaped(first_line(step)) +
               "\" type=\"bad-input\">" + xml_escaped(details(step)) + "</error>\n";
      out += "      <system-out>" +
             xml_escaped(step.method + " " + step.url + "\nx-ms-client-request-id: " +
                         step.client_request_id + "\nstatus: " + std::to_string(step.status) +
                         (step.golden.empty() ? "" : "\ngolden: " + step.golden)) +
             "</system-out>\n";
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

} // namespace konform::report
