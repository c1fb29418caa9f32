#include "load/scenario_mix.h"

#include "scenario/variables.h"

namespace konform::load {

Mix build_mix(const std::vector<scenario::Scenario>& scenarios, const MixOptions& options) {
  Mix mix;
  for (const auto& sc : scenarios) {
    scenario::Variables vars;
    vars["target"] = options.origin;
    // Defaults may refer to earlier ones and to ${uuid} ("run": "${uuid}"): expand them once.
    for (const auto& [k, v] : sc.variables) {
      auto expanded = scenario::expand(v, vars);
      vars[k] = expanded ? *expanded : v;
    }
    for (const auto& [k, v] : options.variables)
      vars[k] = v;
    vars["target"] = options.origin;
    for (const auto& st : sc.steps) {
      const std::string full_name = (scenarios.size() > 1 ? sc.name + "/" : "") + st.name;
      auto skip = [&](const std::string& why) {
        mix.skipped.push_back(st.location + ": step '" + st.name + "': " + why);
      };
      Step step;
      step.name = full_name;
      auto path = scenario::expand(st.path, vars);
      if (!path) {
        skip(path.error().message + " (load replays each request on its own; captures from "
                                    "earlier steps are not available)");
        continue;
      }
      step.request.method = st.method;
      step.request.target = *path;
      bool ok = true;
      for (const auto& [name, value] : st.headers) {
        auto v = scenario::expand(value, vars);
        if (!v) {
          skip("header " + name + ": " + v.error().message);
          ok = false;
          break;
        }
        step.request.headers.emplace_back(name, *v);
      }
      if (!ok) continue;
      if (st.body) {
        auto b = scenario::expand(*st.body, vars, st.body_is_json);
        if (!b) {
          skip("body: " + b.error().message);
          continue;
        }
        step.request.body = *b;
      }
      step.gzip_body = st.gzip;
      step.streaming = st.stream_for.count() > 0;
      step.stream_for = st.stream_for;
      // The parser's default kind is plain JSON: only a named protocol beats detection.
      if (st.kind_given || st.kind != protocol::Kind::json) step.kind = st.kind;
      for (const auto& key : {full_name, st.name})
        if (auto w = options.weights.find(key); w != options.weights.end()) {
          step.weight = w->second;
          break;
        }
      if (step.weight == 0) continue; // weight 0: left out on purpose
      mix.steps.push_back(std::move(step));
    }
  }
  return mix;
}

} // namespace konform::load
