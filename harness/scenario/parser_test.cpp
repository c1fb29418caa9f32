#include "core/file.h"
#include "core/ids.h"
#include "scenario/parser.h"
#include "scenario/roots.h"
#include "test_support/scratch_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

namespace konform::scenario {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using test_support::ScratchDir;

std::string error_of(std::string_view text, const ParseOptions& options = {}) {
  auto r = parse_scenario(text, "s.json", options);
  EXPECT_FALSE(r.ok()) << "expected a parse error";
  return r ? std::string() : r.error().message;
}

TEST(ScenarioParser, ReadsEveryFieldOfAGoodFile) {
  ScratchDir dir;
  dir.write("bodies/rows.csv", "a,1\nb,2\n");
  std::string file = dir.write("kusto/ingest.json", R"({
  "$schema": "../schema.json",
  "name": "ingest",
  "endpoint": "ksql",
  "variables": {"table": "T_${uuid}"},
  "steps": [
    {"name": "send", "method": "POST", "path": "/v1/rest/ingest/db/${table}?streamFormat=Csv",
     "headers": {"x-ms-app": "konform"}, "bodyFile": "../bodies/rows.csv", "gzip": true,
     "expect": {"status": 200, "protocol": "kusto-ingest", "golden": "../golden/ingest.json",
                "headers": {"Content-Type": {"regex": "^application/json"},
                            "x-ms-activity-id": {"present": true},
                            "Retry-After": {"present": false},
                            "x-ms-app": "konform"},
                "rules": {"ignore": ["$..Timestamp"], "unordered": ["$[0].Rows"],
                          "tolerance": 0.5, "matchers": {"$.id": "any-guid"},
                          "protocolDefaults": false}},
     "capture": {"cmd": "$[0].commandId"}},
    {"name": "status", "path": "/status/${cmd}", "streamForMs": 1500,
     "body": {"ksql": "LIST STREAMS;", "n": 1}}
  ]
})");
  ParseOptions options;
  options.roots = {dir.path()};
  auto r = load_scenario(file, options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Scenario& s = *r;
  EXPECT_EQ(s.name, "ingest");
  EXPECT_EQ(s.endpoint, Endpoint::ksql);
  ASSERT_EQ(s.variables.size(), 1u);
  EXPECT_EQ(s.variables[0].second, "T_${uuid}");
  ASSERT_EQ(s.steps.size(), 2u);
  const Step& send = s.steps[0];
  EXPECT_EQ(send.method, "POST");
  EXPECT_EQ(send.path, "/v1/rest/ingest/db/${table}?streamFormat=Csv");
  EXPECT_EQ(send.body, "a,1\nb,2\n");
  EXPECT_FALSE(send.body_is_json);
  EXPECT_TRUE(send.gzip);
  EXPECT_EQ(send.kind, protocol::Kind::kusto_ingest);
  EXPECT_EQ(send.golden, (fs::path(dir.path()) / "golden/ingest.json").string());
  ASSERT_EQ(send.expect_headers.size(), 4u);
  EXPECT_EQ(send.expect_headers[0].regex, "^application/json");
  EXPECT_TRUE(send.expect_headers[1].present);
  EXPECT_FALSE(send.expect_headers[2].present);
  EXPECT_EQ(send.expect_headers[3].equals, "konform");
  EXPECT_EQ(send.rules.ignore, std::vector<std::string>{"$..Timestamp"});
  EXPECT_EQ(send.rules.unordered, std::vector<std::string>{"$[0].Rows"});
  EXPECT_DOUBLE_EQ(send.rules.numeric_tolerance, 0.5);
  ASSERT_EQ(send.rules.matchers.size(), 1u);
  EXPECT_EQ(send.rules.matchers[0].second, compare::Matcher::any_guid);
  EXPECT_FALSE(send.rules.protocol_defaults);
  ASSERT_EQ(send.captures.size(), 1u);
  EXPECT_EQ(send.captures[0].variable, "cmd");
  EXPECT_EQ(send.location, file + ":7:5");
  const Step& status = s.steps[1];
  EXPECT_EQ(status.method, "GET");
  EXPECT_EQ(status.expect_status, 200);
  EXPECT_EQ(status.kind, protocol::Kind::json);
  EXPECT_EQ(status.stream_for, std::chrono::milliseconds(1500));
  EXPECT_TRUE(status.body_is_json);
  EXPECT_EQ(status.body, R"({"ksql":"LIST STREAMS;","n":1})");
}

TEST(ScenarioParser, NameDefaultsToTheFileStemAndEndpointToKusto) {
  auto r = parse_scenario(R"({"steps": [{"name": "ping", "path": "/v1/rest/ping"}]})",
                          "dir/my_scenario.json");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "my_scenario");
  EXPECT_EQ(r->endpoint, Endpoint::kusto);
}

