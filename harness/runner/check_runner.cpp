#include "runner/check_runner.h"

#include "core/redact.h"
#include "core/text.h"
#include "core/utc_timestamp.h"
#include "http/url.h"
#include "runner/step_runner.h"
#include "scenario/parser.h"
#include "scenario/roots.h"
#include "serve/reference_endpoint.h"

#include <exception>
#include <filesystem>
#include <memory>
#include <optional>

namespace konform::runner {
namespace {

using scenario::Endpoint;

// Where each service's scenarios go: a URL, or "" when no target serves that endpoint.
struct Origins {
  std::optional<http::Url> kusto;
  std::optional<http::Url> ksql;
};

Result<std::optional<http::Url>> optional_url(const std::string& flag, const std::string& value) {
  if (value.empty()) return std::optional<http::Url>{};
  auto url = http::parse_url(value);
  if (!url) return make_error("--" + flag + ": " + url.error().message);
  return std::optional<http::Url>(*url);
}

// A secret must not survive in any report string, whatever echoed it (a server that reflects
// the Authorization header in an error message, a capture, ...).
void redact(std::string& s, const std::string& secret) {
  redact::in_place(s, secret);
}

// Every string of the result, so that no writer (console, JSON, JUnit) can show the secret.
void redact(report::ScenarioResult& scenario, const std::string& secret) {
  for (auto* s : {&scenario.name, &scenario.file, &scenario.target, &scenario.bad_input})
    redact(*s, secret);
  for (auto& step : scenario.steps) {
    for (auto* s : {&step.name, &step.location, &step.client_request_id, &step.method, &step.url,
                    &step.golden})
      redact(*s, secret);
    for (auto& f : step.failures)
      redact(f, secret);
    for (auto& d : step.differences)
      for (auto* s : {&d.path, &d.expected, &d.actual, &d.message})
        redact(*s, secret);
    for (auto& f : step.findings)
      for (auto* s : {&f.level, &f.path, &f.rule, &f.message})
        redact(*s, secret);
  }
}

bool selected(const std::string& filter, const std::string& name, const std::string& file) {
  return filter.empty() || text::glob_match(filter, name) || text::glob_match(filter, file);
}

} // namespace

ScenarioRun run_scenario(const scenario::Scenario& sc, const http::Url& target,
                         const CheckOptions& options,
                         const std::function<void(StepRun&)>& on_step) {
  ScenarioRun run;
  run.result.name = sc.name;
  run.result.file = sc.file;
  run.result.endpoint = std::string(scenario::to_string(sc.endpoint));
  run.result.target = target.origin();

  // --var overrides the scenario's defaults; defaults may use ${uuid}, ${target} and each other.
  scenario::Variables variables{{"target", target.origin()}};
  for (const auto& [k, v] : options.variables)
    variables[k] = v;
  for (const auto& [k, v] : sc.variables) {
    bool overridden = false;
    for (const auto& o : options.variables)
      overridden |= o.first == k;
    if (overridden) continue;
    auto value = scenario::expand(v, variables);
    if (!value) {
      run.result.bad_input = sc.file + ": variable " + k + ": " + value.error().message;
      return run;
    }
    variables[k] = *value;
  }

  http::ClientOptions client_options;
  client_options.timeout = options.timeout;
  client_options.max_body = options.max_body;
  client_options.ca_file = options.ca_file;
  client_options.insecure = options.insecure;
  http::Client client(target, client_options); // one keep-alive connection per scenario
  scenario::JsonValued json_valued;
  StepContext context{client, target, sc, variables, json_valued, options};
  for (const auto& step : sc.steps) {
    StepRun step_run = run_step(step, context);
    if (on_step) on_step(step_run);
    run.result.steps.push_back(std::move(step_run.result));
    if (!step_run.unreachable.empty()) {
      run.unreachable = target.origin() + " is unreachable: " + step_run.unreachable;
      break;
    }
  }
  return run;
}

Result<std::vector<scenario::LoadedFile>> load_scenarios(const CheckOptions& options) {
  scenario::ParseOptions parse_options;
  parse_options.http2 = options.http2;
  for (const auto& [k, v] : options.variables)
    parse_options.external_variables.push_back(k);
  if (!options.root.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.root, ec))
      return make_error("--root " + options.root + ": no such folder");
    parse_options.roots = {options.root};
  } else {
    for (const auto& p : options.paths)
      parse_options.roots.push_back(scenario::default_root(p));
  }

  auto files = scenario::load_scenario_files(options.paths, parse_options);
  if (!files) return files.error();
  std::vector<scenario::LoadedFile> loaded;
  for (auto& [f, sc] : *files) {
    if (sc ? !selected(options.filter, sc->name, f) : !selected(options.filter, "", f)) continue;
    loaded.push_back({f, std::move(sc)});
  }
  return loaded;
}

