// `konform diff` end to end, as a CI job runs it: `konform serve` processes on loopback as
// baseline, second baseline and candidates, the bundled Kusto and ksqlDB scenarios with the
// protocol defaults off (ids and timestamps must be learned as noise, nothing lists them).
#include "core/file.h"
#include "json/document.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"
#include "test_support/serve_process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <set>

namespace konform {
namespace {

using test_support::run_binary;
using test_support::ServeProcess;
using ::testing::HasSubstr;

// The data both baselines (and the unchanged candidate) serve: the tables the bundled Kusto
// scenarios query. The changed candidate has one cell changed (row 0's EventType) and one extra
// column (Source).
constexpr std::string_view kStormSchema =
    "StartTime:datetime, EventId:long, State:string, EventType:string, DamageProperty:long";
constexpr std::string_view kStormRows = "2007-01-01T00:00:00Z,100001,FLORIDA,Tornado,5000\n"
                                        "2007-01-02T10:30:00Z,100002,TEXAS,Hail,0\n"
                                        "2007-01-03T10:30:00Z,100003,GEORGIA,Flood,12000\n"
                                        "2007-01-04T10:30:00Z,100004,TEXAS,Tornado,80000\n";
constexpr std::string_view kChangedRows =
    "2007-01-01T00:00:00Z,100001,FLORIDA,Waterspout,5000,Public\n"
    "2007-01-02T10:30:00Z,100002,TEXAS,Hail,0,Public\n"
    "2007-01-03T10:30:00Z,100003,GEORGIA,Flood,12000,Public\n"
    "2007-01-04T10:30:00Z,100004,TEXAS,Tornado,80000,Public\n";
constexpr std::string_view kStatesSchema = "State:string, Abbreviation:string, Population:long";
constexpr std::string_view kStatesRows = "FLORIDA,FL,21538187\nTEXAS,TX,29145505\n"
                                         "GEORGIA,GA,10711908\nKANSAS,KS,2937880\n";

json::Document read_json(const std::string& path) {
  auto text = file::read(path);
  EXPECT_TRUE(text.ok()) << path;
  auto doc = json::Document::parse(text.ok() ? *text : "{}", path);
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  return std::move(*doc);
}

// The grouped paths of a diff JSON report, beyond noise or noise.
std::set<std::string> group_paths(const json::Document& report, bool noise) {
  std::set<std::string> out;
  // Held by name: a range-for over value() of a temporary simdjson_result reads a dead object.
  simdjson::dom::array groups = report.root()["groups"].get_array().value();
  for (auto g : groups) {
    if (g["noise"].get_bool().value() == noise)
      out.insert(std::string(g["path"].get_string().value()));
  }
  return out;
}

// Every comparison starts fresh `konform serve` processes: the sides must share their history
// (a ksqlDB commandSequenceNumber counts the commands a server has run), as two deployments of
// one version would in a CI job.
class DiffCli : public ::testing::Test {
protected:
  DiffCli() {
    dir.write("same/Samples/StormEvents.schema", std::string(kStormSchema));
    dir.write("same/Samples/StormEvents.csv", std::string(kStormRows));
    dir.write("same/Samples/States.schema", std::string(kStatesSchema));
    dir.write("same/Samples/States.csv", std::string(kStatesRows));
    dir.write("changed/Samples/StormEvents.schema", std::string(kStormSchema) + ", Source:string");
    dir.write("changed/Samples/StormEvents.csv", std::string(kChangedRows));
    dir.write("changed/Samples/States.schema", std::string(kStatesSchema));
    dir.write("changed/Samples/States.csv", std::string(kStatesRows));
  }

  // --kusto-NAME URL --ksql-NAME URL of a fresh server on the "same" or "changed" data.
  std::string side(const std::string& name, const char* data = "same") {
    servers.push_back(std::make_unique<ServeProcess>(
        std::vector<std::string>{"--quiet", "--data", dir.path(data)}));
    const auto& p = *servers.back();
    EXPECT_FALSE(p.kusto_url().empty()) << p.log();
    return " --kusto-" + name + " " + p.kusto_url() + " --ksql-" + name + " " + p.ksql_url();
  }
  static std::string scenarios() {
    return std::string(KONFORM_SOURCE_DIR) + "/scenarios --no-protocol-defaults";
  }
  // The diff of fresh baseline, second baseline and candidate on `data`.
  test_support::Run three_way(const char* data, const std::string& extra) {
    return run_binary("diff " + scenarios() + side("baseline") + side("baseline2") +
                      side("candidate", data) + " " + extra);
  }