TEST(ScenarioParser, SyntaxErrorNamesFileLineAndColumn) {
  EXPECT_EQ(
      error_of("{\n  \"name\": \"x\",\n  \"steps\": [,]\n}"),
      "s.json:3:13: invalid JSON: expected a value (object, array, string, number, true, false "
      "or null); fix the JSON syntax first");
}

TEST(ScenarioParser, UnknownFieldGetsADidYouMeanHint) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/",
  "expect": {"statsu": 200}}]})"),
            "s.json:2:14: unknown field \"statsu\" in \"expect\"; did you mean \"status\"?");
}

TEST(ScenarioParser, UnknownFieldWithoutACloseNameListsTheFields) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/", "zzzzzz": 1}]})"),
            "s.json:1:39: unknown field \"zzzzzz\" in a step; the fields are: name, method, path, "
            "headers, body, bodyFile, bodyLines, bodyLinesFile, gzip, streamForMs, http, expect, "
            "capture");
}

TEST(ScenarioParser, UnknownProtocolSuggestsTheClosestOne) {
  EXPECT_EQ(
      error_of(R"({"steps": [{"name": "a", "path": "/", "expect": {"protocol": "kusto-eror"}}]})"),
      "s.json:1:62: unknown protocol \"kusto-eror\"; did you mean \"kusto-error\"?");
}

TEST(ScenarioParser, UnknownMatcherIsLocated) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/",
  "expect": {"rules": {"matchers": {"$.id": "any-uuid"}}}}]})"),
            "s.json:2:45: unknown matcher \"any-uuid\"; did you mean \"any-guid\"?");
}

TEST(ScenarioParser, UndefinedVariableIsLocatedAndExplained) {
  EXPECT_EQ(error_of(R"({"steps": [
  {"name": "a", "path": "/x/${db}"}]})"),
            "s.json:2:25: undefined variable ${db}: define it in \"variables\", capture it in an "
            "earlier step, or pass --var db=VALUE");
}

TEST(ScenarioParser, ExternalVariablesAreDefined) {
  ParseOptions options;
  options.external_variables = {"db"};
  auto r = parse_scenario(R"({"steps": [{"name": "a", "path": "/x/${db}"}]})", "s.json", options);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(ScenarioParser, VariableUsedBeforeItsCaptureNamesTheCapturingStep) {
  EXPECT_EQ(error_of(R"({"steps": [
  {"name": "a", "path": "/status/${id}"},
  {"name": "b", "path": "/ksql", "capture": {"id": "$[0].commandId"}}]})"),
            "s.json:2:25: variable ${id} is used before step \"b\" captures it; move the step "
            "after the capture");
}

TEST(ScenarioParser, CapturedVariableIsDefinedForLaterSteps) {
  auto r = parse_scenario(R"({"steps": [
  {"name": "b", "path": "/ksql", "capture": {"id": "$[0].commandId"}},
  {"name": "a", "path": "/status/${id}", "headers": {"X": "${id}"}}]})",
                          "s.json");
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(ScenarioParser, UnterminatedVariableIsAnError) {
  EXPECT_THAT(error_of(R"({"steps": [{"name": "a", "path": "/x/${db"}]})"),
              HasSubstr("s.json:1:34: unterminated \"${\""));
}

TEST(ScenarioParser, BadStatusSaysWhatIsValid) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/", "expect": {"status": "200"}}]})"),
            "s.json:1:60: \"status\" must be an HTTP status code between 100 and 599, e.g. 200");
}

