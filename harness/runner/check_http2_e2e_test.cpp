// check over HTTP/2 against the small nghttp2 server of test_support: "http": "2" on a scenario,
// --http2 for every request, an /inserts-stream step whose bodyLines go out one DATA frame each
// and whose streamed acks are reassembled for the golden comparison.
#include "report/writers.h"
#include "runner/check_runner.h"
#include "test_support/h2_server.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>

namespace konform::runner {
namespace {

using report::Outcome;
using test_support::H2Server;
using test_support::ScratchDir;

// Acks one row per DATA frame after the first (the target line), as ksqlDB's /inserts-stream
// does, each ack a DATA frame of its own; anything else is echoed.
H2Server::Reply ksql_like(const H2Server::Request& r) {
  H2Server::Reply reply;
  reply.fields = {{"content-type", "application/json"}};
  if (r.path == "/inserts-stream") {
    for (std::size_t i = 1; i < r.frames.size(); ++i)
      reply.frames.push_back("{\"seq\":" + std::to_string(i - 1) + ",\"status\":\"ok\"}\n");
  } else {
    reply.frames = {"{\"path\":\"" + r.path + "\"}"};
  }
  return reply;
}

TEST(CheckHttp2, AnInsertsStreamStepSendsOneDataFrameALineAndComparesTheAcks) {
  H2Server server(ksql_like);
  ScratchDir dir;
  dir.write("golden/acks.txt", "{\"seq\":0,\"status\":\"ok\"}\n{\"seq\":1,\"status\":\"ok\"}\n");
  dir.write("s/ins.json", R"({"name": "ins", "http": "2", "steps": [
    {"name": "rows", "method": "POST", "path": "/inserts-stream",
     "bodyLines": [{"target": "S1"}, {"A": 1, "B": "${who}"}, {"A": 2}],
     "expect": {"status": 200, "protocol": "text", "golden": "../golden/acks.txt"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s")};
  options.root = dir.path();
  options.target = server.url();
  options.variables = {{"who", "e\"x"}};
  auto result = run_check(options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->scenarios.size(), 1u);
  ASSERT_EQ(result->scenarios[0].steps.size(), 1u);
  const auto& step = result->scenarios[0].steps[0];
  EXPECT_EQ(step.outcome, Outcome::passed) << report::json_report(*result);
  const auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].frames,
            (std::vector<std::string>{"{\"target\":\"S1\"}\n", "{\"A\":1,\"B\":\"e\\\"x\"}\n",
                                      "{\"A\":2}\n"}));
}

TEST(CheckHttp2, TheHttp2FlagSendsEveryRequestOverHttp2) {
  H2Server server(ksql_like);
  ScratchDir dir;
  dir.write("s/info.json", R"({"name": "info", "steps": [
    {"name": "info", "path": "/info", "expect": {"status": 200, "protocol": "json"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s")};
  options.target = server.url();
  // Without --http2 the request is HTTP/1.1, which an HTTP/2-only server cannot answer.
  auto h1 = run_check(options);
  ASSERT_TRUE(h1.ok());
  EXPECT_NE(h1->scenarios.at(0).steps.at(0).outcome, Outcome::passed);
  options.http2 = true;
  auto h2 = run_check(options);
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(h2->scenarios.at(0).steps.at(0).outcome, Outcome::passed) << report::json_report(*h2);
}

} // namespace
} // namespace konform::runner
