#include "json/writer.h"
#include "report/writers.h"

namespace konform::report {

std::string json_report(const RunResult& run) {
  std::string out;
  json::Writer w(out, 2);
  Totals t = run.totals();
  w.begin_object();
  w.field("format", "konform-check-report");
  w.field("version", kJsonReportVersion);
  w.field("verdict", run.verdict());
  w.field("startedAt", run.started_at);
  w.field("durationMs", static_cast<double>(run.duration.count()) / 1000.0);
  w.field("embeddedEndpoint", run.embedded_endpoint);
  if (!run.runtime_error.empty()) w.field("runtimeError", run.runtime_error);
  w.key("totals").begin_object();
  w.field("scenarios", t.scenarios);
  w.field("badFiles", t.bad_files);
  w.field("steps", t.steps);
  w.field("passed", t.passed);
  w.field("failed", t.failed);
  w.field("errors", t.errors);
  w.field("goldenWritten", t.updated);
  w.end_object();
  w.key("scenarios").begin_array();
  for (const auto& s : run.scenarios) {
    w.begin_object();
    w.field("name", s.name);
    w.field("file", s.file);
    w.field("endpoint", s.endpoint);
    w.field("target", s.target);
    if (!s.bad_input.empty()) w.field("badInput", s.bad_input);
    w.key("steps").begin_array();
    for (const auto& step : s.steps) {
      w.begin_object();
      w.field("name", step.name);
      w.field("location", step.location);
      w.field("outcome", std::string(to_string(step.outcome)));
      w.field("clientRequestId", step.client_request_id);
      w.field("method", step.method);
      w.field("url", step.url);
      w.field("expectedStatus", step.expected_status);
      w.field("status", step.status);
      w.field("latencyMs", static_cast<double>(step.latency.count()) / 1000.0);
      if (!step.golden.empty()) w.field("golden", step.golden);
      w.key("failures").begin_array();
      for (const auto& f : step.failures)
        w.string(f);
      w.end_array();
      w.key("differences").begin_array();
      for (const auto& d : step.differences) {
        w.begin_object();
        w.field("path", d.path);
        w.field("expected", d.expected);
        w.field("actual", d.actual);
        w.field("message", d.message);
        w.end_object();
      }
      w.end_array();
      w.key("findings").begin_array();
      for (const auto& f : step.findings) {
        w.begin_object();
        w.field("level", f.level);
        w.field("path", f.path);
        w.field("rule", f.rule);
        w.field("message", f.message);
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += "\n";
  return out;
}

} // namespace konform::report