TEST(ScenarioParser, MissingStepsAndPathAreReported) {
  EXPECT_EQ(
      error_of(R"({"name": "x"})"),
      "s.json:1:1: missing field \"steps\": add \"steps\": [ {\"name\": ..., \"path\": ...} ]");
  EXPECT_EQ(
      error_of(R"({"steps": [{"name": "a"}]})"),
      "s.json:1:12: missing field \"path\": the request path and query, e.g. \"/v1/rest/ping\"");
}

TEST(ScenarioParser, DuplicateStepNamesAreRejected) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/"},
 {"name": "a", "path": "/"}]})"),
            "s.json:2:11: duplicate step name \"a\": step names must be unique in a scenario");
}

TEST(ScenarioParser, PathMustStartWithASlash) {
  EXPECT_THAT(error_of(R"({"steps": [{"name": "a", "path": "v1/rest/ping"}]})"),
              HasSubstr("s.json:1:34: \"path\" must start with '/'"));
}

TEST(ScenarioParser, BodyAndBodyFileAreExclusiveAndTheFileMustExist) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/", "body": "x", "bodyFile": "y"}]})"),
            "s.json:1:64: a step has either \"body\" or \"bodyFile\", not both");
  EXPECT_THAT(error_of(R"({"steps": [{"name": "a", "path": "/", "bodyFile": "nope.csv"}]})"),
              HasSubstr("s.json:1:51: cannot read bodyFile \"nope.csv\" (relative to the scenario "
                        "file)"));
}

TEST(ScenarioParser, GzipWithoutABodyIsAnError) {
  EXPECT_EQ(error_of(R"({"steps": [{"name": "a", "path": "/", "gzip": true}]})"),
            "s.json:1:47: \"gzip\": true needs a \"body\" or \"bodyFile\" to compress");
}

TEST(ScenarioParser, BadCapturePathIsLocated) {
  EXPECT_THAT(error_of(R"({"steps": [{"name": "a", "path": "/", "capture": {"x": "commandId"}}]})"),
              HasSubstr("s.json:1:56: invalid JSON path \"commandId\" at character 1"));
}

TEST(ScenarioParser, InvalidRegexIsLocated) {
  EXPECT_THAT(
      error_of(
          R"({"steps": [{"name": "a", "path": "/", "expect": {"headers": {"X": {"regex": "(a"}}}}]})"),
      HasSubstr("s.json:1:77: invalid regular expression \"(a\""));
}

TEST(ScenarioParser, EveryErrorOfAFileIsReportedOnItsOwnLine) {
  std::string message = error_of(R"({"nmae": "x", "steps": [
  {"name": "a", "path": "/", "method": "FETCH"},
  {"name": "b", "path": "/", "expect": {"status": 42}}]})");
  EXPECT_EQ(message,
            "s.json:1:2: unknown field \"nmae\" in a scenario; did you mean \"name\"?\n"
            "s.json:2:40: unsupported method \"FETCH\"; use one of GET, POST, PUT, DELETE, PATCH, "
            "HEAD, OPTIONS\n"
            "s.json:3:51: \"status\" must be an HTTP status code between 100 and 599, e.g. 200");
}

// 100,000 steps, each with an unknown field: every step and every error is located. Locating by
// rescanning the text made this quadratic (79 s at 16k steps, minutes at 100k); with the source
// map it is one pass, so this runs in the normal suite like any other test.
TEST(ScenarioParser, AHundredThousandStepsAreLocatedInOnePass) {
  constexpr int n = 100000;
  std::string text = "{\"steps\": [\n";
  for (int i = 0; i < n; ++i)
    text += std::string(i ? ",\n" : "") + "{\"name\": \"s" + std::to_string(i) +
            "\", \"path\": \"/p\", \"bogus\": 1}";
  text += "\n]}";
  std::string message = error_of(text);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), n - 1);
  std::string last_step = "{\"name\": \"s99999\", \"path\": \"/p\", ";
  EXPECT_THAT(message,
              ::testing::EndsWith("\ns.json:100001:" + std::to_string(last_step.size() + 1) +
                                  ": unknown field \"bogus\" in a step; the fields are: "
                                  "name, method, path, headers, body, bodyFile, bodyLines, "
                                  "bodyLinesFile, gzip, streamForMs, http, expect, capture"));
}

