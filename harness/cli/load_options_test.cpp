// `konform load`'s command line, read without sending anything: each bad option is named with
// what to write instead, and the good ones land in the run's options.
#include "cli/load_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::cli {
namespace {

using ::testing::HasSubstr;

Result<LoadOptions> parse(std::vector<std::string> args) {
  return parse_load_options(args);
}

std::string error_of(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  return r ? std::string("(parsed)") : r.error().message;
}

TEST(LoadOptions, DefaultsAreTheDocumentedOnes) {
  auto o = parse({});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_FALSE(o->help);
  EXPECT_EQ(o->run.threads, 2u);
  EXPECT_EQ(o->run.connections, 10u);
  EXPECT_EQ(o->run.duration, std::chrono::seconds(10));
  EXPECT_EQ(o->run.timeout, std::chrono::seconds(2));
  EXPECT_EQ(o->run.rate, 0);
  EXPECT_TRUE(o->run.io_uring);
  EXPECT_FALSE(o->run.http2);
  EXPECT_EQ(o->run.max_concurrent_streams, 1u);
  EXPECT_FALSE(o->origin) << "no --url/--target: the embedded endpoint";
  EXPECT_EQ(o->method, "GET");
  EXPECT_TRUE(o->thresholds.empty());
}

TEST(LoadOptions, HelpIsAskedForAndTheTextNamesTheOptions) {
  auto o = parse({"--help"});
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->help);
  EXPECT_THAT(load_help(), HasSubstr("--max-concurrent-streams"));
  EXPECT_THAT(load_help(), HasSubstr("--token-command"));
  EXPECT_THAT(load_help(), HasSubstr("--baseline"));
}

