// `konform check` as a user runs it: the konform binary, its exit codes, its reports, the bundled
// scenarios against the embedded reference endpoint, and a golden file altered in a copy.
#include "core/file.h"
#include "core/ids.h"
#include "json/document.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace konform {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using CliRun = test_support::Run;

CliRun check(const std::string& args) {
  return test_support::run_binary("check " + args);
}

using test_support::ScratchDir;

const std::string kSource = KONFORM_SOURCE_DIR;

// Every bundled ksqlDB and Kusto scenario over HTTP/2 (h2c with prior knowledge) against the
// embedded endpoint: the same bytes as over HTTP/1.1; an expected "Transfer-Encoding: chunked"
// is what every HTTP/2 body is (DATA frames), so no scenario needs a copy for HTTP/2.
TEST(CheckCli, BundledScenariosPassOverHttp2) {
  CliRun r = check("--http2 " + kSource + "/scenarios --root " + kSource);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("push query with LIMIT, streamed chunked"));
  EXPECT_THAT(r.output, HasSubstr("\nPASSED\n"));
}

TEST(CheckCli, BundledScenariosPassAgainstTheEmbeddedEndpoint) {
  ScratchDir dir;
  CliRun r = check(kSource + "/scenarios --root " + kSource + " --junit " + dir.path("junit.xml") +
                   " --json " + dir.path("report.json"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\nPASSED\n"));

  auto report = file::read(dir.path("report.json"));
  ASSERT_TRUE(report.ok());
  auto doc = json::Document::parse(*report, "report.json");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(std::string_view(doc->root()["verdict"]), "passed");
  EXPECT_TRUE(bool(doc->root()["embeddedEndpoint"]));
  int64_t steps = doc->root()["totals"]["steps"];
  EXPECT_GE(steps, 30); // the issue's floor for the bundled coverage
  EXPECT_EQ(int64_t(doc->root()["totals"]["passed"]), steps);
  for (auto scenario : doc->root()["scenarios"].get_array())
    for (auto step : scenario["steps"].get_array())
      EXPECT_THAT(std::string(std::string_view(step["clientRequestId"])),
                  ::testing::MatchesRegex("konform\\..+;.+"));

  const auto xmllint =
      test_support::run_command("xmllint --noout --schema " + kSource +
                                "/harness/report/testdata/junit.xsd " + dir.path("junit.xml"));
  EXPECT_EQ(xmllint.code, 0) << xmllint.output;
}

TEST(CheckCli, AnAlteredGoldenFileReportsTheExactDifferenceAndExitsOne) {
  // A copy of one bundled scenario and its goldens, with one cell of one golden changed. The
  // copy is a git work tree, like the repository: that is the default root, so the goldens
  // beside the scenario folder may be read.
  ScratchDir dir;
  fs::create_directories(dir.path(".git"));
  fs::create_directories(dir.path("scenarios/kusto"));
  fs::create_directories(dir.path("golden/kusto"));
  fs::copy(kSource + "/scenarios/kusto/query_v1.json", dir.path("scenarios/kusto/query_v1.json"));
  fs::copy(kSource + "/golden/kusto/query_v1", dir.path("golden/kusto/query_v1"),
           fs::copy_options::recursive);
  auto golden = file::read(dir.path("golden/kusto/query_v1/count.json"));
  ASSERT_TRUE(golden.ok());
  auto at = golden->find("[6]");
  ASSERT_NE(at, std::string::npos) << "the bundled count golden changed; update this test";
  golden->replace(at, 3, "[7]");
  ASSERT_TRUE(file::write(dir.path("golden/kusto/query_v1/count.json"), *golden).ok());

  CliRun r = check(dir.path("scenarios") + " --json " + dir.path("report.json"));
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("  FAIL  count"));
  EXPECT_THAT(r.output, HasSubstr("        $.Tables[0].Rows[0][0]: PrimaryResult row 0, column "
                                  "Count: expected 7, got 6\n"));
  EXPECT_THAT(r.output, HasSubstr("3 passed, 1 failed"));

  auto report = file::read(dir.path("report.json"));
  ASSERT_TRUE(report.ok());
  auto doc = json::Document::parse(*report);
  ASSERT_TRUE(doc.ok());
  auto steps = doc->root()["scenarios"].at(0)["steps"];
  auto count = steps.at(2);
  EXPECT_EQ(std::string_view(count["name"]), "count");
  ASSERT_EQ(count["differences"].get_array().size(), 1u);
  auto difference = count["differences"].at(0);
  EXPECT_EQ(std::string_view(difference["path"]), "$.Tables[0].Rows[0][0]");
  EXPECT_EQ(std::string_view(difference["expected"]), "7");
  EXPECT_EQ(std::string_view(difference["actual"]), "6");
}

TEST(CheckCli, AFolderHoldingScenariosAndTheirGoldensRunsTheScenariosOnly) {
  // The repository's layout in one folder (as a recording writes it: goldens beside the
  // scenario): the goldens are JSON too, but they are the scenarios' data, not bad scenarios.
  ScratchDir dir;
  fs::create_directories(dir.path("suite/.git"));
  fs::create_directories(dir.path("suite/scenarios"));
  fs::create_directories(dir.path("suite/golden"));
  fs::copy(kSource + "/scenarios/kusto", dir.path("suite/scenarios/kusto"),
           fs::copy_options::recursive);
  fs::copy(kSource + "/golden/kusto", dir.path("suite/golden/kusto"), fs::copy_options::recursive);
  CliRun r = check(dir.path("suite"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(" passed, 0 failed, 0 errors; 0 bad files"));
  EXPECT_THAT(r.output, HasSubstr("\nPASSED\n"));
}

TEST(CheckCli, ABadScenarioFileExitsTwoAndTheOthersStillRun) {
  ScratchDir dir;
  dir.write("a.json", R"({"name": "bad",
  "steps": [{"name": "ping", "path": "/v1/rest/ping", "expect": {"statsu": 200}}]})");
  dir.write("b.json", R"({"name": "good", "steps": [{"name": "ping", "path": "/v1/rest/ping",
    "expect": {"protocol": "text"}}]})");
  CliRun r = check(dir.path());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(dir.path("a.json") + ":2:66: unknown field \"statsu\" in "
                                                       "\"expect\"; did you mean \"status\"?"));
  EXPECT_THAT(r.output, HasSubstr("  PASS  ping"));
  EXPECT_THAT(r.output, HasSubstr("1 passed, 0 failed, 0 errors; 1 bad file"));
}