TEST(ScenarioParser, EscapedMemberNamesAreLocatedByTheirDecodedName) {
  // "na\u006de" is "name": known, so the unknown field after it is the one reported.
  EXPECT_EQ(error_of(R"({"steps": [{"na\u006de": "a", "path": "/", "m\u00e9thod": "GET"}]})"),
            "s.json:1:44: unknown field \"m\u00e9thod\" in a step; did you mean \"method\"?");
}

TEST(ScenarioParser, InvalidUtf8IsLocated) {
  std::string text = "{\"steps\": [{\"name\": \"a\",\n  \"path\": \"/\xff\"}]}";
  EXPECT_THAT(error_of(text), ::testing::StartsWith("s.json:2:13: invalid JSON: invalid UTF-8"));
}

TEST(ScenarioParser, OutOfRangeNumbersAreLocated) {
  EXPECT_THAT(error_of("{\"steps\": [{\"name\": \"a\", \"path\": \"/\",\n"
                       "  \"expect\": {\"status\": 123456789012345678901234567890}}]}"),
              ::testing::StartsWith("s.json:2:24: invalid JSON: the number "
                                    "123456789012345678901234567890 is out of range"));
  EXPECT_THAT(error_of("{\"steps\": [{\"name\": \"a\", \"path\": \"/\", \"streamForMs\": 1e999}]}"),
              ::testing::StartsWith("s.json:1:54: invalid JSON: the number 1e999 is out of range"));
  // In range for JSON but not for the field: the field's own message.
  EXPECT_THAT(error_of("{\"steps\": [{\"name\": \"a\", \"path\": \"/\",\n"
                       "  \"expect\": {\"status\": 18446744073709551615}}]}"),
              HasSubstr("s.json:2:24: \"status\" must be an HTTP status code"));
}

TEST(ScenarioParser, UnreadableFileNamesThePath) {
  auto r = load_scenario("/nonexistent/konform/x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("/nonexistent/konform/x.json"));
}

// A scenario with golden and bodyFile paths that leave its folder tree: each is refused at its
// field, and nothing outside is read.
TEST(ScenarioRoots, PathsOutsideTheRootAreRefusedAtTheirField) {
  ScratchDir dir;
  dir.write("outside.csv", "secret\n");
  std::string file = dir.write("s/a.json", R"({"steps": [
  {"name": "a", "path": "/", "bodyFile": "../outside.csv"},
  {"name": "b", "path": "/", "bodyFile": "/proc/self/environ"},
  {"name": "c", "path": "/", "bodyFile": "../../../../../../../../etc/passwd"},
  {"name": "d", "path": "/", "expect": {"golden": "../x.json"}},
  {"name": "e", "path": "/", "expect": {"golden": "/etc/passwd"}}]})");
  ParseOptions options;
  options.roots = {dir.path("s")};
  auto r = load_scenario(file, options);
  ASSERT_FALSE(r.ok());
  auto lines = r.error().message;
  EXPECT_THAT(lines, HasSubstr(file + ":2:42: bodyFile \"../outside.csv\" resolves to " +
                               dir.path("outside.csv") + ", outside the folder tree"));
  EXPECT_THAT(lines, HasSubstr(file + ":3:42: bodyFile \"/proc/self/environ\" is an absolute "
                                      "path; write it relative to the scenario file"));
  EXPECT_THAT(lines, HasSubstr(file + ":4:42: bodyFile \"../../../../../../../../etc/passwd\" "
                                      "resolves to /etc/passwd, outside"));
  EXPECT_THAT(lines, HasSubstr(file + ":5:51: golden \"../x.json\" resolves to"));
  EXPECT_THAT(lines, HasSubstr(file + ":6:51: golden \"/etc/passwd\" is an absolute path"));
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 4) << lines;
  EXPECT_THAT(lines, Not(HasSubstr("secret")));
  EXPECT_THAT(lines, Not(HasSubstr("root:")));
}

TEST(ScenarioRoots, ALinkInsideTheRootToAFileOutsideIsRefused) {
  ScratchDir dir;
  dir.write("outside.csv", "secret\n");
  fs::create_directories(dir.path("s"));
  fs::create_symlink(dir.path("outside.csv"), dir.path("s/inside.csv"));
  std::string file =
      dir.write("s/a.json", R"({"steps": [{"name": "a", "path": "/", "bodyFile": "inside.csv"}]})");
  ParseOptions options;
  options.roots = {dir.path("s")};
  auto r = load_scenario(file, options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr(file + ":1:51: bodyFile \"inside.csv\" resolves to " +
                                           dir.path("outside.csv")));
}

