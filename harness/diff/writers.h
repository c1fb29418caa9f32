#pragma once
// Report writers of `konform diff`: each turns a DiffResult into text; the CLI decides where the
// text goes.
#include "diff/model.h"

#include <string>

namespace konform::diff {

// One step as it is judged: "ok" or "DIFF" with both p50 latencies, the differences beyond
// noise and the client-request-ids of both sides.
std::string console_step(const StepDiff& step);
// The grouped paths (most frequent first, noise marked), the learned noise and the verdict.
std::string console_summary(const DiffResult& result);
// The versioned machine-readable report ("format": "konform-diff-report").
std::string json_report(const DiffResult& result);
// JUnit XML: one testsuite per scenario, one testcase per step; a step that differs beyond
// noise or whose candidate response violates the protocol is a <failure>.
std::string junit_xml(const DiffResult& result);
// One self-contained page: summary, grouped paths with noise marked and examples, steps with
// their latencies.
std::string html_report(const DiffResult& result);

std::string format_ms(std::chrono::microseconds us);

} // namespace konform::diff
