// The runner against small loopback servers whose behaviour the test controls: request
// construction (variables, gzip, client-request-id, token), response handling (gzip decoding,
// header expectations, captures, golden differences), routing by endpoint, failures.
#include "core/file.h"
#include "core/gzip.h"
#include "core/ids.h"
#include "report/writers.h"
#include "runner/check_runner.h"
#include "serve/http_server.h"
#include "test_support/scratch_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

namespace konform::runner {
namespace {

namespace fs = std::filesystem;
using report::Outcome;
using ::testing::HasSubstr;
using ::testing::Not;

// Records every request; answers a few fixed routes.
class FakeService {
public:
  explicit FakeService(std::string name) {
    serve::ServerOptions options;
    options.name = std::move(name);
    options.threads = 1;
    server_ = std::make_unique<serve::HttpServer>(
        options, [this](const serve::ServerRequest& r) { return handle(r); });
    EXPECT_TRUE(server_->start().ok());
  }
  ~FakeService() { server_->stop(); }
  std::string url() const { return server_->url(); }
  std::vector<serve::ServerRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

private:
  serve::ServerResponse handle(const serve::ServerRequest& r) {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
    }
    serve::ServerResponse res;
    res.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"X-Served-By", "fake"}};
    if (r.path == "/gz") {
      res.body = gzip::compress(R"({"Tables":[{"TableName":"Table_0","Rows":[[1,"a"]]}]})");
      res.headers.emplace_back("Content-Encoding", "gzip");
    } else if (r.path == "/command") {
      res.body = R"([{"commandId":"stream/S1/create","commandSequenceNumber":7}])";
    } else if (r.path == "/echo-auth") {
      // A careless server that reflects the Authorization header into its body.
      res.body = "{\"auth\":\"" + std::string(r.header("Authorization").value_or("")) + "\"}";
    } else {
      res.body = R"({"path":")" + r.path + R"(","n":1})";
    }
    return res;
  }

  std::mutex mu_;
  std::vector<serve::ServerRequest> requests_;
  std::unique_ptr<serve::HttpServer> server_;
};

using test_support::ScratchDir;

report::RunResult run(CheckOptions options) {
  auto r = run_check(options);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : report::RunResult{};
}

const report::StepResult& only_step(const report::RunResult& r) {
  static const report::StepResult none;
  if (r.scenarios.size() != 1 || r.scenarios[0].steps.size() != 1) {
    ADD_FAILURE() << "expected one scenario with one step\n" << report::json_report(r);
    return none;
  }
  return r.scenarios[0].steps[0];
}

TEST(CheckRunner, GzipBodyVariablesAndClientRequestIdAreSent) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("s/ingest.json", R"({"name": "ingest", "variables": {"table": "T1"},
    "steps": [{"name": "send", "method": "POST", "path": "/v1/rest/ingest/db/${table}?x=${mode}",
               "body": "a,${mode}\n", "gzip": true}]})");
  CheckOptions options;
  options.paths = {dir.path("s")};
  options.target = service.url();
  options.variables = {{"mode", "fast"}};
  auto result = run(options);
  const auto& step = only_step(result);
  EXPECT_EQ(step.outcome, Outcome::passed) << report::json_report(result);
  auto requests = service.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& sent = requests[0];
  EXPECT_EQ(sent.target, "/v1/rest/ingest/db/T1?x=fast");
  EXPECT_EQ(sent.header("Content-Encoding"), "gzip");
  ASSERT_TRUE(gzip::looks_like_gzip(sent.body));
  auto plain = gzip::decompress(sent.body);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "a,fast\n");
  auto id = sent.header("x-ms-client-request-id");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, step.client_request_id);
  EXPECT_THAT(std::string(*id), ::testing::StartsWith("konform.ingest;"));
  EXPECT_TRUE(ids::is_guid(id->substr(std::string_view("konform.ingest;").size())));
}