TEST(ScenarioRoots, SpecialAndOversizedBodyFilesAreRefusedWithoutReadingThem) {
  ScratchDir dir;
  ASSERT_EQ(::mkfifo(dir.path("fifo").c_str(), 0600), 0);
  fs::create_symlink("/dev/zero", dir.path("zero"));
  dir.write("big.csv", "");
  fs::resize_file(dir.path("big.csv"), kMaxBodyFile + 1); // sparse: costs no disk
  std::string file = dir.write("a.json", R"({"steps": [
  {"name": "a", "path": "/", "bodyFile": "fifo"},
  {"name": "b", "path": "/", "bodyFile": "big.csv"}]})");
  ParseOptions options;
  options.roots = {dir.path()};
  auto r = load_scenario(file, options); // a FIFO without a writer would block a plain open()
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr(file + ":2:42: cannot read bodyFile \"fifo\""));
  EXPECT_THAT(r.error().message, HasSubstr("is a FIFO (named pipe), expected a regular file"));
  EXPECT_THAT(r.error().message,
              HasSubstr(file +
                        ":3:42: cannot read bodyFile \"big.csv\" (relative to the "
                        "scenario file): " +
                        dir.path("big.csv") + ": larger than the limit of " +
                        std::to_string(kMaxBodyFile) + " bytes"));
  // /dev/zero through a link: outside the root; inside it (root /dev) it is a device.
  options.roots = {dir.path(), "/dev"};
  std::string zero =
      dir.write("z.json", R"({"steps": [{"name": "a", "path": "/", "bodyFile": "zero"}]})");
  auto z = load_scenario(zero, options);
  ASSERT_FALSE(z.ok());
  EXPECT_THAT(z.error().message, HasSubstr("zero: is a character device"));
}

TEST(ScenarioRoots, TheDefaultRootIsTheGitWorkTreeElseTheFolder) {
  ScratchDir dir;
  dir.write("repo/scenarios/k/a.json", "{}");
  EXPECT_EQ(default_root(dir.path("repo/scenarios")), resolved(dir.path("repo/scenarios")));
  EXPECT_EQ(default_root(dir.path("repo/scenarios/k/a.json")),
            resolved(dir.path("repo/scenarios/k")));
  fs::create_directories(dir.path("repo/.git"));
  EXPECT_EQ(default_root(dir.path("repo/scenarios")), resolved(dir.path("repo")));
  EXPECT_EQ(default_root(dir.path("repo/scenarios/k/a.json")), resolved(dir.path("repo")));
}

TEST(ScenarioRoots, AScenarioFileOutsideTheRootIsRefused) {
  ScratchDir dir;
  std::string file = dir.write("elsewhere/a.json", R"({"steps": [{"name": "a", "path": "/"}]})");
  ParseOptions options;
  options.roots = {dir.path("root")};
  auto r = load_scenario(file, options);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("outside the folder tree this run may use"));
}

TEST(ScenarioFiles, FoldersAreSearchedRecursivelySortedWithoutTheSchema) {
  ScratchDir dir;
  dir.write("schema.json", "{}");
  dir.write("b/two.json", "{}");
  dir.write("a/one.json", "{}");
  dir.write("a/body.csv", "x");
  auto files = find_scenario_files({dir.path()});
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(*files,
            (std::vector<std::string>{dir.path() + "/a/one.json", dir.path() + "/b/two.json"}));
}