TEST(LoadOptions, ModelAndLimitsAreRead) {
  auto o = parse({"-t",
                  "4",
                  "-c",
                  "64",
                  "-d",
                  "2m",
                  "--warmup",
                  "500ms",
                  "-R",
                  "1500.5",
                  "--io",
                  "epoll",
                  "--max-in-flight",
                  "100",
                  "--timeout",
                  "1s",
                  "-n",
                  "1000",
                  "--validate",
                  "--validate-every",
                  "7",
                  "--shard",
                  "1/4",
                  "--coalesce",
                  "0"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->run.threads, 4u);
  EXPECT_EQ(o->run.connections, 64u);
  EXPECT_EQ(o->run.duration, std::chrono::minutes(2));
  EXPECT_EQ(o->run.warmup, std::chrono::milliseconds(500));
  EXPECT_EQ(o->run.rate, 1500.5);
  EXPECT_FALSE(o->run.io_uring);
  EXPECT_EQ(o->run.max_in_flight, 100u);
  EXPECT_EQ(o->run.requests, 1000u);
  EXPECT_TRUE(o->run.validate);
  EXPECT_EQ(o->run.validate_every, 7u);
  EXPECT_EQ(o->run.shard.index, 1u);
  EXPECT_EQ(o->run.shard.count, 4u);
  EXPECT_EQ(o->run.coalesce.longest.count(), 0);
}

TEST(LoadOptions, ABadRateIsNamedWithWhatToWrite) {
  for (const std::string bad : {"abc", "-5", "10x", ""}) {
    const auto e = error_of({"-R", bad});
    EXPECT_THAT(e, HasSubstr("--rate '" + bad + "'")) << bad;
    EXPECT_THAT(e, HasSubstr("requests per second")) << bad;
  }
}

TEST(LoadOptions, ABadDurationIsNamedWithAnExample) {
  for (const char* name : {"--duration", "--warmup", "--timeout", "--coalesce", "--stream-for"}) {
    const auto e = error_of({name, "ten", "--url", "http://127.0.0.1:1/"});
    EXPECT_THAT(e, HasSubstr(std::string(name) + " 'ten'")) << name;
    EXPECT_THAT(e, HasSubstr("such as 30s, 500ms")) << name;
  }
}

TEST(LoadOptions, BadCountsAreNamedWithTheirRange) {
  EXPECT_THAT(error_of({"-t", "0"}), HasSubstr("--threads '0': expected 1 to 1024 threads"));
  EXPECT_THAT(error_of({"-c", "many"}), HasSubstr("--connections 'many': expected at least 1"));
  EXPECT_THAT(error_of({"-n", "0"}), HasSubstr("--requests '0'"));
  EXPECT_THAT(error_of({"--validate-every", "0"}), HasSubstr("--validate-every '0'"));
  EXPECT_THAT(error_of({"--http2", "-m", "0"}), HasSubstr("expected 1 to 1024"));
  EXPECT_THAT(error_of({"--http2", "-m", "2000"}), HasSubstr("expected 1 to 1024"));
  EXPECT_THAT(error_of({"--io", "uring"}), HasSubstr("--io 'uring': expected auto or epoll"));
  EXPECT_THAT(error_of({"--shard", "4/4"}), HasSubstr("4/4"));
}

TEST(LoadOptions, StreamsPerConnectionNeedHttp2) {
  EXPECT_THAT(error_of({"-m", "8"}), HasSubstr("--max-concurrent-streams needs --http2"));
  auto o = parse({"--http2", "-m", "8", "--url", "http://127.0.0.1:8080/x"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->run.http2);
  EXPECT_EQ(o->run.max_concurrent_streams, 8u);
}

TEST(LoadOptions, Http2TakesHttpsTargetsWithTheTlsOptions) {
  auto o = parse({"--http2", "--url", "https://127.0.0.1:8443/x", "--ca-file", "ca.pem"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->run.http2);
  ASSERT_TRUE(o->origin);
  EXPECT_TRUE(o->origin->tls);
  EXPECT_EQ(o->run.ca_file, "ca.pem");
  auto t = parse({"--http2", "--target", "https://127.0.0.1:8443", "--insecure"});
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->run.insecure);
}

// HTTP/2 has no io_uring path: asking for both is refused naming both, not ignored.
TEST(LoadOptions, IoUringWithHttp2IsRefusedNamingBoth) {
  const auto e = error_of({"--http2", "--io", "uring", "--url", "http://127.0.0.1:1/"});
  EXPECT_THAT(e, HasSubstr("--io uring with --http2"));
  EXPECT_THAT(e, HasSubstr("drop --io, or drop --http2"));
  auto epoll = parse({"--http2", "--io", "epoll", "--url", "http://127.0.0.1:1/"});
  ASSERT_TRUE(epoll) << epoll.error().message;
  EXPECT_FALSE(epoll->run.io_uring);
}

TEST(LoadOptions, ConflictingWhatToLoadIsRefused) {
  EXPECT_THAT(error_of({"--url", "http://127.0.0.1:1/", "scenarios/kusto"}),
              HasSubstr("either --url or scenarios"));
  EXPECT_THAT(error_of({"--url", "http://127.0.0.1:1/", "--target", "http://127.0.0.1:2"}),
              HasSubstr("either --url"));
  // Options that would be ignored silently are named.
  EXPECT_THAT(error_of({"scenarios/kusto", "-H", "A: b"}), HasSubstr("--header shapes"));
  EXPECT_THAT(error_of({"scenarios/kusto", "--body-file", "x.json"}),
              HasSubstr("--body-file shapes"));
  EXPECT_THAT(error_of({"--url", "http://127.0.0.1:1/", "--weight", "a=2"}),
              HasSubstr("--weight sets the share"));
  EXPECT_THAT(error_of({"--url", "not a url"}), HasSubstr("--url: "));
  EXPECT_THAT(error_of({"--target", "ftp://x"}), HasSubstr("--target: "));
}

TEST(LoadOptions, TheUrlRequestIsRead) {
  auto o = parse({"--url", "http://127.0.0.1:8080/v1/rest/query", "-X", "POST", "-H",
                  "Content-Type:  application/json ", "--as", "kusto-v1", "--stream-for", "2s",
                  "--body-file", "q.json"});
  ASSERT_TRUE(o) << o.error().message;
  ASSERT_TRUE(o->origin);
  EXPECT_EQ(o->origin->target, "/v1/rest/query");
  EXPECT_EQ(o->method, "POST");
  ASSERT_EQ(o->headers.size(), 1u);
  EXPECT_EQ(o->headers[0].first, "Content-Type");
  EXPECT_EQ(o->headers[0].second, "application/json");
  EXPECT_TRUE(o->kind);
  EXPECT_EQ(o->stream_for, std::chrono::seconds(2));
  EXPECT_EQ(o->body_file, "q.json");
  EXPECT_THAT(error_of({"--url", "http://127.0.0.1:1/", "-H", "no colon"}),
              HasSubstr("--header 'no colon': expected 'Name: value'"));
  EXPECT_THAT(error_of({"--url", "http://127.0.0.1:1/", "--as", "soap"}),
              HasSubstr("--as 'soap': unknown protocol kind"));
}

TEST(LoadOptions, VariablesAndWeightsAreCheckedAsCheckChecksThem) {
  auto o = parse({"scenarios/kusto", "--var", "db=Samples", "--weight", "query=3"});
  ASSERT_TRUE(o) << o.error().message;
  ASSERT_EQ(o->variables.size(), 1u);
  EXPECT_EQ(o->variables[0].first, "db");
  EXPECT_EQ(o->variables[0].second, "Samples");
  EXPECT_EQ(o->weights.at("query"), 3u);
  EXPECT_THAT(error_of({"scenarios/kusto", "--var", "1db=x"}), HasSubstr("write NAME=VALUE"));
  // With --url too: a bad --var is never ignored.
  EXPECT_THAT(error_of({"--url", "http://127.0.0.1:1/", "--var", "novalue"}),
              HasSubstr("write NAME=VALUE"));
  EXPECT_THAT(error_of({"scenarios/kusto", "--weight", "query"}),
              HasSubstr("--weight 'query': expected step=N"));
  EXPECT_THAT(error_of({"scenarios/kusto", "--weight", "query=-1"}), HasSubstr("step=N"));
}

TEST(LoadOptions, ThresholdsAreParsedAndLagNeedsTheOpenModel) {
  auto o = parse({"--threshold", "p99<50ms", "--threshold", "error_rate<0.1%"});
  ASSERT_TRUE(o) << o.error().message;
  ASSERT_EQ(o->thresholds.size(), 2u);
  EXPECT_EQ(o->thresholds[0].metric, "p99");
  EXPECT_FALSE(parse({"--threshold", "p99<<5"}));
  EXPECT_THAT(error_of({"--threshold", "lag_p99<5ms"}), HasSubstr("add -R RATE"));
  EXPECT_TRUE(parse({"-R", "100", "--threshold", "lag_p99<5ms"}));
}

TEST(LoadOptions, BaselineFlagsAreCheckedWithoutReadingTheFile) {
  auto o = parse({"--baseline", "old.json", "--max-regression", "p99=10%", "--force"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->baseline.path, "old.json");
  EXPECT_EQ(o->baseline.limits.size(), 1u);
  EXPECT_TRUE(o->baseline.force);
  EXPECT_THAT(error_of({"--max-regression", "p99=10%"}), HasSubstr("add --baseline OLD.json"));
  EXPECT_THAT(error_of({"--force"}), HasSubstr("--force compares with a baseline"));
  EXPECT_THAT(error_of({"--baseline", "old.json", "--max-regression", "p98=10%"}),
              HasSubstr("unknown metric 'p98'"));
}

TEST(LoadOptions, TokenAndTlsFlagsAreKeptUnresolved) {
  auto o = parse({"--token-file", "/nonexistent/token", "--ca-file", "ca.pem", "--insecure"});
  ASSERT_TRUE(o) << o.error().message << " (the file is read later, not while parsing)";
  EXPECT_EQ(o->connection.token_file, "/nonexistent/token");
  EXPECT_EQ(o->run.ca_file, "ca.pem");
  EXPECT_TRUE(o->run.insecure);
}

TEST(LoadOptions, OutputsAndQuietAreRead) {
  auto o =
      parse({"--json", "r.json", "--hlog", "r.hlog", "--hgrm", "r.hgrm", "--html", "r.html", "-q"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->json, "r.json");
  EXPECT_EQ(o->hlog, "r.hlog");
  EXPECT_EQ(o->hgrm, "r.hgrm");
  EXPECT_EQ(o->html, "r.html");
  EXPECT_TRUE(o->quiet);
}

TEST(LoadOptions, UnknownOptionsAndMissingValuesPointToHelp) {
  EXPECT_THAT(error_of({"--rps", "5"}), HasSubstr("see konform load --help"));
  EXPECT_THAT(error_of({"--url"}), HasSubstr("see konform load --help"));
}

} // namespace
} // namespace konform::cli
