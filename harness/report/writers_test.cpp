#include "core/file.h"
#include "core/ids.h"
#include "json/document.h"
#include "report/difference.h"
#include "report/writers.h"
#include "test_support/run_binary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

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
  EXPECT_THAT(out,
              HasSubstr("        $[2].Rows[3][1]: PrimaryResult row 3, column Count: expected 5, "
                        "got 6\n"));
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

// A ksqlDB entity's golden member: the engine's message is only "expected ..., got ...", so the
// line must add the path, or in a 30-member entity nobody can tell which member differs.
TEST(ConsoleWriter, EveryDifferenceLineNamesItsPath) {
  RunResult run = sample_run();
  run.scenarios[0].steps[1].differences = {{"$[0].statementText", "\"SHOW STREAMS;\"",
                                            "\"SHOW TABLES;\"",
                                            "expected \"SHOW STREAMS;\", got \"SHOW TABLES;\""}};
  std::string out = console_scenario(run.scenarios[0]);
  EXPECT_THAT(out, HasSubstr("        $[0].statementText: expected \"SHOW STREAMS;\", got \"SHOW "
                             "TABLES;\"\n"));
}

std::string long_text(char differing) {
  std::string s = "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ";
  s += "(kafka_topic='pageviews', value_format='JSON', partitions=";
  s += differing;
  s += ", replicas=1) and a long tail that would not fit on one console line at all";
  return s;
}

TEST(Difference, LongStringsShowTheFirstDifferingCharacterAndAWindowAroundIt) {
  Difference d{"$[0].statementText", "\"" + long_text('1') + "\"", "\"" + long_text('4') + "\"",
               ""};
  auto lines = difference_lines(d);
  ASSERT_EQ(lines.size(), 4u);
  std::size_t position = long_text('1').find("partitions=") + 12; // 1-based
  EXPECT_EQ(lines[0],
            "$[0].statementText: strings differ at character " + std::to_string(position));
  EXPECT_THAT(lines[1], HasSubstr("'JSON', partitions=1, replicas=1) and a long"));
  EXPECT_THAT(lines[2], HasSubstr("'JSON', partitions=4, replicas=1) and a long"));
  EXPECT_THAT(lines[1], ::testing::StartsWith("  expected ...\""));
  EXPECT_THAT(lines[1], ::testing::EndsWith("\"..."));
  // The caret stands under the differing character.
  EXPECT_EQ(lines[3].find('^'), lines[1].find("=1,") + 1);
  EXPECT_EQ(lines[2][lines[3].find('^')], '4');
}

TEST(Difference, ALongStringThatIsAPrefixOfTheOtherPointsPastItsEnd) {
  Difference d{"$.s", "\"" + long_text('1') + "\"", "\"" + long_text('1') + " more\"", ""};
  auto m = string_mismatch(d);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->position, long_text('1').size() + 1);
  EXPECT_THAT(m->actual_window, HasSubstr("at all more\""));
}

// The compare engine keeps the start of each long value and appends "...": when both kept parts
// agree, the line must not claim a position it cannot know.
TEST(Difference, ValuesCutBeforeTheirDifferenceSaySo) {
  std::string kept = "\"" + std::string(296, 'x') + "...";
  auto lines = difference_lines({"$.s", kept, kept, ""});
  EXPECT_EQ(lines.front(), "$.s: strings agree in their first 296 characters (all that the "
                           "comparison keeps) and differ after them");
  RunResult run = sample_run();
  run.scenarios[0].steps[1].differences = {{"$.s", kept, kept, ""}};
  EXPECT_THAT(html_report(run), HasSubstr("differs after character 296"));
}

TEST(Difference, ShortValuesAndNonStringsReadWhole) {
  EXPECT_FALSE(string_mismatch({"$.a", "\"x\"", "\"y\"", ""}));
  EXPECT_FALSE(string_mismatch({"$.a", "5", "\"" + long_text('1') + "\"", ""}));
  EXPECT_EQ(difference_lines({"$.a", "5", "(missing)", ""}).front(),
            "$.a: expected 5, got (missing)");
}