TEST(CheckRunner, AStepsOwnClientRequestIdIsKept) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("s.json", R"({"steps": [{"name": "a", "path": "/x",
    "headers": {"x-ms-client-request-id": "mine;1"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s.json")};
  options.target = service.url();
  auto result = run(options);
  EXPECT_EQ(only_step(result).client_request_id, "mine;1");
  ASSERT_EQ(service.requests().size(), 1u);
  EXPECT_EQ(service.requests()[0].header("x-ms-client-request-id"), "mine;1");
}

TEST(CheckRunner, CapturedValuesFeedLaterSteps) {
  FakeService service("ksql");
  ScratchDir dir;
  dir.write("s.json", R"({"endpoint": "ksql", "steps": [
    {"name": "create", "method": "POST", "path": "/command", "body": {"ksql": "CREATE ..."},
     "capture": {"cmd": "$[0].commandId", "seq": "$[0].commandSequenceNumber"}},
    {"name": "status", "path": "/status/${cmd}?seq=${seq}",
     "body": {"note": "quote\" ${cmd}"}, "method": "POST"}]})");
  CheckOptions options;
  options.paths = {dir.path("s.json")};
  options.target = service.url();
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  for (const auto& s : result.scenarios[0].steps)
    EXPECT_EQ(s.outcome, Outcome::passed);
  auto requests = service.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(requests[1].target, "/status/stream/S1/create?seq=7");
  EXPECT_EQ(requests[1].body, R"({"note":"quote\" stream/S1/create"})");
}

TEST(CheckRunner, AFailedCaptureFailsTheStepAndTheStepThatNeedsIt) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("s.json", R"({"steps": [
    {"name": "a", "path": "/x", "capture": {"id": "$.missing"}},
    {"name": "b", "path": "/y/${id}"}]})");
  CheckOptions options;
  options.paths = {dir.path("s.json")};
  options.target = service.url();
  auto result = run(options);
  ASSERT_EQ(result.scenarios.at(0).steps.size(), 2u);
  const auto& a = result.scenarios[0].steps[0];
  const auto& b = result.scenarios[0].steps[1];
  EXPECT_EQ(a.outcome, Outcome::failed);
  EXPECT_EQ(a.failures,
            std::vector<std::string>{"capture id: nothing at $.missing in the response"});
  EXPECT_EQ(b.outcome, Outcome::failed);
  EXPECT_THAT(b.failures.at(0), HasSubstr("path: variable ${id} is not defined"));
  EXPECT_EQ(service.requests().size(), 1u); // b was never sent
}

TEST(CheckRunner, GzipResponsesAreDecodedBeforeComparison) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("golden/gz.json", R"({"Tables": [{"TableName": "Table_0", "Rows": [[1, "a"]]}]})");
  dir.write("s/gz.json", R"({"steps": [{"name": "gz", "path": "/gz",
    "expect": {"protocol": "json", "golden": "../golden/gz.json",
               "headers": {"Content-Encoding": "gzip"}}}]})");
  CheckOptions options;
  options.paths = {dir.path("s")};
  options.root = dir.path(); // the golden sits beside the scenario folder
  options.target = service.url();
  auto result = run(options);
  const auto& step = only_step(result);
  EXPECT_EQ(step.outcome, Outcome::passed) << report::json_report(result);
  EXPECT_TRUE(step.differences.empty());
}

TEST(CheckRunner, EveryGoldenDifferenceAndStatusAndHeaderMismatchIsReported) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("golden/x.json", R"({"path": "/other", "n": 2})");
  dir.write("s.json", R"({"steps": [{"name": "x", "path": "/x",
    "expect": {"status": 201, "golden": "golden/x.json",
               "headers": {"X-Served-By": {"regex": "^real"}, "X-Missing": {"present": true},
                           "Content-Type": {"present": false}}}}]})");
  CheckOptions options;
  options.paths = {dir.path("s.json")};
  options.target = service.url();
  auto result = run(options);
  const auto& step = only_step(result);
  EXPECT_EQ(step.outcome, Outcome::failed);
  EXPECT_EQ(step.status, 200);
  EXPECT_EQ(
      step.failures,
      (std::vector<std::string>{
          "status: expected 201, got 200", "header X-Served-By: \"fake\" does not match /^real/",
          "header X-Missing: expected present, missing",
          "header Content-Type: expected absent, got \"application/json; charset=utf-8\""}));
  ASSERT_EQ(step.differences.size(), 2u) << report::json_report(result);
  EXPECT_EQ(step.differences[0].path, "$.path");
  EXPECT_EQ(step.differences[0].expected, "\"/other\"");
  EXPECT_EQ(step.differences[0].actual, "\"/x\"");
  EXPECT_EQ(step.differences[1].path, "$.n");
  EXPECT_EQ(step.differences[1].expected, "2");
  EXPECT_EQ(step.differences[1].actual, "1");
  EXPECT_EQ(result.verdict(), "failed");
}

