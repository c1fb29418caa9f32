#pragma once
// Report writers: each turns a RunResult into text; the CLI decides where the text goes.
#include "report/run_result.h"

#include <string>
#include <string_view>

namespace konform::report {

struct ConsoleOptions {
  std::size_t max_differences = 5; // per step; the rest is counted ("... and 12 more")
};

// One scenario as it finishes: each step pass/fail with latency, a short diff excerpt and the
// client-request-id of failed steps (to find them in the server's logs).
std::string console_scenario(const ScenarioResult& scenario, const ConsoleOptions& options = {});
// Totals and the verdict line.
std::string console_summary(const RunResult& run);

// JUnit XML (the Ant/Surefire dialect Jenkins, GitLab, GitHub and Azure Pipelines read): one
// testsuite per scenario, one testcase per step; a bad scenario file is a testcase with <error>.
std::string junit_xml(const RunResult& run);

// Text for JUnit XML attributes and elements: & < > " ' escaped; control characters XML 1.0
// forbids (other than \n \t \r) become '?', so a binary excerpt cannot break the report.
std::string xml_escaped(std::string_view text);

// The versioned machine-readable report (kJsonReportVersion), pretty-printed.
std::string json_report(const RunResult& run);

// One self-contained HTML page (CSS and JavaScript inline, nothing fetched): summary bar, every
// scenario and step, a "failed only" filter, and for each failed step its client-request-id,
// differences (first differing character marked), findings, request (token redacted) and response.
std::string html_report(const RunResult& run);

} // namespace konform::report
