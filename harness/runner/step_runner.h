#pragma once
// One step of a scenario: expand variables, send the request, judge the response, capture values.
#include "http/client.h"
#include "report/run_result.h"
#include "runner/check_runner.h"
#include "scenario/model.h"
#include "scenario/variables.h"

#include <functional>
#include <string>

namespace konform::runner {

struct StepContext {
  http::Client& client;
  const http::Url& target;
  const scenario::Scenario& scenario;
  scenario::Variables& variables;    // captures are added here
  scenario::JsonValued& json_valued; // captures that are numbers, booleans, objects or arrays
  const CheckOptions& options;
};

struct StepRun {
  report::StepResult result;
  std::string unreachable; // non-empty: the target could not be reached; stop the run
  // The response as received, for callers that compare two endpoints with each other (konform
  // diff): headers and the decoded body, the token redacted. Empty when no response arrived.
  http::Headers response_headers;
  std::string response_body;
};

StepRun run_step(const scenario::Step& step, StepContext& context);

// One scenario against one target, with its own variables (--var, defaults) and captures, on one
// keep-alive connection. `on_step` sees each step's run, raw response included, before its result
// is kept (konform diff runs every scenario on each side with it). Results are not redacted here.
struct ScenarioRun {
  report::ScenarioResult result;
  std::string unreachable; // non-empty: the target could not be reached; the scenario stopped
};
ScenarioRun run_scenario(const scenario::Scenario& sc, const http::Url& target,
                         const CheckOptions& options,
                         const std::function<void(StepRun&)>& on_step = {});

} // namespace konform::runner