  test_support::ScratchDir dir{"konform-diff"};
  std::vector<std::unique_ptr<ServeProcess>> servers;
};

TEST_F(DiffCli, SameDataDiffersOnlyInLearnedNoiseWhichIsIdsTimestampsAndQueryIds) {
  auto run = three_way("same", "--json " + dir.path("same.json"));
  ASSERT_EQ(run.code, 0) << run.output;
  auto report = read_json(dir.path("same.json"));
  EXPECT_EQ(report.root()["format"].get_string().value(), "konform-diff-report");
  EXPECT_EQ(report.root()["verdict"].get_string().value(), "passed");
  EXPECT_TRUE(group_paths(report, false).empty()) << run.output;

  std::set<std::string> noise;
  simdjson::dom::array entries = report.root()["noise"].get_array().value();
  for (auto n : entries)
    noise.insert(std::string(n["path"].get_string().value()));
  // Learned, not listed: the protocol defaults are off, so these only show up because the
  // baseline differed from its second instance there.
  for (const char* expected :
       {"QueryCompletionInformation[*].ActivityId", "QueryCompletionInformation[*].Timestamp",
        "QueryStatus[*].RequestId", "TableOfContents[*].Id", "header.queryId", "queryId"})
    EXPECT_TRUE(noise.count(expected)) << expected << " not learned; output:\n" << run.output;
  // Everything learned is an id or a time: named so (ActivityId, timestamp, queryId, processId,
  // activityStack, LastUpdatedOn), the text line of an error that carries them, or the rows of
  // QueryCompletionInformation where a step compares rows in any order (rows whose ids differ
  // cannot pair up).
  std::regex id_or_time("(?:[Ii]ds?|[Tt]imestamp|[Tt]ime|On|activityStack|line [0-9]+)$|"
                        "^QueryCompletionInformation(\\[\\*\\]|\\.Rows)$");
  for (const auto& path : noise)
    EXPECT_TRUE(std::regex_search(path, id_or_time)) << "unexpected noise path " << path;
  EXPECT_EQ(std::count_if(noise.begin(), noise.end(),
                          [](const std::string& p) {
                            return p.rfind("PrimaryResult[*].", 0) == 0 &&
                                   p.find("OneApiErrors") == std::string::npos &&
                                   p != "PrimaryResult[*].LastUpdatedOn";
                          }),
            0);
}

TEST_F(DiffCli, AChangedCellAndAnExtraColumnAreExactlyTwoGroupedDifferences) {
  auto run =
      three_way("changed", "--json " + dir.path("changed.json") + " --junit " +
                               dir.path("changed.xml") + " --html " + dir.path("changed.html"));
  ASSERT_EQ(run.code, 1) << run.output;
  auto report = read_json(dir.path("changed.json"));
  EXPECT_EQ(report.root()["verdict"].get_string().value(), "failed");
  EXPECT_EQ(group_paths(report, false),
            (std::set<std::string>{"PrimaryResult.Columns.Source", "PrimaryResult[*].EventType"}))
      << run.output;
  // Held by name: a range-for over value() of a temporary simdjson_result reads a dead object.
  simdjson::dom::array groups = report.root()["groups"].get_array().value();
  for (auto g : groups) {
    if (g["noise"].get_bool().value()) continue;
    // "StormEvents | take 3" as v1 and as v2: one group each, counted over both steps.
    EXPECT_EQ(g["count"].get_int64().value(), 2);
    auto examples = g["examples"].get_array().value();
    ASSERT_EQ(examples.size(), 2u);
    EXPECT_THAT(std::string(examples.at(0)["candidateRequestId"].get_string().value()),
                HasSubstr("konform.kusto-query-v"));
  }
  EXPECT_THAT(run.output, HasSubstr("PrimaryResult[*].EventType: \"Tornado\" → \"Waterspout\""));

  // JUnit: one testcase per step, the two differing steps failed.
  auto junit = file::read(dir.path("changed.xml"));
  ASSERT_TRUE(junit.ok());
  auto steps = report.root()["steps"].get_array().value().size();
  std::size_t testcases = 0, failures = 0;
  for (std::size_t at = 0; (at = junit->find("<testcase ", at)) != std::string::npos; ++at)
    ++testcases;
  for (std::size_t at = 0; (at = junit->find("<failure ", at)) != std::string::npos; ++at)
    ++failures;
  EXPECT_EQ(testcases, steps);
  EXPECT_EQ(failures, 2u);
  auto html = file::read(dir.path("changed.html"));
  ASSERT_TRUE(html.ok());
  EXPECT_THAT(*html, HasSubstr("<td class=\"path\">PrimaryResult[*].EventType</td>"));
  EXPECT_THAT(*html, HasSubstr("class=\"noise-mark\""));
}

TEST_F(DiffCli, ALearnedNoiseFileGivesTheSameVerdictsWithoutTheSecondBaseline) {
  std::string noise_file = dir.path("noise.json");
  auto learn = three_way("same", "--learn-noise " + noise_file);
  ASSERT_EQ(learn.code, 0) << learn.output;
  auto text = file::read(noise_file);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("\"format\": \"konform-noise\""));
  // One round, no second baseline: nothing is learned in this run, the file is all the noise.
  auto gate = [&](const char* data, const std::string& extra) {
    return run_binary("diff " + scenarios() + side("baseline") + side("candidate", data) +
                      " --repeat 1 " + extra);
  };
  auto same = gate("same", "--noise " + noise_file);
  EXPECT_EQ(same.code, 0) << same.output;
  auto changed = gate("changed", "--noise " + noise_file + " --json " + dir.path("c.json"));
  EXPECT_EQ(changed.code, 1) << changed.output;
  auto report = read_json(dir.path("c.json"));
  EXPECT_EQ(group_paths(report, false),
            (std::set<std::string>{"PrimaryResult.Columns.Source", "PrimaryResult[*].EventType"}));
  // Without the file, the same single round reports the ids as differences.
  auto without = gate("same", "");
  EXPECT_EQ(without.code, 1) << without.output;
}

TEST_F(DiffCli, RepeatingTheBaselineLearnsTheSameNoise) {
  auto run = run_binary("diff " + scenarios() + " --filter kusto-query-v2" + side("baseline") +
                        side("candidate") + " --repeat 2");
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr(" paths (baseline asked 2 times)"));
}