TEST(CheckCli, AnUnreachableTargetExitsThree) {
  ScratchDir dir;
  dir.write("s.json", R"({"steps": [{"name": "ping", "path": "/v1/rest/ping"}]})");
  // Port 1 on loopback: nothing listens there, and only root could.
  CliRun r = check(dir.path() + " --target http://127.0.0.1:1 --timeout 3000");
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("runtime failure: http://127.0.0.1:1 is unreachable"));
}

TEST(CheckCli, BadOptionsExitTwo) {
  CliRun bad_url = check("--target ftp://example.org");
  EXPECT_EQ(bad_url.code, 2) << bad_url.output;
  EXPECT_THAT(bad_url.output, HasSubstr("--target: "));
  CliRun unknown = check("--no-such-option");
  EXPECT_EQ(unknown.code, 2) << unknown.output;
  CliRun missing = check("/nonexistent/konform/scenarios");
  EXPECT_EQ(missing.code, 2);
  EXPECT_THAT(missing.output, HasSubstr("/nonexistent/konform/scenarios: no such file or folder"));
  CliRun bad_var = check("--var =x");
  EXPECT_EQ(bad_var.code, 2);
  EXPECT_THAT(bad_var.output, HasSubstr("write NAME=VALUE"));
  CliRun two_tokens = check("--token a --token-command 'echo b'");
  EXPECT_EQ(two_tokens.code, 2);
  EXPECT_THAT(two_tokens.output, Not(HasSubstr(" a ")));
}

TEST(CheckCli, HelpListsTheOptions) {
  CliRun r = check("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* option : {"--target", "--kusto-target", "--ksql-target", "--filter",
                             "--token-command", "--update-golden", "--junit", "--json"})
    EXPECT_THAT(r.output, HasSubstr(option));
}

TEST(CheckCli, TheTokenReachesTheEndpointButNoOutput) {
  // The embedded endpoint requires the token given to check: a step passes only if it was sent.
  ScratchDir dir;
  dir.write("s.json", R"({"steps": [{"name": "ping", "path": "/v1/rest/ping",
    "expect": {"protocol": "text"}}]})");
  dir.write("token", "tok-SECRET-123\n");
  CliRun r = check(dir.path("s.json") + " --token-file " + dir.path("token") + " --json " +
                   dir.path("r.json") + " --junit " + dir.path("r.xml"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("tok-SECRET-123")));
  for (const char* report : {"r.json", "r.xml"}) {
    auto text = file::read(dir.path(report));
    ASSERT_TRUE(text.ok());
    EXPECT_THAT(*text, Not(HasSubstr("tok-SECRET-123")));
  }
}

// --update-golden with golden paths that leave the folder tree: exit 2 naming file:line:column,
// nothing written outside, and the good scenario still runs.
TEST(CheckCli, GoldenPathsOutsideTheRootAreBadInputAndNothingIsWritten) {
  ScratchDir dir;
  std::string outside = dir.path("x.json");
  std::string bad = dir.write("s/a_escape.json", R"({"endpoint": "kusto", "steps": [
  {"name": "up", "path": "/v1/rest/ping", "expect": {"golden": "../x.json"}},
  {"name": "abs", "path": "/v1/rest/ping", "expect": {"golden": ")" +
                                                     dir.path("abs.json") +
                                                     R"("}},
  {"name": "body", "path": "/v1/rest/ping", "bodyFile": "/dev/zero"}]})");
  dir.write("s/b_good.json", R"({"endpoint": "kusto", "steps": [
  {"name": "ping", "path": "/v1/rest/ping", "expect": {"protocol": "text", "golden": "golden/ping.json"}}]})");
  CliRun r = check(dir.path("s") + " --update-golden");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr(bad + ":2:64: golden \"../x.json\" resolves to " + outside +
                        ", outside the folder tree this run may use (" + dir.path("s") + ")"));
  EXPECT_THAT(r.output, HasSubstr(bad + ":3:65: golden \"" + dir.path("abs.json") +
                                  "\" is an absolute path"));
  EXPECT_THAT(r.output, HasSubstr(bad + ":4:57: bodyFile \"/dev/zero\" is an absolute path"));
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_FALSE(fs::exists(dir.path("abs.json")));
  EXPECT_TRUE(fs::exists(dir.path("s/golden/ping.json"))) << r.output;
  EXPECT_THAT(r.output, HasSubstr("1 golden files written"));

  // --root widens the tree: "../x.json" is inside it now.
  std::string up = dir.write("t/up.json", R"({"endpoint": "kusto", "steps": [
  {"name": "up", "path": "/v1/rest/ping", "expect": {"protocol": "text", "golden": "../x.json"}}]})");
  r = check(up + " --update-golden --root " + dir.path());
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(outside));
  r = check(dir.path("s/a_escape.json") + " --update-golden --root /nonexistent/konform");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--root /nonexistent/konform: no such folder"));
}

} // namespace
} // namespace konform
