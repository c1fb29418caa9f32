// Regression gates against a baseline run: reading saved results (and refusing bad ones with a
// location), the old/new/ratio table, the --max-regression verdicts and the settings check.
#include "load/baseline.h"
#include "load/report.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

// A run whose latencies are `scale` × 0.1 .. 100 ms and whose rate is `rps`.
LoadResult run(double scale, double rps, std::vector<std::string> settings = {}) {
  LoadResult r;
  r.open_model = true;
  r.target_rate = 1000;
  r.duration_s = 1.0;
  StepResult query, mgmt;
  query.name = "query";
  mgmt.name = "mgmt";
  for (int i = 1; i <= 1000; ++i) {
    const auto v = static_cast<std::int64_t>(i * 100 * scale);
    r.corrected.record(v);
    r.uncorrected.record(v / 2);
    (i % 2 ? query : mgmt).corrected.record(v);
    (i % 2 ? query : mgmt).uncorrected.record(v / 2);
  }
  r.counters.requests = static_cast<std::uint64_t>(rps);
  query.counters.requests = r.counters.requests / 2;
  mgmt.counters.requests = r.counters.requests - query.counters.requests;
  r.steps = {query, mgmt};
  r.settings = settings.empty() ? std::vector<std::string>{"threads=2", "connections=10",
                                                           "model=open", "shard=0/1", "steps=2"}
                                : settings;
  return r;
}

const ComparisonRow* row(const Comparison& c, std::string_view step, std::string_view metric) {
  for (const auto& r : c.rows)
    if (r.step == step && r.metric == metric) return &r;
  return nullptr;
}

std::vector<RegressionLimit> limits(std::initializer_list<const char*> texts) {
  std::vector<RegressionLimit> out;
  for (const auto* t : texts) {
    auto l = parse_max_regression(t);
    EXPECT_TRUE(l.ok()) << t << ": " << (l.ok() ? "" : l.error().message);
    if (l) out.push_back(*l);
  }
  return out;
}

TEST(Baseline, ReadsBackWhatLoadWritesWithEveryComparedMetric) {
  const auto r = run(1, 1000);
  auto s = read_run_json(to_json(r), "OLD.json");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->model, "open");
  EXPECT_DOUBLE_EQ(s->target_rps, 1000);
  EXPECT_EQ(s->step_names, (std::vector<std::string>{"query", "mgmt"}));
  for (const auto& m : compared_metrics()) {
    ASSERT_NE(s->total.find(m), nullptr) << m;
    EXPECT_TRUE(s->total.find(m)->value.has_value()) << m;
  }
  EXPECT_DOUBLE_EQ(*s->total.find("p99")->value,
                   static_cast<double>(r.corrected.value_at_percentile(99)));
  EXPECT_DOUBLE_EQ(*s->total.find("uncorrected_p99.9")->value,
                   static_cast<double>(r.uncorrected.value_at_percentile(99.9)));
  EXPECT_DOUBLE_EQ(*s->total.find("rps")->value, 1000);
  ASSERT_EQ(s->steps.size(), 2u);
  EXPECT_DOUBLE_EQ(*s->steps[0].find("rps")->value, 500);
}

TEST(Baseline, TableShowsOldNewAndRatioForTheRunAndEachStep) {
  const auto old_run = summarize(run(1, 1000), "OLD.json");
  const auto new_run = summarize(run(1.2, 900));
  const auto c = compare_runs(old_run, new_run, {});
  const auto* p99 = row(c, "", "p99");
  ASSERT_NE(p99, nullptr);
  ASSERT_TRUE(p99->ratio.has_value());
  EXPECT_NEAR(*p99->ratio, 1.2, 0.01);
  const auto* rps = row(c, "", "rps");
  ASSERT_NE(rps, nullptr);
  EXPECT_NEAR(*rps->ratio, 0.9, 1e-9);
  for (const char* m : {"p50", "p90", "p99.9", "uncorrected_p50", "uncorrected_p99", "error_rate"})
    EXPECT_NE(row(c, "", m), nullptr) << m;
  const auto* step_p99 = row(c, "query", "p99");
  ASSERT_NE(step_p99, nullptr);
  EXPECT_NEAR(*step_p99->ratio, 1.2, 0.01);
  EXPECT_FALSE(c.failed()); // no limits: a table, no verdict

  const auto text = comparison_text(c, old_run);
  EXPECT_NE(text.find("Against the baseline OLD.json"), std::string::npos) << text;
  EXPECT_NE(text.find("step 'query'"), std::string::npos) << text;
  EXPECT_NE(text.find("0.900"), std::string::npos) << text; // the rps ratio
}