TEST(CheckRunner, UpdateGoldenWritesACanonicalFileThatThenPasses) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("s.json", R"({"steps": [{"name": "x", "path": "/x",
    "expect": {"golden": "new/x.json"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s.json")};
  options.target = service.url();
  options.update_golden = true;
  auto written = run(options);
  EXPECT_EQ(only_step(written).outcome, Outcome::updated);
  auto golden = file::read(dir.path("new/x.json"));
  ASSERT_TRUE(golden.ok());
  EXPECT_THAT(*golden, HasSubstr("\"path\": \"/x\"")); // pretty-printed, readable in git diffs
  options.update_golden = false;
  auto again = run(options);
  EXPECT_EQ(only_step(again).outcome, Outcome::passed) << report::json_report(again);
}

TEST(CheckRunner, MissingOrInvalidGoldenIsBadInputLocatedInTheRightFile) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("bad.json", "{\"n\": }");
  std::string s = dir.write("s.json", R"({"steps": [
    {"name": "missing", "path": "/x", "expect": {"golden": "none.json"}},
    {"name": "invalid", "path": "/x", "expect": {"golden": "bad.json"}}]})");
  CheckOptions options;
  options.paths = {s};
  options.target = service.url();
  auto result = run(options);
  ASSERT_EQ(result.scenarios.at(0).steps.size(), 2u);
  const auto& missing = result.scenarios[0].steps[0];
  const auto& invalid = result.scenarios[0].steps[1];
  EXPECT_EQ(missing.outcome, Outcome::error);
  EXPECT_THAT(missing.failures.at(0), HasSubstr(s + ":2:5: golden file " + dir.path("none.json")));
  EXPECT_THAT(missing.failures.at(0), HasSubstr("create it with --update-golden"));
  EXPECT_EQ(invalid.outcome, Outcome::error);
  EXPECT_THAT(invalid.failures.at(0), HasSubstr(dir.path("bad.json") + ":1:7: invalid JSON"));
  EXPECT_EQ(result.verdict(), "bad-input");
}