TEST(Difference, MultiByteCharactersAreCountedOnceAndNeverSplit) {
  // UTF-8 é twice, as the compact JSON writer leaves it.
  const std::string eacute = "\xc3\xa9";
  std::string e = "\"" + std::string(70, 'x') + eacute + eacute + "a\"";
  std::string a = "\"" + std::string(70, 'x') + eacute + eacute + "b\"";
  auto m = string_mismatch({"$.s", e, a, ""});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->position, 73u);
  EXPECT_THAT(m->expected_window, HasSubstr(eacute + eacute + "a\""));
}

TEST(JunitWriter, FailureTextCarriesTheConsoleDifferenceLines) {
  RunResult run = sample_run();
  Difference d{"$[0].statementText", "\"" + long_text('1') + "\"", "\"" + long_text('4') + "\"",
               ""};
  run.scenarios[0].steps[1].differences = {d};
  std::string xml = junit_xml(run);
  for (const auto& line : difference_lines(d)) {
    std::string escaped;
    for (char c : line)
      escaped += c == '"'    ? std::string("&quot;")
                 : c == '\'' ? std::string("&apos;")
                             : std::string(1, c);
    EXPECT_THAT(xml, HasSubstr(escaped + "\n"));
  }
  EXPECT_THAT(console_scenario(run.scenarios[0]),
              HasSubstr("        " + difference_lines(d)[1] + "\n"));
}

TEST(JunitWriter, IsWellFormedAndValidAgainstTheJunitSchema) {
  std::string xml = junit_xml(sample_run());
  auto path = std::filesystem::temp_directory_path() / ("konform-junit-" + ids::uuid4() + ".xml");
  ASSERT_TRUE(file::write(path.string(), xml).ok());
  const auto xmllint = test_support::run_command("xmllint --noout --schema " KONFORM_SOURCE_DIR
                                                 "/harness/report/testdata/junit.xsd " +
                                                 path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(xmllint.code, 0) << xmllint.output << "\n" << xml;
}

TEST(JunitWriter, CountsAndEscapes) {
  std::string xml = junit_xml(sample_run());
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"konform check\" tests=\"3\" failures=\"1\" "
                             "errors=\"1\" time=\"1.234567\">"));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"v2 &lt;query&gt; &amp; &quot;more&quot;\" "
                             "tests=\"2\" failures=\"1\" errors=\"0\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"status: expected 200, got 500\" "
                             "type=\"mismatch\">"));
  EXPECT_THAT(xml,
              HasSubstr("$[2].Rows[3][1]: PrimaryResult row 3, column Count: expected 5, got 6"));
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

