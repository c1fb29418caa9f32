// `konform serve` as a user starts it: the real binary, its options and exit codes.
#include "http/client.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"
#include "test_support/serve_process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

namespace konform {
namespace {

using test_support::Run;
using test_support::ServeProcess;

Run konform_serve(const std::string& args) {
  return test_support::run_binary("serve " + args);
}

TEST(ServeCli, UnusableTokenFilesExitTwoWithoutStarting) {
  test_support::ScratchDir dir;
  auto missing = konform_serve("--token-file " + dir.path("nope"));
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--token-file " + dir.path("nope") + ": no such file"),
            std::string::npos)
      << missing.output;
  auto empty = konform_serve("--token-file " + dir.write("empty", ""));
  EXPECT_EQ(empty.code, 2) << empty.output;
  EXPECT_NE(empty.output.find("empty"), std::string::npos) << empty.output;
  auto both = konform_serve("--token x --token-file " + dir.write("t", "y\n"));
  EXPECT_EQ(both.code, 2) << both.output;
}

// The token comes from the file (not the command line, which `ps` shows) and is required.
TEST(ServeCli, TokenFromTheFileIsRequiredOnRequests) {
  test_support::ScratchDir dir;
  ServeProcess serve({"--quiet", "--token-file", dir.write("token", "from-the-file\n")});
  ASSERT_FALSE(serve.kusto_url().empty()) << serve.log();
  http::Client client(*http::parse_url(serve.kusto_url()));
  std::string body = R"({"db":"Samples","csl":"print 1"})";
  auto denied =
      client.send({"POST", "/v2/rest/query", {{"Content-Type", "application/json"}}, body});
  auto allowed = client.send(
      {"POST",
       "/v2/rest/query",
       {{"Content-Type", "application/json"}, {"Authorization", "Bearer from-the-file"}},
       body});
  EXPECT_EQ(serve.stop(), 0);
  ASSERT_TRUE(denied.ok() && allowed.ok());
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(allowed->status, 200) << allowed->body;
  EXPECT_EQ(serve.log().find("from-the-file"), std::string::npos) << "the token is never printed";
}

// The access log shows request-supplied text with anything but printable ASCII escaped: a
// header must not carry terminal control sequences (here the C1 CSI, U+009B) to the operator.
TEST(ServeCli, AccessLogEscapesWhatTheRequestSent) {
  ServeProcess serve({});
  ASSERT_FALSE(serve.kusto_url().empty()) << serve.log();
  http::Client client(*http::parse_url(serve.kusto_url()));
  auto r = client.send({"GET",
                        "/v1/rest/ping",
                        {{"x-ms-client-request-id", "id\xC2\x9B"
                                                    "2J"}},
                        ""});
  ASSERT_TRUE(r.ok());
  serve.read_for(200);
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_NE(serve.log().find("GET /v1/rest/ping 200"), std::string::npos) << serve.log();
  EXPECT_NE(serve.log().find("id\\xC2\\x9B2J"), std::string::npos) << serve.log();
  EXPECT_EQ(serve.log().find("\xC2\x9B"), std::string::npos);
}

// Each Kusto request's line ends with the start of its command, so a 400 in a long SDK suite can
// be traced from the log; secrets (a SAS signature) never appear, control bytes are escaped.
TEST(ServeCli, AccessLogShowsTheKustoCommandRedactedAndEscaped) {
  ServeProcess serve({});
  ASSERT_FALSE(serve.kusto_url().empty()) << serve.log();
  http::Client client(*http::parse_url(serve.kusto_url()));
  auto r = client.send(
      {"POST",
       "/v1/rest/mgmt",
       {{"Content-Type", "application/json"}, {"x-ms-client-request-id", "KNC.execute;7"}},
       R"({"db":"Samples","csl":".ingest into table T ('http://h/c/b.csv?sv=1&sig=TOPSECRET')\n\u001b[2J"})"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  serve.read_for(200);
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_NE(serve.log().find("POST /v1/rest/mgmt 400"), std::string::npos) << serve.log();
  EXPECT_NE(
      serve.log().find(
          "KNC.execute;7 csl=.ingest into table T ('http://h/c/b.csv?REDACTED')\\x0A\\x1B[2J"),
      std::string::npos)
      << serve.log();
  EXPECT_EQ(serve.log().find("TOPSECRET"), std::string::npos) << serve.log();
}

} // namespace
} // namespace konform
