// The text summary: what a user reads at the end of a run.
#include "load/report.h"

#include <gtest/gtest.h>

namespace konform::load {
namespace {

StepResult step(const char* name, std::int64_t corrected_us, std::int64_t uncorrected_us) {
  StepResult s;
  s.name = name;
  for (int i = 0; i < 100; ++i) {
    s.corrected.record(corrected_us);
    if (uncorrected_us > 0) s.uncorrected.record(uncorrected_us);
  }
  s.counters.requests = 100;
  return s;
}

TEST(SummaryText, OpenModelStepsShowTheUncorrectedP99BesideTheCorrected) {
  LoadResult r;
  r.open_model = true;
  r.duration_s = 1;
  r.steps.push_back(step("query", 40'000, 2'000));
  r.steps.push_back(step("ping", 900, 0)); // merged from an older log: not measured
  const auto text = summary_text(r);
  EXPECT_NE(text.find("uncorrected p99"), std::string::npos) << text;
  const auto query = text.substr(text.find("  query "));
  const auto query_row = query.substr(0, query.find('\n'));
  EXPECT_NE(query_row.find("40.0"), std::string::npos) << query_row; // corrected p99, in ms
  EXPECT_NE(query_row.find("2.00ms"), std::string::npos) << query_row;
  const auto ping = text.substr(text.find("  ping "));
  const auto ping_row = ping.substr(0, ping.find('\n'));
  EXPECT_EQ(ping_row.back(), '-') << ping_row;
}

TEST(SummaryText, ClosedModelStepsShowOneLatency) {
  LoadResult r;
  r.duration_s = 1;
  r.steps.push_back(step("query", 3'000, 3'000));
  r.steps.push_back(step("ping", 900, 900));
  const auto text = summary_text(r);
  EXPECT_NE(text.find("  query "), std::string::npos) << text;
  EXPECT_EQ(text.find("uncorrected"), std::string::npos) << text;
}

// A name longer than the column wraps between words (today's cut read "gzip response decoded
// before compari"); the numbers stay on the first line, aligned with the other steps.
TEST(SummaryText, LongStepNamesWrapBetweenWordsAndAreNeverCut) {
  LoadResult r;
  r.duration_s = 1;
  r.steps.push_back(
      step("gzip response decoded before comparison with the golden file", 3'000, 3'000));
  r.steps.push_back(step("a_single_word_name_that_is_longer_than_the_column", 900, 900));
  const auto text = summary_text(r);
  const auto first = text.substr(text.find("  gzip response decoded before"));
  EXPECT_EQ(first.find("       100"), 39u) << text; // the requests column, as in other rows
  EXPECT_NE(text.find("\n  comparison with the golden file\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  a_single_word_name_that_is_longer_than_the_column\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("compari\n"), std::string::npos) << text;
}

// Every attempt once: 10 responses (one a 500 whose body also broke the protocol, one a 503),
// 3 answers that were no HTTP, 2 reads cut short, 1 dropped send: 7 failed of 16 attempted.
TEST(ErrorRate, CountsEveryFailedAttemptOnce) {
  LoadResult r;
  r.counters.requests = 10;
  r.counters.errors.status = 2;
  r.counters.errors.protocol = 1 + 3;
  r.counters.errors.malformed = 3;
  r.counters.errors.failed_responses = 2;
  r.counters.errors.read = 2;
  r.dropped = 1;
  r.unfinished = 4; // neither attempts that ended nor errors
  EXPECT_EQ(r.attempted(), 16u);
  EXPECT_EQ(r.failed(), 8u);
  EXPECT_DOUBLE_EQ(r.error_rate(), 8.0 / 16.0);
  const auto text = summary_text(r);
  EXPECT_NE(text.find("(error rate 50.000%: 8 failed of 16 attempted)"), std::string::npos) << text;
  EXPECT_NE(text.find("Malformed: 3 answers"), std::string::npos) << text;
  EXPECT_NE(text.find("Unfinished: 4 requests"), std::string::npos) << text;
}

TEST(NoResponseDiagnosis, NamesWhatHappenedInstead) {
  LoadResult r;
  EXPECT_EQ(no_response_diagnosis(r, "http://t"), ""); // nothing attempted
  r.counters.errors.connect = 5;
  EXPECT_EQ(no_response_diagnosis(r, "http://t"),
            "no response at all from http://t (5 connect errors); is the target running?");
  r.counters.errors.timeout = 2;
  EXPECT_EQ(no_response_diagnosis(r, "http://t"),
            "no response at all from http://t (5 connect errors, 2 timeouts (--timeout)); the "
            "target accepts connections but does not answer in time");
  r.counters.requests = 1;
  EXPECT_EQ(no_response_diagnosis(r, "http://t"), "");
}

// Answers that were no response name the protocol the run spoke: an HTTP/2 run that got broken
// frames is not told to check for an HTTP/1.1 server.
TEST(NoResponseDiagnosis, MalformedAnswersNameTheProtocolOfTheRun) {
  LoadResult r;
  r.counters.errors.protocol = r.counters.errors.malformed = 4;
  r.malformed_examples = {"root: the server reset the stream before the response ended"};
  EXPECT_EQ(no_response_diagnosis(r, "http://t"),
            "no valid HTTP response from http://t: 4 answers were not HTTP/1.x (root: the server "
            "reset the stream before the response ended); is the port an HTTP/1.1 server (not "
            "https, not HTTP/2 only)?");
  EXPECT_NE(summary_text(r).find("4 answers were no HTTP/1.x response"), std::string::npos);
  r.http2 = true;
  EXPECT_EQ(no_response_diagnosis(r, "http://t"),
            "no valid HTTP response from http://t: 4 answers were not valid HTTP/2 (root: the "
            "server reset the stream before the response ended); does the port speak HTTP/2 (h2c "
            "with prior knowledge over http://, ALPN h2 over https://)? Drop --http2 for an "
            "HTTP/1.1 server");
  EXPECT_NE(summary_text(r).find("4 answers were no valid HTTP/2 response"), std::string::npos);
}

} // namespace
} // namespace konform::load