// A failed step whose response carries markup: the page must show it as text.
RunResult hostile_run() {
  RunResult run = sample_run();
  StepResult& fail = run.scenarios[0].steps[1];
  fail.exchange.request_headers = {{"Authorization", "***"}, {"Content-Type", "application/json"}};
  fail.exchange.request_body = R"({"csl":"StormEvents | count"})";
  fail.exchange.response_headers = {{"Content-Type", "application/json"}};
  fail.exchange.response_body = R"({"x":"</pre><script>document.title='owned'</script>"})";
  fail.differences.push_back(
      {"$[0].statementText", "\"SHOW <b>STREAMS</b>;\"", "\"SHOW <b>TABLES</b>;\"", ""});
  return run;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST(HtmlWriter, EscapesEveryTextSoAResponseCannotRunScript) {
  std::string page = html_report(hostile_run());
  EXPECT_EQ(count(page, "<script>"), 1u); // the report's own, at the end
  EXPECT_THAT(page,
              HasSubstr("&lt;/pre&gt;&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;"));
  EXPECT_THAT(page, Not(HasSubstr("<b>STREAMS")));
  EXPECT_THAT(page, HasSubstr("v2 &lt;query&gt; &amp; &quot;more&quot;"));
}

TEST(HtmlWriter, IsSelfContained) {
  std::string page = html_report(hostile_run());
  EXPECT_THAT(page, ::testing::StartsWith("<!doctype html>"));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
  EXPECT_THAT(page, Not(HasSubstr("@import")));
  EXPECT_THAT(page, HasSubstr("data-konform-ready"));
}

TEST(HtmlWriter, ShowsTheFailedStepsDetails) {
  std::string page = html_report(hostile_run());
  EXPECT_THAT(page, HasSubstr("<span class=\"verdict bad-input\""));
  EXPECT_THAT(page, HasSubstr("id=\"failed-only\""));
  EXPECT_THAT(page, HasSubstr("<code class=\"crid\">konform.v2;22222222-2222-4222-8222-"
                              "222222222222</code>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"step-name\">plain</td>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"path\">$[2].Rows[3][1]<div class=\"meta\">"
                              "PrimaryResult row 3, column Count</div>"));
  // The first differing character of each side is marked.
  EXPECT_THAT(page, HasSubstr("&quot;SHOW &lt;b&gt;<mark>S</mark>TREAMS"));
  EXPECT_THAT(page, HasSubstr("&quot;SHOW &lt;b&gt;<mark>T</mark>ABLES"));
  EXPECT_THAT(page, HasSubstr("kusto.v2.frame-order"));
  // Request and response are folded; their markup is data (a JSON string, "</" written "<\/"),
  // built by the page's script when opened, so 1,000 failed steps open at once.
  EXPECT_THAT(page, HasSubstr("<details class=\"response\" data-deferred=\"1\"><summary>"
                              "response: 200</summary></details>"));
  EXPECT_THAT(page, HasSubstr("<th>Authorization<\\/th><td>***<\\/td>"));
  // Bodies are pretty-printed.
  EXPECT_THAT(page, HasSubstr("{\\n  &quot;csl&quot;: &quot;StormEvents | count&quot;\\n}"));
  EXPECT_THAT(page, Not(HasSubstr("</pre>\"")));
  // The bad file's messages.
  EXPECT_THAT(page, HasSubstr("broken.json:3:5: unknown field"));
  EXPECT_THAT(page, HasSubstr("second \xEF\xBF\xBD problem"));
}

TEST(HtmlWriter, KustoTablesAreShownAsTablesWithTheDifferingCellMarked) {
  RunResult run = sample_run();
  StepResult& fail = run.scenarios[0].steps[1];
  fail.exchange.response_body =
      R"([{"FrameType":"DataSetHeader"},{"FrameType":"DataTable","TableName":"PrimaryResult",)"
      R"("Columns":[{"ColumnName":"Name"},{"ColumnName":"Count"}],"Rows":[["a",1],["<b>",6]]}])";
  fail.differences = {{"$[1].Rows[1][1]", "5", "6", "PrimaryResult row 1, column Count: ..."}};
  std::string page = html_report(run);
  EXPECT_THAT(page, HasSubstr("PrimaryResult ($[1])"));
  EXPECT_THAT(page, HasSubstr("<th>Name</th><th>Count</th>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>1</td><td>&lt;b&gt;</td><td class=\"differs\">6</td></tr>"));
  EXPECT_THAT(page, HasSubstr("<tr><td>0</td><td>a</td><td>1</td></tr>"));
}

// A run where every step failed: the first 50 failed steps' details are markup, later ones are
// data built as they scroll into view, so the page stays small enough to open at once.
TEST(HtmlWriter, DetailsAfterTheFirst50FailedStepsAreBuiltOnView) {
  RunResult run = sample_run();
  StepResult fail = run.scenarios[0].steps[1];
  fail.exchange.response_body =
      R"([{"FrameType":"DataSetHeader"},{"FrameType":"DataTable","TableName":"PrimaryResult",)"
      R"("Columns":[{"ColumnName":"Count"}],"Rows":[[6]]}])";
  fail.differences = {{"$[1].Rows[0][0]", "5", "6", ""}};
  run.scenarios[0].steps.assign(60, fail);
  std::string page = html_report(run);
  auto count = [&](std::string_view needle) {
    std::size_t n = 0;
    for (auto at = page.find(needle); at != std::string::npos; at = page.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("<div class=\"detail\"><div>client-request-id"), 50u);
  EXPECT_EQ(count("<div class=\"detail on-view\" data-deferred="), 10u);
  EXPECT_EQ(count("<td class=\"differs\">6</td>"), 50u);
  EXPECT_EQ(count(R"(<td class=\"differs\">6<\/td>)"), 10u); // the later ones, as data
}

} // namespace
} // namespace konform::report