TEST_F(DiffCli, AnUnreachableCandidateExitsThreeNamingIt) {
  auto run =
      run_binary("diff " + scenarios() + side("baseline") + " --candidate http://127.0.0.1:1");
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_THAT(run.output, HasSubstr("the candidate http://127.0.0.1:1 is unreachable"));
}

TEST_F(DiffCli, AnInvalidNoiseFileExitsTwoWithItsLocation) {
  auto bad = dir.write("bad-noise.json", "{\"format\": \"konform-noise\", \"version\": 1,\n"
                                         "  \"noise\": [{\"scenario\": \"*\", \"step\": 3}]}\n");
  auto run = run_binary("diff " + scenarios() +
                        " --baseline http://127.0.0.1:1 --candidate "
                        "http://127.0.0.1:1 --noise " +
                        bad);
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr(bad + ":2:39: noise[0].step must be a non-empty string"));
}

TEST_F(DiffCli, AnInvalidScenarioExitsTwoWithItsLocationAndTheOthersStillRun) {
  auto bad = dir.write("scenarios/bad.json",
                       "{\"name\": \"bad\", \"endpoint\": \"kusto\",\n \"steps\": [{\"name\": "
                       "\"a\", \"path\": \"/v1/rest/ping\", \"methd\": \"GET\"}]}\n");
  dir.write("scenarios/ping.json", "{\"name\": \"ping\", \"endpoint\": \"kusto\", \"steps\": "
                                   "[{\"name\": \"ping\", \"path\": \"/v1/rest/ping\", "
                                   "\"expect\": {\"protocol\": \"text\"}}]}\n");
  auto run = run_binary("diff " + dir.path("scenarios") + side("baseline") + side("candidate"));
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_THAT(run.output, HasSubstr(bad + ":2:"));
  EXPECT_THAT(run.output, HasSubstr("unknown field \"methd\""));
  EXPECT_THAT(run.output, HasSubstr("ok   ping / ping")); // the good scenario still ran
}

