#pragma once
// The result of `konform diff` as plain data: what the diff runner produces and the only thing
// its report writers read. Tokens never reach it (the runner redacts bodies and headers).
#include "report/run_result.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace konform::diff {

// Version of the diff JSON report layout; bump when a field changes meaning or disappears.
inline constexpr int kDiffReportVersion = 1;

// One side's answer to one step.
struct Response {
  bool responded = false; // false: nothing to compare (unreachable, timeout, request not built)
  int status = 0;
  report::HeaderList headers;
  std::string body;
  std::string client_request_id;
  std::chrono::microseconds latency{0};
  std::vector<report::Finding> findings; // protocol validation of this side
  std::string failure;                   // why there is no response
};

// A difference between two responses to one step.
struct PathDifference {
  std::string path;     // normalised (normalise.h); "status", "headers.<name>", "body"
  std::string raw_path; // as the comparison reported it, in the second response
  std::string first;    // compact JSON or "(missing)": baseline
  std::string second;   // candidate (or the second baseline when learning noise)
  std::string message;
};

// Up to three per group: where to look in the servers' logs.
struct Example {
  std::string scenario;
  std::string step;
  std::string baseline;
  std::string candidate;
  std::string baseline_request_id;
  std::string candidate_request_id;
  std::string message;
};

// Differences grouped by normalised path over all steps and repeats.
struct Group {
  std::string path;
  std::size_t count = 0; // compared response pairs in which the path differed
  bool noise = false;    // every one of them at a noise path of its step
  double noise_rate = 0; // how often the baseline differed from itself there (0 when not noise)
  std::vector<Example> examples;
};

struct StepDiff {
  std::string scenario;
  std::string file;
  std::string step;
  std::string location;
  std::string method;
  std::size_t compared = 0;                // baseline/candidate pairs compared
  std::size_t differing = 0;               // pairs with a difference beyond noise
  std::vector<PathDifference> differences; // beyond noise, distinct paths, first seen
  std::vector<std::string> noise_paths;    // noise that differed on the candidate too
  std::vector<report::Finding> candidate_violations;
  std::vector<report::Finding> baseline_violations;
  std::vector<std::string> notes; // a side that did not answer, ...
  std::string baseline_request_id;
  std::string candidate_request_id;
  std::chrono::microseconds baseline_p50{0};
  std::chrono::microseconds candidate_p50{0};
  bool failed() const { return differing > 0 || !candidate_violations.empty(); }
};

struct NoiseSummary {
  std::string path;
  double rate = 0; // over every step where the baseline was compared with itself
  std::size_t steps = 0;
  bool from_file = false;
};

struct DiffResult {
  std::string started_at;
  std::chrono::microseconds duration{0};
  std::string baseline;
  std::string baseline2; // "" when noise came from repeating the baseline
  std::string candidate;
  int repeat = 1;
  bool protocol_defaults = true;
  std::vector<StepDiff> steps;
  std::vector<Group> groups;
  std::vector<NoiseSummary> noise; // learned in this run (and read from --noise)
  std::vector<std::string> bad_input;
  std::string runtime_error; // an endpoint unreachable: names it

  std::size_t failed_steps() const;
  // "passed", "failed", "bad-input", "runtime-failure" (the worst wins, in reverse order).
  std::string verdict() const;
};

} // namespace konform::diff