TEST(Baseline, GatesFailBeyondTheLimitAndNameEachMetric) {
  const auto old_run = summarize(run(1, 1000), "OLD.json");
  const auto new_run = summarize(run(1.2, 900));
  const auto ls = limits({"p99=10%", "rps=5%", "p50=25%", "step:query:p99.9=30%"});
  const auto c = compare_runs(old_run, new_run, ls);
  ASSERT_EQ(c.gates.size(), 4u);
  EXPECT_FALSE(c.gates[0].passed) << c.gates[0].explanation; // p99 +20% > 10%
  EXPECT_NE(c.gates[0].explanation.find("p99 +20"), std::string::npos) << c.gates[0].explanation;
  EXPECT_FALSE(c.gates[1].passed) << c.gates[1].explanation; // rps −10% > 5%
  EXPECT_NE(c.gates[1].explanation.find("rps -10.0%"), std::string::npos) << c.gates[1].explanation;
  EXPECT_TRUE(c.gates[2].passed) << c.gates[2].explanation; // p50 +20% <= 25%
  EXPECT_TRUE(c.gates[3].passed) << c.gates[3].explanation; // a step's p99.9, +20% <= 30%
  EXPECT_TRUE(c.failed());
  const auto text = comparison_text(c, old_run);
  EXPECT_NE(text.find("regression FAILED: p99=10%"), std::string::npos) << text;
  EXPECT_NE(text.find("regression FAILED: rps=5%"), std::string::npos) << text;
  EXPECT_NE(text.find("regression ok:     p50=25%"), std::string::npos) << text;

  // The same run against itself passes every gate, even a 0% one.
  const auto same = compare_runs(old_run, summarize(run(1, 1000)), limits({"p99=0%", "rps=0%"}));
  EXPECT_FALSE(same.failed());
  // A faster run is no regression.
  EXPECT_FALSE(compare_runs(old_run, summarize(run(0.5, 2000)), ls).failed());
}

TEST(Baseline, ErrorRateLimitIsInPercentagePoints) {
  auto bad = run(1, 1000);
  bad.counters.errors.status = 10;
  bad.counters.errors.failed_responses = 10; // 1% of 1000
  const auto old_run = summarize(run(1, 1000), "OLD.json");
  EXPECT_TRUE(compare_runs(old_run, summarize(bad), limits({"error_rate=0.5%"})).failed());
  EXPECT_FALSE(compare_runs(old_run, summarize(bad), limits({"error_rate=2%"})).failed());
}

TEST(Baseline, GateOnAMetricOneSideDidNotMeasureFails) {
  const auto old_run = summarize(run(1, 1000), "OLD.json");
  auto no_uncorrected = run(1, 1000);
  no_uncorrected.uncorrected = Histogram();
  for (auto& s : no_uncorrected.steps)
    s.uncorrected = Histogram();
  const auto c = compare_runs(old_run, summarize(no_uncorrected),
                              limits({"uncorrected_p99=10%", "step:nope:p99=10%"}));
  ASSERT_EQ(c.gates.size(), 2u);
  EXPECT_FALSE(c.gates[0].passed);
  EXPECT_NE(c.gates[0].explanation.find("not measured in this run"), std::string::npos)
      << c.gates[0].explanation;
  EXPECT_FALSE(c.gates[1].passed);
  EXPECT_NE(c.gates[1].explanation.find("not measured in OLD.json"), std::string::npos)
      << c.gates[1].explanation;
}

TEST(Baseline, DifferentSettingsAreNamed) {
  const auto base = summarize(run(1, 1000), "OLD.json");
  EXPECT_TRUE(setting_differences(base, summarize(run(1.5, 800))).empty())
      << "slower is a result, not a setting";

  auto other = run(1, 1000, {"threads=2", "connections=50", "model=open", "shard=0/1", "steps=2"});
  other.target_rate = 2000;
  other.steps[1].name = "ingest";
  const auto diffs = setting_differences(base, summarize(other));
  ASSERT_EQ(diffs.size(), 3u);
  EXPECT_EQ(diffs[0], "rate (target requests/s): 1000.000 in OLD.json, 2000.000 in this run");
  EXPECT_EQ(diffs[1], "connections: 10 in OLD.json, 50 in this run");
  EXPECT_EQ(diffs[2], "steps: only in OLD.json: mgmt; only in this run: ingest");

  auto closed = run(1, 1000);
  closed.open_model = false;
  closed.target_rate = 0;
  const auto model = setting_differences(base, summarize(closed));
  ASSERT_FALSE(model.empty());
  EXPECT_EQ(model[0], "model: open in OLD.json, closed in this run");
}

