#include "report/run_result.h"

namespace konform::report {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
  case Outcome::passed:
    return "passed";
  case Outcome::failed:
    return "failed";
  case Outcome::error:
    return "error";
  case Outcome::updated:
    return "updated";
  }
  return "error";
}

Totals RunResult::totals() const {
  Totals t;
  for (const auto& s : scenarios) {
    ++t.scenarios;
    if (!s.bad_input.empty()) ++t.bad_files;
    for (const auto& step : s.steps) {
      ++t.steps;
      switch (step.outcome) {
      case Outcome::passed:
        ++t.passed;
        break;
      case Outcome::failed:
        ++t.failed;
        break;
      case Outcome::error:
        ++t.errors;
        break;
      case Outcome::updated:
        ++t.updated;
        break;
      }
    }
  }
  return t;
}

std::string RunResult::verdict() const {
  if (!runtime_error.empty()) return "runtime-failure";
  Totals t = totals();
  if (t.bad_files > 0 || t.errors > 0) return "bad-input";
  if (t.failed > 0) return "failed";
  return "passed";
}

} // namespace konform::report