TEST(CheckRunner, TheTokenIsSentButNeverReported) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("golden/auth.json", R"({"auth": "something else"})");
  dir.write("s.json", R"({"steps": [{"name": "a", "path": "/echo-auth",
    "expect": {"golden": "golden/auth.json"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s.json")};
  options.target = service.url();
  options.token = "s3cr3t-t0ken-value";
  std::string console;
  options.on_scenario = [&](const report::ScenarioResult& s) {
    console += report::console_scenario(s);
  };
  auto result = run(options);
  ASSERT_EQ(service.requests().size(), 1u);
  EXPECT_EQ(service.requests()[0].header("Authorization"), "Bearer s3cr3t-t0ken-value");
  EXPECT_EQ(only_step(result).outcome, Outcome::failed); // the golden differs: the diff shows it
  for (const std::string& text :
       {console, report::console_summary(result), report::json_report(result),
        report::junit_xml(result), report::html_report(result)}) {
    EXPECT_THAT(text, Not(HasSubstr("s3cr3t-t0ken-value")));
  }
  EXPECT_THAT(report::json_report(result), HasSubstr("Bearer ***"));
  // The HTML page shows the request's headers: Authorization masked whole, the echo redacted.
  // The request headers are folded data in the page ("</" written "<\\/").
  EXPECT_THAT(report::html_report(result), HasSubstr("<th>Authorization<\\/th><td>***<\\/td>"));
  EXPECT_THAT(report::html_report(result), HasSubstr("Bearer ***"));
}

TEST(CheckRunner, ScenariosAreRoutedToTheirEndpointsTarget) {
  FakeService kusto("kusto"), ksql("ksql");
  ScratchDir dir;
  dir.write("k.json", R"({"endpoint": "kusto", "steps": [{"name": "a", "path": "/k"}]})");
  dir.write("q.json", R"({"endpoint": "ksql", "steps": [{"name": "a", "path": "/q"}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.kusto_target = kusto.url();
  options.ksql_target = ksql.url();
  auto result = run(options);
  EXPECT_EQ(result.verdict(), "passed") << report::json_report(result);
  ASSERT_EQ(kusto.requests().size(), 1u);
  ASSERT_EQ(ksql.requests().size(), 1u);
  EXPECT_EQ(kusto.requests()[0].target, "/k");
  EXPECT_EQ(ksql.requests()[0].target, "/q");
}

TEST(CheckRunner, AnEndpointWithoutATargetIsBadInputForItsScenariosOnly) {
  FakeService kusto("kusto");
  ScratchDir dir;
  dir.write("k.json", R"({"endpoint": "kusto", "steps": [{"name": "a", "path": "/k"}]})");
  dir.write("q.json", R"({"endpoint": "ksql", "steps": [{"name": "a", "path": "/q"}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.kusto_target = kusto.url();
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 2u);
  EXPECT_EQ(result.scenarios[0].steps.at(0).outcome, Outcome::passed);
  EXPECT_THAT(result.scenarios[1].bad_input,
              HasSubstr("talks to the ksql endpoint, which has no target: pass --ksql-target URL "
                        "or --target URL"));
}

TEST(CheckRunner, ABadFileIsCountedAndTheOthersStillRun) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("a_bad.json", R"({"steps": [{"name": "a", "path": "/x", "expcet": {}}]})");
  dir.write("b_good.json", R"({"steps": [{"name": "a", "path": "/x"}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.target = service.url();
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 2u);
  EXPECT_EQ(result.scenarios[0].bad_input,
            dir.path("a_bad.json") +
                ":1:40: unknown field \"expcet\" in a step; did you mean \"expect\"?");
  EXPECT_EQ(result.scenarios[1].steps.at(0).outcome, Outcome::passed);
  EXPECT_EQ(result.totals().bad_files, 1);
  EXPECT_EQ(result.verdict(), "bad-input");
}

TEST(CheckRunner, FilterSelectsByNameOrFile) {
  FakeService service("kusto");
  ScratchDir dir;
  dir.write("one.json", R"({"name": "alpha", "steps": [{"name": "a", "path": "/1"}]})");
  dir.write("two.json", R"({"name": "beta", "steps": [{"name": "a", "path": "/2"}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.target = service.url();
  options.filter = "b*";
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  EXPECT_EQ(result.scenarios[0].name, "beta");
  options.filter = "*one.json";
  result = run(options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  EXPECT_EQ(result.scenarios[0].name, "alpha");
}

TEST(CheckRunner, AnUnreachableTargetIsARuntimeFailure) {
  // Port 1 on loopback: nothing listens there (only root could), unlike a recently freed
  // ephemeral port that a parallel test may take again.
  std::string url = "http://127.0.0.1:1";
  ScratchDir dir;
  dir.write("s.json", R"({"steps": [{"name": "a", "path": "/x"}, {"name": "b", "path": "/y"}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.target = url;
  options.timeout = std::chrono::milliseconds(3000);
  auto result = run(options);
  EXPECT_EQ(result.verdict(), "runtime-failure");
  EXPECT_THAT(result.runtime_error, HasSubstr(url + " is unreachable"));
  ASSERT_EQ(result.scenarios.size(), 1u);
  EXPECT_EQ(result.scenarios[0].steps.size(), 1u); // the run stopped at the first failure
}

TEST(CheckRunner, InvalidTargetOrPathStopsBeforeTheRun) {
  CheckOptions options;
  options.target = "ftp://example";
  auto r = run_check(options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("--target: "));
  options.target.clear();
  options.paths = {"/nonexistent/konform"};
  r = run_check(options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("/nonexistent/konform: no such file or folder"));
}

TEST(Token, SourcesAreExclusiveAndTrimmed) {
  ScratchDir dir;
  std::string f = dir.write("token", "  abc.def \n");
  EXPECT_EQ(*resolve_token("", f, ""), "abc.def");
  EXPECT_EQ(*resolve_token("", "", "printf 'xyz\\n'"), "xyz");
  EXPECT_EQ(*resolve_token("t", "", ""), "t");
  EXPECT_FALSE(resolve_token("t", f, "").ok());
  auto failed = resolve_token("", "", "echo leaked-secret; exit 4");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message, HasSubstr("exit status 4"));
  EXPECT_THAT(failed.error().message, Not(HasSubstr("leaked-secret")));
}

} // namespace
} // namespace konform::runner