Result<report::RunResult> run_check(const CheckOptions& options) {
  auto start = std::chrono::steady_clock::now();
  report::RunResult run;
  run.started_at = utc_timestamp_now();

  auto target = optional_url("target", options.target);
  if (!target) return target.error();
  auto kusto_target = optional_url("kusto-target", options.kusto_target);
  if (!kusto_target) return kusto_target.error();
  auto ksql_target = optional_url("ksql-target", options.ksql_target);
  if (!ksql_target) return ksql_target.error();
  // Parse everything first: bad files are reported even when the target is down.
  auto loaded = load_scenarios(options);
  if (!loaded) return loaded.error();

  Origins origins;
  std::unique_ptr<serve::ReferenceEndpoint> embedded;
  if (!*target && !*kusto_target && !*ksql_target) {
    serve::EndpointOptions eo; // loopback, ephemeral ports
    eo.threads = 1;
    if (!options.token.empty()) {
      eo.kusto.token = options.token;
      eo.ksql.token = options.token;
    }
    auto started = serve::ReferenceEndpoint::start(std::move(eo));
    if (!started) {
      run.runtime_error =
          "the embedded reference endpoint did not start: " + started.error().message;
      return run;
    }
    embedded = std::move(*started);
    run.embedded_endpoint = true;
    auto k = http::parse_url(embedded->kusto_url());
    auto q = http::parse_url(embedded->ksql_url());
    if (!k || !q) {
      run.runtime_error = "the embedded endpoint reported an unusable URL";
      return run;
    }
    origins.kusto = *k;
    origins.ksql = *q;
  } else {
    origins.kusto = *kusto_target ? *kusto_target : *target;
    origins.ksql = *ksql_target ? *ksql_target : *target;
  }

  for (auto& [file, sc] : *loaded) {
    report::ScenarioResult result;
    std::string unreachable;
    if (!sc) {
      result.file = file;
      result.bad_input = sc.error().message;
    } else {
      const auto& origin = sc->endpoint == Endpoint::kusto ? origins.kusto : origins.ksql;
      if (!origin) {
        result.name = sc->name;
        result.file = file;
        result.endpoint = std::string(scenario::to_string(sc->endpoint));
        result.bad_input = file + ": scenario \"" + sc->name + "\" talks to the " +
                           result.endpoint + " endpoint, which has no target: pass --" +
                           result.endpoint + "-target URL or --target URL";
      } else {
        // Nothing a target sends may end the run: should anything still throw (a regex that
        // exhausts std::regex on a hostile header value, memory), this scenario reports it and
        // the others run.
        try {
          auto scenario_run = run_scenario(*sc, *origin, options);
          result = std::move(scenario_run.result);
          unreachable = std::move(scenario_run.unreachable);
        } catch (const std::exception& e) {
          result = report::ScenarioResult{};
          result.name = sc->name;
          result.file = file;
          result.endpoint = std::string(scenario::to_string(sc->endpoint));
          report::StepResult step;
          step.name = "(scenario)";
          step.outcome = report::Outcome::error;
          step.failures.push_back(std::string("the scenario stopped on an internal error (") +
                                  e.what() + "); the other scenarios still run");
          result.steps.push_back(std::move(step));
        }
      }
    }
    redact(result, options.token);
    if (options.on_scenario) options.on_scenario(result);
    run.scenarios.push_back(std::move(result));
    if (!unreachable.empty()) {
      run.runtime_error = redact::redacted(unreachable, options.token);
      break;
    }
  }
  if (embedded) embedded->stop();
  run.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return run;
}

} // namespace konform::runner
