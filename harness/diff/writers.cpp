#include "diff/writers.h"

#include "json/writer.h"
#include "report/writers.h"

#include <cstdio>
#include <map>

namespace konform::diff {

std::string format_ms(std::chrono::microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

namespace {

double ratio(const StepDiff& s) {
  if (s.baseline_p50.count() <= 0) return 0;
  return static_cast<double>(s.candidate_p50.count()) / static_cast<double>(s.baseline_p50.count());
}

std::string percent(double rate) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", rate * 100);
  return buf;
}

std::string step_details(const StepDiff& s) {
  std::string out;
  for (const auto& d : s.differences)
    out += d.path + ": baseline " + d.first + ", candidate " + d.second + " (" + d.message + ")\n";
  for (const auto& f : s.candidate_violations)
    out += "candidate violates the protocol: " + f.rule + (f.path.empty() ? "" : " at " + f.path) +
           ": " + f.message + "\n";
  for (const auto& n : s.notes)
    out += n + "\n";
  return out;
}

} // namespace

std::string console_step(const StepDiff& s) {
  char latency[96];
  std::snprintf(latency, sizeof latency, "p50 %s / %s", format_ms(s.baseline_p50).c_str(),
                format_ms(s.candidate_p50).c_str());
  std::string out = std::string(s.failed() ? "  DIFF " : "  ok   ") + s.scenario + " / " + s.step +
                    "  (" + latency + ")\n";
  if (!s.failed()) return out;
  std::size_t shown = 0;
  for (const auto& d : s.differences) {
    if (shown++ == 5) {
      out += "         ... and " + std::to_string(s.differences.size() - 5) + " more paths\n";
      break;
    }
    out += "         " + d.path + ": " + d.first + " → " + d.second + "\n";
  }
  for (const auto& f : s.candidate_violations)
    out += "         candidate violates " + f.rule + ": " + f.message + "\n";
  out += "         client-request-id baseline " + s.baseline_request_id + ", candidate " +
         s.candidate_request_id + "\n";
  return out;
}

std::string console_summary(const DiffResult& r) {
  std::string out;
  std::size_t beyond = 0;
  for (const auto& g : r.groups)
    beyond += g.noise ? 0 : 1;
  if (beyond > 0) {
    out += "\nDifferences beyond noise, by path (" + std::to_string(beyond) + "):\n";
    for (const auto& g : r.groups) {
      if (g.noise) continue;
      out += "  DIFF  " + std::to_string(g.count) + "× " + g.path + "\n";
      for (const auto& e : g.examples)
        out += "        " + e.scenario + " / " + e.step + ": " + e.baseline + " → " + e.candidate +
               "  [" + e.baseline_request_id + " | " + e.candidate_request_id + "]\n";
    }
  }
  // Noise that differed on the candidate too: one line each, the first ones only (all of them
  // are in the JSON and HTML reports).
  std::size_t shown = 0, noisy = r.groups.size() - beyond;
  if (noisy > 0) out += "\nWithin noise (" + std::to_string(noisy) + " paths):\n";
  for (const auto& g : r.groups) {
    if (!g.noise) continue;
    if (shown++ == 10) {
      out += "  ... and " + std::to_string(noisy - 10) + " more (see --json or --html)\n";
      break;
    }
    out += "  noise " + std::to_string(g.count) + "× " + g.path + "  (baseline differs " +
           percent(g.noise_rate) + ")\n";
  }
  if (!r.noise.empty())
    out += "Noise: " + std::to_string(r.noise.size()) + " paths" +
           (r.baseline2.empty() ? " (baseline asked " + std::to_string(r.repeat) + " times" +
                                      (r.repeat < 2 ? ", or from --noise)" : ")")
                                : " (baseline vs baseline2)") +
           "\n";
  for (const auto& b : r.bad_input)
    out += "bad input: " + b + "\n";
  if (!r.runtime_error.empty()) out += "error: " + r.runtime_error + "\n";
  out += "\n" + std::to_string(r.steps.size()) + " steps, " + std::to_string(r.failed_steps()) +
         " differ beyond noise or violate the protocol on the candidate — " + r.verdict() + "\n";
  return out;
}

std::string json_report(const DiffResult& r) {
  std::string out;
  json::Writer w(out, 2);
  w.begin_object();
  w.field("format", "konform-diff-report");
  w.field("version", kDiffReportVersion);
  w.field("verdict", r.verdict());
  w.field("startedAt", r.started_at);
  w.field("durationMs", static_cast<double>(r.duration.count()) / 1000.0);
  w.field("baseline", r.baseline);
  w.field("baseline2", r.baseline2);
  w.field("candidate", r.candidate);
  w.field("repeat", r.repeat);
  w.field("protocolDefaults", r.protocol_defaults);
  if (!r.runtime_error.empty()) w.field("runtimeError", r.runtime_error);
  w.key("badInput").begin_array();
  for (const auto& b : r.bad_input)
    w.string(b);
  w.end_array();
  w.key("totals").begin_object();
  w.field("steps", static_cast<std::int64_t>(r.steps.size()));
  w.field("failed", static_cast<std::int64_t>(r.failed_steps()));
  w.end_object();
  w.key("groups").begin_array();
  for (const auto& g : r.groups) {
    w.begin_object();
    w.field("path", g.path);
    w.field("count", static_cast<std::int64_t>(g.count));
    w.field("noise", g.noise);
    w.field("noiseRate", g.noise_rate);
    w.key("examples").begin_array();
    for (const auto& e : g.examples) {
      w.begin_object();
      w.field("scenario", e.scenario);
      w.field("step", e.step);
      w.field("baseline", e.baseline);
      w.field("candidate", e.candidate);
      w.field("baselineRequestId", e.baseline_request_id);
      w.field("candidateRequestId", e.candidate_request_id);
      w.field("message", e.message);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("noise").begin_array();
  for (const auto& n : r.noise) {
    w.begin_object();
    w.field("path", n.path);
    w.field("rate", n.rate);
    w.field("steps", static_cast<std::int64_t>(n.steps));
    w.field("fromFile", n.from_file);
    w.end_object();
  }
  w.end_array();
  w.key("steps").begin_array();
  for (const auto& s : r.steps) {
    w.begin_object();
    w.field("scenario", s.scenario);
    w.field("file", s.file);
    w.field("name", s.step);
    w.field("location", s.location);
    w.field("outcome", s.failed() ? "failed" : "passed");
    w.field("compared", static_cast<std::int64_t>(s.compared));
    w.field("differing", static_cast<std::int64_t>(s.differing));
    w.field("baselineRequestId", s.baseline_request_id);
    w.field("candidateRequestId", s.candidate_request_id);
    w.field("baselineP50Ms", static_cast<double>(s.baseline_p50.count()) / 1000.0);
    w.field("candidateP50Ms", static_cast<double>(s.candidate_p50.count()) / 1000.0);
    w.field("latencyRatio", ratio(s));
    w.key("differences").begin_array();
    for (const auto& d : s.differences) {
      w.begin_object();
      w.field("path", d.path);
      w.field("rawPath", d.raw_path);
      w.field("baseline", d.first);
      w.field("candidate", d.second);
      w.field("message", d.message);
      w.end_object();
    }
    w.end_array();
    w.key("noisePaths").begin_array();
    for (const auto& p : s.noise_paths)
      w.string(p);
    w.end_array();
    for (auto [name, list] : {std::pair{"candidateViolations", &s.candidate_violations},
                              std::pair{"baselineViolations", &s.baseline_violations}}) {
      w.key(name).begin_array();
      for (const auto& f : *list) {
        w.begin_object();
        w.field("rule", f.rule);
        w.field("path", f.path);
        w.field("message", f.message);
        w.end_object();
      }
      w.end_array();
    }
    w.key("notes").begin_array();
    for (const auto& n : s.notes)
      w.string(n);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += "\n";
  return out;
}

std::string junit_xml(const DiffResult& r) {
  std::map<std::string, std::vector<const StepDiff*>> suites;
  std::vector<std::string> order;
  for (const auto& s : r.steps) {
    if (!suites.count(s.scenario)) order.push_back(s.scenario);
    suites[s.scenario].push_back(&s);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"konform diff\" tests=\"" + std::to_string(r.steps.size()) +
         "\" failures=\"" + std::to_string(r.failed_steps()) + "\">\n";
  for (const auto& name : order) {
    const auto& steps = suites[name];
    std::size_t failed = 0;
    for (const auto* s : steps)
      failed += s->failed() ? 1 : 0;
    out += "  <testsuite name=\"diff." + report::xml_escaped(name) + "\" tests=\"" +
           std::to_string(steps.size()) + "\" failures=\"" + std::to_string(failed) + "\">\n";
    for (const auto* s : steps) {
      char time[32];
      std::snprintf(time, sizeof time, "%.6f", static_cast<double>(s->candidate_p50.count()) / 1e6);
      out += "    <testcase classname=\"diff." + report::xml_escaped(name) + "\" name=\"" +
             report::xml_escaped(s->step) + "\" time=\"" + time + "\">\n";
      if (s->failed())
        out += "      <failure message=\"" +
               report::xml_escaped(
                   std::to_string(s->differences.size()) + " paths differ beyond noise" +
                   (s->candidate_violations.empty() ? ""
                                                    : ", the candidate violates the "
                                                      "protocol")) +
               "\">" + report::xml_escaped(step_details(*s)) + "</failure>\n";
      out += "      <system-out>" +
             report::xml_escaped("client-request-id baseline " + s->baseline_request_id +
                                 ", candidate " + s->candidate_request_id + "\np50 baseline " +
                                 format_ms(s->baseline_p50) + ", candidate " +
                                 format_ms(s->candidate_p50) + "\n") +
             "</system-out>\n";
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  if (!r.runtime_error.empty() || !r.bad_input.empty()) {
    out += "  <testsuite name=\"diff.run\" tests=\"1\" errors=\"1\">\n    <testcase "
           "classname=\"diff.run\" name=\"run\"><error message=\"" +
           report::xml_escaped(r.runtime_error.empty() ? r.bad_input.front() : r.runtime_error) +
           "\"/></testcase>\n  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

} // namespace konform::diff
