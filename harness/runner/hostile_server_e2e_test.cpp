// `check` against servers that misbehave on purpose (issue 12): a body that never ends, a body
// larger than --max-body, a gzip bomb, interim 1xx responses, a server that echoes the token
// back. Each step fails with a clear message at the limit and the rest of the run goes on.
#include "core/file.h"
#include "core/gzip.h"
#include "report/writers.h"
#include "runner/check_runner.h"
#include "test_support/raw_server.h"
#include "test_support/scratch_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace konform::runner {
namespace {

namespace fs = std::filesystem;
using report::Outcome;
using test_support::RawServer;
using test_support::ScratchDir;
using ::testing::HasSubstr;
using ::testing::Not;

std::string path_of(const std::string& request) {
  auto sp = request.find(' ');
  return request.substr(sp + 1, request.find(' ', sp + 1) - sp - 1);
}

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        "Content-Length: 8\r\n\r\n{\"n\": 1}";

// /endless: a chunked body that never ends. /flood: Content-Length of
// 100 MiB, sent as fast as the client reads. /bomb: 64 MiB of zeros as a ~64 KB gzip body.
// /continue: 100 Continue and 103 Early Hints before the final 200. Anything else: 200 {"n": 1}.
void hostile(RawServer& server, int fd, const std::string& request) {
  std::string path = path_of(request);
  if (path == "/endless") {
    if (!RawServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n" +
                                      chunk("[")))
      return;
    // As fast as the client reads, in small chunks: the client is never idle, so only a
    // deadline on the whole response stops it.
    std::string batch;
    for (int i = 0; i < 4096; ++i)
      batch += chunk("{\"row\": 1},");
    while (!server.stopping() && RawServer::write_all(fd, batch)) {
    }
  } else if (path == "/flood") {
    if (!RawServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n")) return;
    std::string block(65536, ' ');
    for (int i = 0; i < 1600 && !server.stopping(); ++i)
      if (!RawServer::write_all(fd, block)) return;
  } else if (path == "/bomb") {
    static const std::string bomb = gzip::compress(std::string(std::size_t(64) << 20, '\0'));
    RawServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Encoding: gzip\r\nContent-Length: " +
                                 std::to_string(bomb.size()) + "\r\n\r\n" + bomb);
  } else if (path == "/continue") {
    RawServer::write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n"
                             "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" +
                                 kOk);
  } else {
    RawServer::write_all(fd, kOk);
  }
}

report::RunResult run(const CheckOptions& options) {
  auto r = run_check(options);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : report::RunResult{};
}

// Scenario a_<path> asks for /<path>; z_after checks that the run went on.
CheckOptions scenarios(const ScratchDir& dir, const RawServer& server, std::string_view path) {
  dir.write("a.json", R"({"steps": [{"name": "hostile", "path": "/)" + std::string(path) +
                          R"(", "expect": {"protocol": "text"}}]})");
  dir.write("z_after.json", R"({"steps": [{"name": "after", "path": "/ok"}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.target = server.url();
  return options;
}

void expect_the_run_went_on(const report::RunResult& result) {
  ASSERT_EQ(result.scenarios.size(), 2u) << report::json_report(result);
  ASSERT_EQ(result.scenarios[1].steps.size(), 1u);
  EXPECT_EQ(result.scenarios[1].steps[0].outcome, Outcome::passed) << report::json_report(result);
  EXPECT_TRUE(result.runtime_error.empty()) << result.runtime_error;
}

