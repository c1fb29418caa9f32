#pragma once
// One step of a scenario: expand variables, send the request, judge the response, capture values.
#include "http/client.h"
#include "report/run_result.h"
#include "runner/check_runner.h"
#include "scenario/model.h"
#include "scenario/variables.h"

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
};

StepRun run_step(const scenario::Step& step, StepContext& context);

} // namespace konform::runner
