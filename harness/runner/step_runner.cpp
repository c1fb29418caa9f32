#include "runner/step_runner.h"

#include "compare/compare.h"
#include "core/file.h"
#include "core/gzip.h"
#include "core/ids.h"
#include "core/redact.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "protocol/validate.h"
#include "scenario/json_path.h"
#include "scenario/roots.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>

namespace konform::runner {
namespace {

using report::Outcome;

bool has_header(const http::Headers& headers, std::string_view name) {
  return http::find_header(headers, name).has_value();
}

std::string level_name(protocol::Level level) {
  return std::string(protocol::to_string(level));
}

// Builds the request; the error is a variable that could not be expanded (a failed capture).
Result<http::Request> build_request(const scenario::Step& step, StepContext& ctx,
                                    std::string& client_request_id) {
  http::Request request;
  request.method = step.method;
  auto path = scenario::expand(step.path, ctx.variables);
  if (!path) return make_error("path: " + path.error().message);
  request.target = http::join_target(ctx.target, *path);
  for (const auto& [name, value] : step.headers) {
    auto expanded = scenario::expand(value, ctx.variables);
    if (!expanded) return make_error("header " + name + ": " + expanded.error().message);
    request.headers.emplace_back(name, *expanded);
  }
  if (auto id = http::find_header(request.headers, "x-ms-client-request-id")) {
    client_request_id = std::string(*id);
  } else {
    client_request_id = "konform." + ctx.scenario.name + ";" + ids::uuid4();
    request.headers.emplace_back("x-ms-client-request-id", client_request_id);
  }
  if (!ctx.options.token.empty() && !has_header(request.headers, "Authorization"))
    request.headers.emplace_back("Authorization", "Bearer " + ctx.options.token);
  if (step.body) {
    if (step.body_is_json) {
      auto body =
          scenario::expand(*step.body, ctx.variables, /*json_escape=*/true, &ctx.json_valued);
      if (!body) return make_error("body: " + body.error().message);
      request.body = std::move(*body);
      if (!has_header(request.headers, "Content-Type"))
        request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    } else {
      auto body = scenario::expand(*step.body, ctx.variables);
      if (!body) return make_error("body: " + body.error().message);
      request.body = std::move(*body);
    }
    if (step.gzip) {
      request.body = gzip::compress(request.body);
      if (!has_header(request.headers, "Content-Encoding"))
        request.headers.emplace_back("Content-Encoding", "gzip");
    }
  }
  for (const auto& line : step.body_lines) { // one DATA frame each, with its line end
    auto text = line.json ? scenario::expand(line.text, ctx.variables, /*json_escape=*/true,
                                             &ctx.json_valued)
                          : scenario::expand(line.text, ctx.variables);
    if (!text) return make_error("bodyLines: " + text.error().message);
    request.body_frames.push_back(std::move(*text) + "\n");
  }
  if (!step.body_lines.empty() && !has_header(request.headers, "Content-Type"))
    request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

void check_headers(const scenario::Step& step, const http::Response& response,
                   const scenario::Variables& variables, report::StepResult& result) {
  for (const auto& h : step.expect_headers) {
    // HTTP/2 has no Transfer-Encoding (RFC 9113 §8.2.2): every body is a stream of DATA frames,
    // so an expected "chunked" is what any HTTP/2 response is, and the same scenario runs with
    // --http2. Another expected coding, or an expected absence, is still checked.
    if (response.http_version == 20 && text::iequals(h.name, "Transfer-Encoding") && h.present &&
        (!h.equals || text::iequals(*h.equals, "chunked")) && !h.regex)
      continue;
    auto actual = response.header(h.name);
    if (!h.present) {
      if (actual)
        result.failures.push_back("header " + h.name + ": expected absent, got \"" +
                                  std::string(*actual) + "\"");
      continue;
    }
    if (!actual) {
      result.failures.push_back("header " + h.name + ": expected present, missing");
      continue;
    }
    if (h.equals) {
      auto expected = scenario::expand(*h.equals, variables);
      if (!expected)
        result.failures.push_back("header " + h.name + ": " + expected.error().message);
      else if (*expected != *actual)
        result.failures.push_back("header " + h.name + ": expected \"" + *expected + "\", got \"" +
                                  std::string(*actual) + "\"");
    }
    if (!h.regex) continue;
    try {
      if (!std::regex_search(std::string(*actual), std::regex(*h.regex)))
        result.failures.push_back("header " + h.name + ": \"" + std::string(*actual) +
                                  "\" does not match /" + *h.regex + "/");
    } catch (const std::regex_error& e) {
      // std::regex gives up on some inputs (error_complexity, error_stack): a failure, not a crash.
      result.failures.push_back("header " + h.name + ": /" + *h.regex +
                                "/ could not be matched against the value (" + e.what() + ")");
    }
  }
}

void write_golden(const scenario::Step& step, std::string_view body, bool violation,
                  const std::string& token, report::StepResult& result) {
  if (!result.failures.empty() || violation) {
    result.failures.push_back("golden file not written: the response failed the checks above");
    return;
  }
  auto canonical = compare::canonical_golden(body, step.kind);
  if (!canonical) {
    result.failures.push_back("golden file not written: " + canonical.error().message);
    return;
  }
  // The path was confined when the scenario was parsed, with links that exist resolved; writing
  // to that resolved path without following a last link keeps a dangling link (which resolves
  // to nothing yet) from creating a file outside the folder tree.
  auto st =
      file::write_regular(scenario::resolved(step.golden), redact::redacted(*canonical, token));
  if (!st) {
    result.outcome = Outcome::error;
    result.failures.push_back(st.error().message);
    return;
  }
  result.outcome = Outcome::updated;
}

void compare_golden(const scenario::Step& step, std::string_view body, std::size_t max_bytes,
                    report::StepResult& result) {
  // The path was confined to the run's folder tree when the scenario was parsed; a golden larger
  // than the largest body the run accepts could never match.
  auto expected = file::read_regular(step.golden, max_bytes);
  if (!expected) {
    result.outcome = Outcome::error;
    result.failures.push_back(step.location + ": golden file " + step.golden + " cannot be read (" +
                              expected.error().message +
                              "); create it with --update-golden or fix \"golden\"");
    return;
  }
  // A broken golden file is bad input, located in the golden file itself.
  if (step.kind != protocol::Kind::text) {
    auto parsed = json::Document::parse(*expected, step.golden);
    if (!parsed) {
      result.outcome = Outcome::error;
      result.failures.push_back(parsed.error().message +
                                "; fix the file or rewrite it with --update-golden");
      return;
    }
  }
  auto differences = compare::compare_bodies(*expected, body, step.kind, step.rules);
  if (!differences) {
    result.failures.push_back("response body: " + differences.error().message);
    return;
  }
  result.differences = std::move(*differences);
}

void capture(const scenario::Step& step, std::string_view body, StepContext& ctx,
             report::StepResult& result) {
  if (step.captures.empty()) return;
  auto doc = json::Document::parse(body, "response of step '" + step.name + "'");
  if (!doc) {
    result.failures.push_back("captures: " + doc.error().message);
    return;
  }
  for (const auto& c : step.captures) {
    auto path = scenario::parse_json_path(c.path); // checked by the parser already
    std::optional<simdjson::dom::element> value;
    if (path) value = scenario::evaluate(doc->root(), *path);
    if (!value) {
      result.failures.push_back("capture " + c.variable + ": nothing at " + c.path +
                                " in the response");
      continue;
    }
    std::string_view s;
    if (value->get_string().get(s)) {
      ctx.variables[c.variable] = json::compact(*value);
      ctx.json_valued.insert(c.variable);
    } else {
      ctx.variables[c.variable] = std::string(s);
      ctx.json_valued.erase(c.variable);
    }
  }
}

void keep_body(std::string_view body, std::string& out, bool& cut) {
  cut = body.size() > report::kExchangeBodyLimit;
  out.assign(body.substr(0, report::kExchangeBodyLimit));
}

// The request as the HTML report shows it: the Authorization value is masked whole (whatever its
// scheme) and the token is redacted anywhere else it was echoed.
void keep_request(const http::Request& request, const std::string& token,
                  report::Exchange& exchange) {
  for (const auto& [name, value] : request.headers) {
    bool authorization = name.size() == 13 &&
                         std::equal(name.begin(), name.end(), "authorization", [](char a, char b) {
                           return std::tolower(static_cast<unsigned char>(a)) == b;
                         });
    exchange.request_headers.emplace_back(name, authorization ? std::string(redact::kMask)
                                                              : redact::redacted(value, token));
  }
  std::string body = redact::redacted(request.body, token);
  keep_body(body, exchange.request_body, exchange.request_body_cut);
}

} // namespace

StepRun run_step(const scenario::Step& step, StepContext& ctx) {
  StepRun run;
  report::StepResult& result = run.result;
  result.name = step.name;
  result.location = step.location;
  result.method = step.method;
  result.expected_status = step.expect_status;
  result.golden = step.golden;

  auto request = build_request(step, ctx, result.client_request_id);
  if (!request) {
    result.outcome = Outcome::failed;
    result.failures.push_back(request.error().message);
    return run;
  }
  result.url = ctx.target.origin() + request->target;
  keep_request(*request, ctx.options.token, result.exchange);

  http::SendOptions send_options;
  send_options.stream_for = step.stream_for;
  send_options.http2 = ctx.options.http2 || step.http2.value_or(ctx.scenario.http2);
  auto response = ctx.client.send(*request, send_options);
  if (!response) {
    result.outcome = Outcome::failed;
    result.failures.push_back("no response: " + response.error().message);
    if (response.error().kind == ErrorKind::connect || response.error().kind == ErrorKind::tls)
      run.unreachable = response.error().message;
    return run;
  }
  result.status = response->status;
  result.latency = response->latency;
  for (const auto& [name, value] : response->headers) {
    result.exchange.response_headers.emplace_back(name, redact::redacted(value, ctx.options.token));
    run.response_headers.emplace_back(name, redact::redacted(value, ctx.options.token));
  }

  if (response->status != step.expect_status)
    result.failures.push_back("status: expected " + std::to_string(step.expect_status) + ", got " +
                              std::to_string(response->status));
  check_headers(step, *response, ctx.variables, result);

  auto decoded = http::decoded_body(*response, ctx.options.max_body);
  if (!decoded.error.empty()) {
    result.outcome = Outcome::failed;
    result.failures.push_back("response body: " + decoded.error +
                              (decoded.error.find("exceeds the limit") != std::string::npos
                                   ? " (raise it with --max-body)"
                                   : ""));
    return run;
  }
  // A server that echoes the request headers would put the token in the golden file, the diff
  // and every report: the body is redacted once, before anything reads it.
  redact::in_place(decoded.text, ctx.options.token);
  keep_body(decoded.text, result.exchange.response_body, result.exchange.response_body_cut);

  protocol::Exchange exchange;
  exchange.status = response->status;
  exchange.headers = &response->headers;
  exchange.request_headers = &request->headers;
  if (auto accept = http::find_header(request->headers, "Accept"))
    exchange.request_accept = *accept;
  // Violations fail the step; in-band errors and warnings are reported only (an error scenario
  // expects its in-band error).
  bool violation = false;
  for (auto& f : protocol::validate(step.kind, decoded.text, exchange)) {
    violation |= f.level == protocol::Level::violation;
    result.findings.push_back(
        {level_name(f.level), std::move(f.path), std::move(f.rule), std::move(f.message)});
  }

  capture(step, decoded.text, ctx, result);

  if (!step.golden.empty()) {
    if (ctx.options.update_golden)
      write_golden(step, decoded.text, violation, ctx.options.token, result);
    else
      compare_golden(step, decoded.text, ctx.options.max_body, result);
  }

  if (result.outcome == Outcome::passed &&
      (violation || !result.failures.empty() || !result.differences.empty()))
    result.outcome = Outcome::failed;
  // Only steps that did not pass show their exchange: a 1,000-step run keeps no passing bodies.
  if (result.outcome == Outcome::passed || result.outcome == Outcome::updated) result.exchange = {};
  run.response_body = std::move(decoded.text);
  return run;
}

} // namespace konform::runner
