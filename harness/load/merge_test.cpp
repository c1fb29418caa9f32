// `konform merge` on logs built in memory: histograms add exactly, counters travel in the summary
// comment, and damaged input is reported with its place while the rest is merged.
#include "json/document.h"
#include "load/merge.h"
#include "load/report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace konform::load {
namespace {

// A log as `konform load --hlog` writes it, for `intervals` one-second intervals; `all` and
// `step_uncorrected` get the corrected and the step's uncorrected histograms added.
std::string shard_log(int offset, int intervals, std::uint64_t status_503, Histogram& all,
                      Histogram* step_uncorrected = nullptr) {
  LoadResult r;
  r.open_model = true;
  r.duration_s = intervals;
  r.target_rate = 50;
  r.steps.push_back(StepResult{});
  r.steps[0].name = "query one";
  std::string log = hlog_header(1'700'000'000.0, "test");
  for (int k = 0; k < intervals; ++k) {
    Histogram c, u, lag, su;
    for (int i = 1; i <= 50; ++i) {
      c.record(offset + i * 100 + k);
      u.record(i * 10);
      lag.record(i);
      su.record(offset * 3 + i * 37 + k * 11); // unlike every other histogram of the log
    }
    (void)all.add(c);
    if (step_uncorrected) (void)step_uncorrected->add(su);
    (void)r.corrected.add(c);
    r.counters.requests += 50;
    r.steps[0].counters.requests += 50;
    IntervalView v;
    v.start_epoch_s = 1'700'000'000.0 + k;
    v.length_s = 1.0;
    v.corrected = &c;
    v.uncorrected = &u;
    v.lag = &lag;
    v.steps.push_back({"query one", &c, &su});
    log += hlog_interval_lines(v, 1'700'000'000.0);
  }
  r.counters.status[200] = r.counters.requests - status_503;
  r.counters.status[503] = status_503;
  r.counters.errors.status = status_503;
  r.counters.errors.failed_responses = status_503;
  r.dropped = 3;
  r.unfinished = 1;
  log += hlog_summary_comment(r);
  return log;
}

// A log of a konform build before step-uncorrected: the same lines without those.
std::string without_step_uncorrected(const std::string& log) {
  std::istringstream in(log);
  std::string out, line;
  while (std::getline(in, line))
    if (!line.starts_with("Tag=step-uncorrected:")) out += line + "\n";
  return out;
}

// The JSON report's numbers for one latency object equal those of `expected`.
void expect_latency_json(simdjson::dom::element lat, const Histogram& expected,
                         const std::string& what) {
  std::int64_t v = 0;
  ASSERT_EQ(lat["count"].get(v), simdjson::SUCCESS) << what;
  EXPECT_EQ(v, expected.total_count()) << what;
  for (const auto& [key, p] : {std::pair<const char*, double>{"p50", 50},
                               {"p90", 90},
                               {"p99", 99},
                               {"p99_9", 99.9},
                               {"p99_99", 99.99}}) {
    ASSERT_EQ(lat[key].get(v), simdjson::SUCCESS) << what << " " << key;
    EXPECT_EQ(v, expected.value_at_percentile(p)) << what << " " << key;
  }
  ASSERT_EQ(lat["max"].get(v), simdjson::SUCCESS) << what;
  EXPECT_EQ(v, expected.max()) << what;
  ASSERT_EQ(lat["min"].get(v), simdjson::SUCCESS) << what;
  EXPECT_EQ(v, expected.min()) << what;
}

TEST(Merge, AddsHistogramsExactlyAndSumsCounters) {
  Histogram all;
  const auto a = shard_log(0, 4, 2, all);
  const auto b = shard_log(7, 4, 5, all);
  auto merged = merge_hlogs({{"a.hlog", a}, {"b.hlog", b}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const auto& r = merged->result;
  EXPECT_TRUE(merged->problems.empty());
  EXPECT_TRUE(r.corrected.same_counts(all));
  EXPECT_EQ(r.counters.requests, 400u);
  EXPECT_EQ(r.counters.status.at(503), 7u);
  EXPECT_EQ(r.counters.errors.status, 7u);
  EXPECT_EQ(r.dropped, 6u);
  EXPECT_EQ(r.unfinished, 2u);
  EXPECT_EQ(r.attempted(), 406u);
  EXPECT_EQ(r.failed(), 13u);
  EXPECT_TRUE(r.open_model);
  EXPECT_DOUBLE_EQ(r.duration_s, 4.0); // shards run side by side
  EXPECT_DOUBLE_EQ(r.rps(), 100.0);
  EXPECT_DOUBLE_EQ(r.target_rate, 100.0);
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].name, "query_one");
  EXPECT_EQ(r.steps[0].counters.requests, 400u);
  EXPECT_EQ(r.steps[0].corrected.total_count(), 400);
  EXPECT_EQ(r.uncorrected.total_count(), 400);
  EXPECT_EQ(r.lag.total_count(), 400);
  const auto text = summary_text(r);
  EXPECT_NE(text.find("400 requests in 4.00s"), std::string::npos) << text;
  EXPECT_NE(text.find("503=7"), std::string::npos) << text;
}

// Summaries of builds before failed_responses: a response in status or protocol failed once.
TEST(Merge, OlderSummariesStillGiveTheErrorRate) {
  Histogram all;
  auto a = shard_log(0, 2, 4, all);
  for (const std::string field : {"\"malformed\":0,", ",\"failed_responses\":4"}) {
    const auto at = a.find(field);
    ASSERT_NE(at, std::string::npos) << field << " in " << a;
    a.erase(at, field.size());
  }
  auto merged = merge_hlogs({{"a.hlog", a}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->result.counters.errors.failed_responses, 4u);
  EXPECT_EQ(merged->result.failed(), 4u + 3u);
}

TEST(Merge, StepsBeyondTheCapAreLeftOutWithAProblemNotMemory) {
  Histogram h;
  h.record(100);
  std::string log = hlog_header(1'700'000'000.0, "t");
  for (int i = 0; i < 300; ++i)
    log += hlog_line("step:s" + std::to_string(i), 0.0, 1.0, h);
  log += hlog_line("", 0.0, 1.0, h);
  auto merged = merge_hlogs({{"many.hlog", log}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->result.steps.size(), 256u);
  ASSERT_EQ(merged->problems.size(), 1u);
  EXPECT_NE(merged->problems[0].find("44 interval(s)"), std::string::npos) << merged->problems[0];
  EXPECT_EQ(merged->result.corrected.total_count(), 1);
}

TEST(Merge, DamagedLinesAreNamedAndTheRestIsMerged) {
  Histogram all;
  auto a = shard_log(0, 2, 0, all);
  a.insert(a.find("Tag=uncorrected"), "0.0,1.0,1.0,HISTFbroken\n");
  auto merged = merge_hlogs({{"a.hlog", a}});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->problems.size(), 1u);
  EXPECT_EQ(merged->problems[0].rfind("a.hlog:7:13: ", 0), 0u) << merged->problems[0];
  EXPECT_EQ(merged->result.corrected.total_count(), 100);
}

TEST(Merge, StepUncorrectedLatencyAddsExactly) {
  Histogram all, step_u;
  const auto a = shard_log(0, 3, 0, all, &step_u);
  const auto b = shard_log(7, 2, 0, all, &step_u);
  EXPECT_NE(a.find("Tag=step:query_one,0.000,1.000,"), std::string::npos) << a;
  EXPECT_NE(a.find("Tag=step-uncorrected:query_one,0.000,1.000,"), std::string::npos) << a;
  auto merged = merge_hlogs({{"a.hlog", a}, {"b.hlog", b}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_TRUE(merged->problems.empty());
  const auto& r = merged->result;
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_TRUE(r.steps[0].uncorrected.same_counts(step_u));
  EXPECT_TRUE(r.steps[0].corrected.same_counts(all));

  auto doc = json::Document::parse(to_json(r));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  simdjson::dom::element step;
  ASSERT_EQ(doc->root()["steps"].at(0).get(step), simdjson::SUCCESS);
  expect_latency_json(step["latency_us"]["corrected"], all, "step corrected");
  expect_latency_json(step["latency_us"]["uncorrected"], step_u, "step uncorrected");
}

TEST(Merge, LogsWithoutStepUncorrectedLeaveItOut) {
  Histogram all;
  const auto a = without_step_uncorrected(shard_log(0, 3, 1, all));
  const auto b = without_step_uncorrected(shard_log(7, 3, 0, all));
  ASSERT_EQ(a.find("step-uncorrected"), std::string::npos);
  auto merged = merge_hlogs({{"a.hlog", a}, {"b.hlog", b}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_TRUE(merged->problems.empty());
  const auto& r = merged->result;
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].counters.requests, 300u);
  EXPECT_TRUE(r.steps[0].corrected.same_counts(all));
  EXPECT_EQ(r.steps[0].uncorrected.total_count(), 0);

  const auto json = to_json(r);
  auto doc = json::Document::parse(json);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  simdjson::dom::element step;
  ASSERT_EQ(doc->root()["steps"].at(0).get(step), simdjson::SUCCESS);
  expect_latency_json(step["latency_us"]["corrected"], all, "step corrected");
  simdjson::dom::element absent;
  EXPECT_EQ(step["latency_us"]["uncorrected"].get(absent), simdjson::NO_SUCH_FIELD) << json;
  // The run-wide uncorrected histogram was always written and is still reported.
  std::int64_t count = 0;
  ASSERT_EQ(doc->root()["latency_us"]["uncorrected"]["count"].get(count), simdjson::SUCCESS);
  EXPECT_EQ(count, 300);
  const auto text = summary_text(r);
  EXPECT_NE(text.find("300 requests in 3.00s"), std::string::npos) << text;
}

TEST(Merge, AStepSeenOnlyAsStepUncorrectedIsReported) {
  Histogram h;
  for (int i = 1; i <= 20; ++i)
    h.record(i * 50);
  const std::string log = hlog_header(1'700'000'000.0, "test") + hlog_line("", 0.0, 1.0, h) +
                          hlog_line("step-uncorrected:only", 0.0, 1.0, h);
  auto merged = merge_hlogs({{"a.hlog", log}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_EQ(merged->result.steps.size(), 1u);
  EXPECT_EQ(merged->result.steps[0].name, "only");
  EXPECT_TRUE(merged->result.steps[0].uncorrected.same_counts(h));
  EXPECT_EQ(merged->result.steps[0].corrected.total_count(), 0);
}

TEST(Merge, NothingReadableIsAnError) {
  auto merged = merge_hlogs({{"empty.hlog", "#[just a comment]\n"}});
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.error().message.find("no readable interval"), std::string::npos);
}

TEST(Merge, LogsOfOtherToolsCountTheirHistograms) {
  Histogram h;
  for (int i = 0; i < 10; ++i)
    h.record(1000 + i);
  std::string log = "#[StartTime: 1441812279.474 (seconds since epoch), x]\n" +
                    hlog_line("", 0.0, 1.0, h) + hlog_line("", 1.0, 1.0, h);
  auto merged = merge_hlogs({{"jhiccup.hlog", log}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->result.counters.requests, 20u);
  EXPECT_DOUBLE_EQ(merged->result.duration_s, 2.0);
  // jHiccup-style logs carry one histogram: no uncorrected latency is reported as zeros.
  const auto json = to_json(merged->result);
  auto doc = json::Document::parse(json);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  simdjson::dom::element absent;
  EXPECT_EQ(doc->root()["latency_us"]["uncorrected"].get(absent), simdjson::NO_SUCH_FIELD) << json;
  std::int64_t count = 0;
  ASSERT_EQ(doc->root()["latency_us"]["corrected"]["count"].get(count), simdjson::SUCCESS);
  EXPECT_EQ(count, 20);
}

} // namespace
} // namespace konform::load

namespace konform::load {
namespace {

// The log of shard `index`/`count` as konform load writes it (its settings name the shard).
std::string log_of_shard(unsigned index, unsigned count, bool finished = true) {
  LoadResult r;
  r.settings = {"threads=2", "connections=64",
                "shard=" + std::to_string(index) + "/" + std::to_string(count)};
  Histogram c;
  c.record(1000 + index);
  r.counters.requests = 1;
  IntervalView v;
  v.start_epoch_s = 1'700'000'000.0;
  v.length_s = 1.0;
  v.corrected = &c;
  v.uncorrected = &c;
  std::string log = hlog_header(1'700'000'000.0, "test") + hlog_interval_lines(v, 1'700'000'000.0);
  if (finished) log += hlog_summary_comment(r);
  return log;
}

TEST(MergeShards, AllShardsOnceIsAWholeRunWithItsConnectionsSummed) {
  std::vector<MergeInput> in;
  for (unsigned i = 0; i < 4; ++i)
    in.push_back({"shard-" + std::to_string(i) + ".hlog", log_of_shard(i, 4)});
  auto merged = merge_hlogs(in);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_TRUE(merged->incomplete.empty()) << merged->incomplete.front();
  EXPECT_EQ(merged->result.counters.requests, 4u);
  const auto& s = merged->result.settings;
  EXPECT_NE(std::find(s.begin(), s.end(), "connections=256"), s.end());
  EXPECT_NE(std::find(s.begin(), s.end(), "threads=8"), s.end());
}

TEST(MergeShards, AMissingShardIsNamed) {
  auto merged = merge_hlogs({{"shard-0.hlog", log_of_shard(0, 4)},
                             {"shard-1.hlog", log_of_shard(1, 4)},
                             {"shard-3.hlog", log_of_shard(3, 4)}});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->incomplete.size(), 1u);
  EXPECT_EQ(merged->incomplete[0].rfind("1 of 4 shards missing (2/4)", 0), 0u)
      << merged->incomplete[0];
  EXPECT_EQ(merged->result.counters.requests, 3u) << "the rest is still merged";
}

TEST(MergeShards, AShardKilledBeforeItsSummaryIsNamedAndCountedMissing) {
  auto merged = merge_hlogs({{"shard-0.hlog", log_of_shard(0, 2)},
                             {"shard-1.hlog", log_of_shard(1, 2, /*finished=*/false)}});
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->incomplete.size(), 2u);
  EXPECT_EQ(merged->incomplete[0].rfind("shard-1.hlog: no closing #[konform-summary] line", 0), 0u)
      << merged->incomplete[0];
  EXPECT_EQ(merged->incomplete[1].rfind("1 of 2 shards missing (1/2)", 0), 0u)
      << merged->incomplete[1];
  EXPECT_EQ(merged->result.corrected.total_count(), 2) << "its histograms are still merged";
}

TEST(MergeShards, TheSameShardTwiceAndShardsOfOtherRunsAreNamed) {
  auto twice = merge_hlogs({{"a.hlog", log_of_shard(0, 2)},
                            {"b.hlog", log_of_shard(0, 2)},
                            {"c.hlog", log_of_shard(1, 2)}});
  ASSERT_TRUE(twice.ok());
  ASSERT_EQ(twice->incomplete.size(), 1u);
  EXPECT_EQ(twice->incomplete[0].rfind("shard 0/2 given 2 times (a.hlog, b.hlog)", 0), 0u)
      << twice->incomplete[0];

  auto mixed = merge_hlogs({{"a.hlog", log_of_shard(0, 1)}, {"b.hlog", log_of_shard(0, 2)}});
  ASSERT_TRUE(mixed.ok());
  ASSERT_FALSE(mixed->incomplete.empty());
  EXPECT_EQ(mixed->incomplete[0].rfind("shards of different runs: N=1 (a.hlog), N=2 (b.hlog)", 0),
            0u)
      << mixed->incomplete[0];
}

} // namespace
} // namespace konform::load