TEST_F(DiffCli, TheTokenGoesToBothSidesAndIntoNoOutput) {
  const std::string token = "diff-secret-4d1f";
  auto secured = [&](const std::string& name) {
    servers.push_back(std::make_unique<ServeProcess>(
        std::vector<std::string>{"--quiet", "--data", dir.path("same"), "--token", token}));
    const auto& p = *servers.back();
    return " --kusto-" + name + " " + p.kusto_url() + " --ksql-" + name + " " + p.ksql_url();
  };
  auto run = run_binary("diff " + scenarios() + " --filter kusto-query-v1" + secured("baseline") +
                        secured("candidate") + " --token " + token + " --json " +
                        dir.path("t.json") + " --html " + dir.path("t.html") + " --junit " +
                        dir.path("t.xml") + " --learn-noise " + dir.path("t-noise.json"));
  // Both sides answered the queries (without the token both would say 401 alike, and there would
  // be no QueryStatus table whose ids differ).
  EXPECT_EQ(run.code, 0) << run.output;
  auto report = read_json(dir.path("t.json"));
  std::set<std::string> noise;
  simdjson::dom::array entries = report.root()["noise"].get_array().value();
  for (auto n : entries)
    noise.insert(std::string(n["path"].get_string().value()));
  EXPECT_TRUE(noise.count("QueryStatus[*].ActivityId")) << run.output;
  EXPECT_EQ(run.output.find(token), std::string::npos);
  for (const char* f : {"t.json", "t.html", "t.xml", "t-noise.json"}) {
    auto text = file::read(dir.path(f));
    ASSERT_TRUE(text.ok()) << f;
    EXPECT_EQ(text->find(token), std::string::npos) << f;
  }
}

TEST_F(DiffCli, ReportsModeNamesWhatChangedAndRefusesDifferentFormats) {
  auto kusto_v1 = [&](const char* data, const std::string& json) {
    return run_binary("diff " + scenarios() + " --filter kusto-query-v1" + side("baseline") +
                      side("baseline2") + side("candidate", data) + " --json " + json);
  };
  std::string same_json = dir.path("same.json"), changed_json = dir.path("changed.json");
  ASSERT_EQ(kusto_v1("same", same_json).code, 0);
  ASSERT_EQ(kusto_v1("changed", changed_json).code, 1);
  auto changes = run_binary("diff --reports " + same_json + " " + changed_json);
  EXPECT_EQ(changes.code, 1) << changes.output;
  EXPECT_THAT(changes.output, HasSubstr("newly failing (1)"));
  EXPECT_THAT(changes.output, HasSubstr("differences appeared (2)"));
  EXPECT_THAT(changes.output, HasSubstr("PrimaryResult[*].EventType"));
  auto back = run_binary("diff --reports " + changed_json + " " + same_json);
  EXPECT_EQ(back.code, 0) << back.output;
  EXPECT_THAT(back.output, HasSubstr("newly passing (1)"));

  auto check = dir.write("check.json", "{\"format\": \"konform-check-report\", \"version\": 1, "
                                       "\"scenarios\": []}\n");
  auto mixed = run_binary("diff --reports " + check + " " + same_json);
  EXPECT_EQ(mixed.code, 2) << mixed.output;
  EXPECT_THAT(mixed.output, HasSubstr(same_json + ":2:13: this is a konform-diff-report"));
  EXPECT_THAT(mixed.output, HasSubstr("is a konform-check-report"));
}

} // namespace
} // namespace konform