TEST(ScenarioFiles, GoldensAndBodyFilesInASearchedFolderAreTheScenariosDataNotScenarios) {
  // A recording: session.json with its goldens and a JSON body file beside it.
  ScratchDir dir;
  std::string scenario = dir.write("rec/session.json", R"({"steps": [
    {"name": "q", "method": "POST", "path": "/v2/rest/query", "bodyFile": "session.bodies/1.json",
     "expect": {"golden": "session.golden/q.json"}}]})");
  dir.write("rec/session.golden/q.json", R"([{"FrameType": "DataSetHeader"}])");
  dir.write("rec/session.bodies/1.json", R"({"csl": "T"})");
  dir.write("rec/stray.json", R"([1, 2])"); // nobody reads it: still a (bad) scenario
  ParseOptions options;
  options.roots = {dir.path()};

  auto files = load_scenario_files({dir.path("rec")}, options);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].file, scenario);
  ASSERT_TRUE((*files)[0].scenario.ok()) << (*files)[0].scenario.error().message;
  EXPECT_EQ((*files)[1].file, dir.path("rec/stray.json"));
  EXPECT_FALSE((*files)[1].scenario.ok());

  // Named on the command line, a golden is read as a scenario, and fails as one.
  auto named = load_scenario_files({scenario, dir.path("rec/session.golden/q.json")}, options);
  ASSERT_TRUE(named.ok()) << named.error().message;
  ASSERT_EQ(named->size(), 2u);
  EXPECT_FALSE((*named)[1].scenario.ok());
}

TEST(ScenarioFiles, AMissingPathIsAnError) {
  auto files = find_scenario_files({"/nonexistent/konform"});
  ASSERT_FALSE(files.ok());
  EXPECT_THAT(files.error().message, HasSubstr("/nonexistent/konform: no such file or folder"));
}

TEST(ClosestName, FindsTyposAndCaseDifferencesOnly) {
  EXPECT_EQ(closest_name("Status", {"status", "headers"}), "status");
  EXPECT_EQ(closest_name("golen", {"status", "golden"}), "golden");
  EXPECT_EQ(closest_name("completely", {"status", "golden"}), "");
}

} // namespace
} // namespace konform::scenario

namespace konform::scenario {
namespace {

TEST(ScenarioParserHttp2, HttpAndBodyLinesAreParsedAndLocated) {
  auto sc = parse_scenario(R"({"http": "2", "steps": [
    {"name": "ins", "method": "POST", "path": "/inserts-stream",
     "bodyLines": [{"target": "S"}, {"A": "${x}"}, "raw line"]},
    {"name": "plain", "path": "/info", "http": "1.1"}]})",
                           "s.json", ParseOptions{{"x"}, {}, false});
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_TRUE(sc->http2);
  ASSERT_EQ(sc->steps[0].body_lines.size(), 3u);
  EXPECT_EQ(sc->steps[0].body_lines[0].text, R"({"target":"S"})");
  EXPECT_TRUE(sc->steps[0].body_lines[1].json);
  EXPECT_EQ(sc->steps[0].body_lines[2].text, "raw line");
  EXPECT_FALSE(sc->steps[0].body_lines[2].json);
  EXPECT_FALSE(sc->steps[0].http2.has_value());
  EXPECT_EQ(sc->steps[1].http2, std::optional<bool>(false));
}

TEST(ScenarioParserHttp2, BadHttpAndBodyLinesWithoutHttp2AreLocatedErrors) {
  auto bad_http = parse_scenario(R"({"steps": [{"name": "a", "path": "/", "http": 2}]})", "s.json");
  ASSERT_FALSE(bad_http.ok());
  EXPECT_THAT(bad_http.error().message, ::testing::HasSubstr("s.json:1:47: \"http\" is \"2\""));
  auto needs_h2 =
      parse_scenario(R"({"steps": [{"name": "a", "path": "/", "bodyLines": ["x"]}]})", "s.json");
  ASSERT_FALSE(needs_h2.ok());
  EXPECT_THAT(needs_h2.error().message, ::testing::HasSubstr("needs HTTP/2"));
  // check --http2 makes every request HTTP/2: then no "http" field is needed.
  EXPECT_TRUE(parse_scenario(R"({"steps": [{"name": "a", "path": "/", "bodyLines": ["x"]}]})",
                             "s.json", ParseOptions{{}, {}, true})
                  .ok());
  auto both = parse_scenario(
      R"({"http": "2", "steps": [{"name": "a", "path": "/", "body": "b", "bodyLines": ["x"]}]})",
      "s.json");
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(both.error().message, ::testing::HasSubstr("not both"));
  auto broken = parse_scenario(
      R"({"http": "2", "steps": [{"name": "a", "path": "/", "bodyLines": ["x\ny"]}]})", "s.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().message, ::testing::HasSubstr("line break"));
}

} // namespace
} // namespace konform::scenario