TEST(HostileServer, AnEndlessBodyFailsTheStepAtTheTimeout) {
  RawServer server(hostile);
  ScratchDir dir;
  auto options = scenarios(dir, server, "endless");
  options.timeout = std::chrono::milliseconds(1000);
  auto start = std::chrono::steady_clock::now();
  auto result = run(options);
  auto took = std::chrono::steady_clock::now() - start;
  expect_the_run_went_on(result);
  const auto& step = result.scenarios[0].steps.at(0);
  EXPECT_EQ(step.outcome, Outcome::failed);
  ASSERT_FALSE(step.failures.empty());
  EXPECT_THAT(step.failures[0], HasSubstr("no response: no complete response within the timeout "
                                          "of 1000 ms (a deadline for connect, send and the "
                                          "whole response;"));
  // The deadline is the timeout, not "as long as bytes keep coming": far below the minutes an
  // endless body ran before (a bound on correctness, loose enough for a busy machine).
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST(HostileServer, ABodyOverMaxBodyFailsTheStep) {
  RawServer server(hostile);
  ScratchDir dir;
  auto options = scenarios(dir, server, "flood");
  options.max_body = std::size_t(1) << 20;
  auto result = run(options);
  expect_the_run_went_on(result);
  const auto& step = result.scenarios[0].steps.at(0);
  EXPECT_EQ(step.outcome, Outcome::failed);
  ASSERT_FALSE(step.failures.empty());
  EXPECT_THAT(step.failures[0],
              HasSubstr("the response body exceeds the limit of 1048576 bytes (--max-body)"));
}

TEST(HostileServer, AGzipBombStopsAtMaxBody) {
  RawServer server(hostile);
  ScratchDir dir;
  auto options = scenarios(dir, server, "bomb");
  options.max_body = std::size_t(1) << 20;
  auto result = run(options);
  expect_the_run_went_on(result);
  const auto& step = result.scenarios[0].steps.at(0);
  EXPECT_EQ(step.outcome, Outcome::failed);
  ASSERT_FALSE(step.failures.empty());
  EXPECT_THAT(step.failures.back(),
              HasSubstr("response body: Content-Encoding: gzip, but the decompressed body "
                        "exceeds the limit of 1048576 bytes (raise it with --max-body)"));
}

TEST(HostileServer, InterimResponsesAreSkipped) {
  RawServer server(hostile);
  ScratchDir dir;
  dir.write("a.json", R"({"steps": [
    {"name": "first", "method": "POST", "path": "/continue", "body": "x",
     "headers": {"Expect": "100-continue"}, "expect": {"status": 200}},
    {"name": "second", "path": "/continue", "expect": {"status": 200}}]})");
  CheckOptions options;
  options.paths = {dir.path()};
  options.target = server.url();
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  ASSERT_EQ(result.scenarios[0].steps.size(), 2u);
  for (const auto& step : result.scenarios[0].steps) {
    EXPECT_EQ(step.status, 200) << report::json_report(result);
    EXPECT_EQ(step.outcome, Outcome::passed) << report::json_report(result);
  }
  EXPECT_EQ(server.requests(), 2); // one connection kept alive: the interim bytes were consumed
}

// A server that echoes the Authorization header into its body: --update-golden writes the
// golden redacted, and the next run compares equal (the response is redacted the same way).
TEST(HostileServer, TheTokenNeverReachesAGoldenFile) {
  RawServer server([](RawServer&, int fd, const std::string& request) {
    auto at = request.find("Authorization: ");
    std::string auth = request.substr(at + 15, request.find("\r\n", at) - at - 15);
    std::string body = "{\"echo\": \"" + auth + "\"}";
    RawServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  ScratchDir dir;
  dir.write("s/a.json", R"({"steps": [{"name": "echo", "path": "/e",
    "expect": {"golden": "golden/echo.json"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s/a.json")};
  options.target = server.url();
  options.token = "eyJ0eXAiOiJKV1Qi.s3cr3t-t0ken";
  options.update_golden = true;
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  EXPECT_EQ(result.scenarios[0].steps.at(0).outcome, Outcome::updated)
      << report::json_report(result);
  auto golden = file::read(dir.path("s/golden/echo.json"));
  ASSERT_TRUE(golden.ok());
  EXPECT_THAT(*golden, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(*golden, HasSubstr("Bearer ***"));

  options.update_golden = false;
  result = run(options);
  EXPECT_EQ(result.verdict(), "passed") << report::json_report(result);
  for (const std::string& text : {report::json_report(result), report::junit_xml(result)})
    EXPECT_THAT(text, Not(HasSubstr("s3cr3t")));
}

// A golden that is a dangling link to a file outside: it resolves to nothing yet, so it passes
// the parser's check; --update-golden must still not create the link's target.
TEST(HostileServer, UpdateGoldenDoesNotFollowADanglingLink) {
  RawServer server(hostile);
  ScratchDir dir;
  fs::create_directories(dir.path("s/golden"));
  fs::create_symlink(dir.path("outside.json"), dir.path("s/golden/ok.json"));
  dir.write("s/a.json", R"({"steps": [{"name": "ok", "path": "/ok",
    "expect": {"golden": "golden/ok.json"}}]})");
  CheckOptions options;
  options.paths = {dir.path("s/a.json")};
  options.target = server.url();
  options.update_golden = true;
  auto result = run(options);
  ASSERT_EQ(result.scenarios.size(), 1u);
  const auto& step = result.scenarios[0].steps.at(0);
  EXPECT_EQ(step.outcome, Outcome::error) << report::json_report(result);
  ASSERT_FALSE(step.failures.empty());
  EXPECT_THAT(step.failures.back(), HasSubstr("is a symbolic link; refusing to follow it"));
  EXPECT_FALSE(fs::exists(dir.path("outside.json")));
}

} // namespace
} // namespace konform::runner
