#pragma once
// Scenario steps as a load mix: every step of every scenario becomes one request of the weighted
// mix, expanded once (variables, ${target}, ${uuid} — a fixed id per step, since requests are
// serialised once), with its body, gzip and headers as `check` sends them.
#include "core/result.h"
#include "load/options.h"
#include "scenario/model.h"

#include <map>
#include <string>
#include <vector>

namespace konform::load {

struct MixOptions {
  std::string origin;                           // what ${target} expands to
  std::map<std::string, std::string> variables; // --var k=v (override scenario defaults)
  std::map<std::string, unsigned> weights;      // --weight step=N ("scenario/step" or "step")
};

struct Mix {
  std::vector<Step> steps;
  // Steps left out, each "file:line:column: step 'x': why" (a captured variable from an earlier
  // step cannot exist when requests are replayed independently).
  std::vector<std::string> skipped;
};

Mix build_mix(const std::vector<scenario::Scenario>& scenarios, const MixOptions& options);

} // namespace konform::load