TEST(Baseline, BadBaselineFilesAreRefusedWithFileLineColumn) {
  auto syntax = read_run_json("{\n  \"version\": 1,\n  \"model\": open\n}", "OLD.json");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().message.rfind("OLD.json:3:", 0), 0u) << syntax.error().message;

  auto empty = read_run_json("", "OLD.json");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message.rfind("OLD.json:", 0), 0u) << empty.error().message;

  auto not_result = read_run_json("[1, 2]", "OLD.json");
  ASSERT_FALSE(not_result.ok());
  EXPECT_EQ(not_result.error().message.rfind("OLD.json:1:1: expected a JSON object", 0), 0u)
      << not_result.error().message;

  auto version = read_run_json("{\n  \"version\": 7\n}", "OLD.json");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().message.rfind("OLD.json:2:14: \"version\" is 7", 0), 0u)
      << version.error().message;

  // A field of the right name with the wrong type is pointed at.
  auto text = to_json(run(1, 1000));
  const auto at = text.find("\"rps\": ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find(',', at) - at, "\"rps\": \"fast\"");
  auto wrong = read_run_json(text, "OLD.json");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("\"rps\" must be a number"), std::string::npos)
      << wrong.error().message;
  EXPECT_NE(wrong.error().message.find("konform load --json"), std::string::npos);
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  EXPECT_EQ(wrong.error().message.rfind("OLD.json:" + std::to_string(line) + ":", 0), 0u)
      << wrong.error().message;
}

TEST(Baseline, MaxRegressionParsesTheDocumentedFormsAndExplainsBadOnes) {
  auto p99 = parse_max_regression("p99=10%");
  ASSERT_TRUE(p99.ok());
  EXPECT_EQ(p99->metric, "p99");
  EXPECT_TRUE(p99->step.empty());
  EXPECT_DOUBLE_EQ(p99->limit, 0.10);
  auto step = parse_max_regression("step:GET /v1:rest:p99.9 = 2.5%");
  ASSERT_TRUE(step.ok()) << step.error().message;
  EXPECT_EQ(step->step, "GET /v1:rest");
  EXPECT_EQ(step->metric, "p99.9");
  EXPECT_DOUBLE_EQ(step->limit, 0.025);

  for (const char* bad :
       {"p99", "p99=10", "p98=10%", "rps=100%", "p99=-1%", "p99=x%", "step:p99=1%"}) {
    auto r = parse_max_regression(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find(std::string("'") + bad + "'"), std::string::npos)
        << r.error().message;
  }
  EXPECT_NE(parse_max_regression("p98=10%").error().message.find("uncorrected_p99.9"),
            std::string::npos);
}

} // namespace
} // namespace konform::load

namespace konform::load {
namespace {

TEST(Baseline, PlannedIdentityMatchesWhatTheRunRecords) {
  LoadOptions o;
  o.rate = 1000;
  o.threads = 4;
  o.connections = 2; // never more threads than connections
  o.shard = {1, 4};
  o.steps.resize(2);
  o.steps[0].name = "query";
  o.steps[1].name = "mgmt";
  const auto planned = planned_identity(o, "the planned run");
  // What run_load.cpp records for it (settings and per-step names), read back from its JSON.
  auto recorded =
      run(1, 1000, {"threads=2", "connections=2", "model=open", "shard=1/4", "steps=2"});
  recorded.target_rate = 250; // -R is the whole run's: a shard sends 1/N of it
  EXPECT_TRUE(setting_differences(summarize(recorded), planned).empty());
  o.connections = 8;
  const auto diffs = setting_differences(summarize(recorded, "OLD.json"), planned_identity(o));
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0], "threads: 2 in OLD.json, 4 in this run");
  EXPECT_EQ(diffs[1], "connections: 2 in OLD.json, 8 in this run");
}

} // namespace
} // namespace konform::load
