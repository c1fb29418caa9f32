#include "core/file.h"
#include "core/ids.h"
#include "report/writers.h"

#include "json/document.h"
#include <cstdio>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

namespace konform::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A run with one passing step, one failing step with two differences and a violation, and a
// bad scenario file: everything the writers have to render.
RunResult sample_run() {
  RunResult run;
  run.started_at = "2026-11-21T20:00:00Z";
  run.duration = std::chrono::microseconds(1234567);
  ScenarioResult s;
  s.name = "v2 <query> & \"more\"";
  s.file = "scenarios/kusto/v2.json";
  s.endpoint = "kusto";
  s.target = "http://127.0.0.1:4242";
  StepResult pass;
  pass.name = "plain";
  pass.client_request_id = "konform.v2;11111111-1111-4111-8111-111111111111";
  pass.method = "POST";
  pass.url = "http://127.0.0.1:4242/v2/rest/query";
  pass.expected_status = pass.status = 200;
  pass.latency = std::chrono::microseconds(3210);
  StepResult fail = pass;
  fail.name = "count";
  fail.client_request_id = "konform.v2;22222222-2222-4222-8222-222222222222";
  fail.outcome = Outcome::failed;
  fail.golden = "golden/kusto/v2.json";
  fail.differences = {
      {"$[2].Rows[3][1]", "5", "6", "PrimaryResult row 3, column Count: expected 5, got 6"},
      {"$[2].Rows[4]", "[\"x\",1]", "(missing)", ""}};
  fail.findings = {{"violation", "$[0]", "kusto.v2.frame-order", "DataSetHeader must come first"},
                   {"warning", "", "kusto.v2.other", "unusual but allowed"}};
  fail.failures = {"status: expected 200, got 500"};
  s.steps = {pass, fail};
  run.scenarios.push_back(s);
  ScenarioResult bad;
  bad.file = "scenarios/kusto/broken.json";
  bad.bad_input = "scenarios/kusto/broken.json:3:5: unknown field \"statsu\" in \"expect\"; did "
                  "you mean \"status\"?\nscenarios/kusto/broken.json:9:1: second \x01 problem";
  run.scenarios.push_back(bad);
  return run;
}

TEST(RunResult, TotalsAndVerdictPrecedence) {
  RunResult run = sample_run();
  Totals t = run.totals();
  EXPECT_EQ(t.scenarios, 2);
  EXPECT_EQ(t.bad_files, 1);
  EXPECT_EQ(t.steps, 2);
  EXPECT_EQ(t.passed, 1);
  EXPECT_EQ(t.failed, 1);
  EXPECT_EQ(run.verdict(), "bad-input"); // a bad file outranks a failed step
  run.scenarios.pop_back();
  EXPECT_EQ(run.verdict(), "failed");
  run.scenarios[0].steps.pop_back();
  EXPECT_EQ(run.verdict(), "passed");
  run.runtime_error = "http://127.0.0.1:1 is unreachable";
  EXPECT_EQ(run.verdict(), "runtime-failure");
}

TEST(ConsoleWriter, ShowsEachStepWithLatencyAndTheDiffExcerpt) {
  RunResult run = sample_run();
  std::string out = console_scenario(run.scenarios[0]);
  EXPECT_THAT(out, HasSubstr("  PASS  plain"));
  EXPECT_THAT(out, HasSubstr("200  3.210 ms\n"));
  EXPECT_THAT(out, HasSubstr("  FAIL  count"));
  EXPECT_THAT(out, HasSubstr("        client-request-id konform.v2;22222222-2222-4222-8222-"
                             "222222222222\n"));
  EXPECT_THAT(out, HasSubstr("        status: expected 200, got 500\n"));
  EXPECT_THAT(out, HasSubstr("        protocol kusto.v2.frame-order at $[0]: DataSetHeader must "
                             "come first\n"));
  EXPECT_THAT(out, Not(HasSubstr("unusual but allowed"))); // warnings stay in the JSON report
  EXPECT_THAT(out, HasSubstr("        PrimaryResult row 3, column Count: expected 5, got 6\n"));
  EXPECT_THAT(out, HasSubstr("        $[2].Rows[4]: expected [\"x\",1], got (missing)\n"));
}

TEST(ConsoleWriter, CapsTheDifferencesAndCountsTheRest) {
  RunResult run = sample_run();
  ConsoleOptions options;
  options.max_differences = 1;
  std::string out = console_scenario(run.scenarios[0], options);
  EXPECT_THAT(out, Not(HasSubstr("$[2].Rows[4]")));
  EXPECT_THAT(out, HasSubstr("... and 1 more differences (all of them are in the --json report)"));
}

TEST(ConsoleWriter, BadFileShowsEveryLocatedMessageAndTheSummaryCountsIt) {
  RunResult run = sample_run();
  std::string out = console_scenario(run.scenarios[1]);
  EXPECT_THAT(out, HasSubstr("BAD   scenarios/kusto/broken.json\n      scenarios/kusto/broken.json"
                             ":3:5: unknown field"));
  EXPECT_THAT(out, HasSubstr("\n      scenarios/kusto/broken.json:9:1: second"));
  std::string summary = console_summary(run);
  EXPECT_THAT(summary,
              HasSubstr("2 steps in 2 scenarios: 1 passed, 1 failed, 0 errors; 1 bad file"));
  EXPECT_THAT(summary, HasSubstr("FAILED: bad input"));
}

// Runs a command, returns its exit status and output.
int run_command(const std::string& command, std::string& output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
    output.append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(JunitWriter, IsWellFormedAndValidAgainstTheJunitSchema) {
  std::string xml = junit_xml(sample_run());
  auto path = std::filesystem::temp_directory_path() / ("konform-junit-" + ids::uuid4() + ".xml");
  ASSERT_TRUE(file::write(path.string(), xml).ok());
  std::string output;
  int status = run_command("xmllint --noout --schema " KONFORM_SOURCE_DIR
                           "/harness/report/testdata/junit.xsd " +
                               path.string(),
                           output);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << output << "\n" << xml;
}

TEST(JunitWriter, CountsAndEscapes) {
  std::string xml = junit_xml(sample_run());
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"konform check\" tests=\"3\" failures=\"1\" "
                             "errors=\"1\" time=\"1.234567\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"v2 &lt;query&gt; &amp; &quot;more&quot;\" "
                             "tests=\"2\" failures=\"1\" errors=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"status: expected 200, got 500\" "
                             "type=\"mismatch\">"));
  EXPECT_THAT(xml, HasSubstr("$[2].Rows[3][1]: expected 5, got 6 (PrimaryResult row 3, column "
                             "Count: expected 5, got 6)"));
  EXPECT_THAT(xml, HasSubstr("x-ms-client-request-id: konform.v2;22222222"));
  EXPECT_THAT(xml, HasSubstr("<error message=\"invalid scenario file\" type=\"bad-input\">"));
  EXPECT_THAT(xml, HasSubstr("second ? problem")); // a control character is not valid XML 1.0
}

TEST(JsonWriter, IsVersionedAndCarriesEveryStepDetail) {
  std::string text = json_report(sample_run());
  auto doc = json::Document::parse(text, "report");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  auto root = doc->root();
  EXPECT_EQ(std::string_view(root["format"]), "konform-check-report");
  EXPECT_EQ(int64_t(root["version"]), kJsonReportVersion);
  EXPECT_EQ(std::string_view(root["verdict"]), "bad-input");
  EXPECT_EQ(int64_t(root["totals"]["failed"]), 1);
  EXPECT_EQ(int64_t(root["totals"]["badFiles"]), 1);
  auto step = root["scenarios"].at(0)["steps"].at(1);
  EXPECT_EQ(std::string_view(step["clientRequestId"]),
            "konform.v2;22222222-2222-4222-8222-222222222222");
  EXPECT_EQ(std::string_view(step["outcome"]), "failed");
  EXPECT_EQ(int64_t(step["status"]), 200);
  EXPECT_DOUBLE_EQ(double(step["latencyMs"]), 3.21);
  EXPECT_EQ(std::string_view(step["differences"].at(0)["path"]), "$[2].Rows[3][1]");
  EXPECT_EQ(std::string_view(step["differences"].at(0)["expected"]), "5");
  EXPECT_EQ(std::string_view(step["differences"].at(0)["actual"]), "6");
  EXPECT_EQ(std::string_view(step["findings"].at(1)["level"]), "warning");
  EXPECT_THAT(std::string(std::string_view(root["scenarios"].at(1)["badInput"])),
              HasSubstr("broken.json:3:5"));
}

} // namespace
} // namespace konform::report
