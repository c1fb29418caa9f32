// `konform serve` as a user starts it: the real binary, its options and exit codes.
#include "http/client.h"
#include "test_support/scratch_dir.h"

#include <array>
#include <csignal>
#include <cstdio>
#include <gtest/gtest.h>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace konform {
namespace {

struct Run {
  int code = -1;
  std::string output;
};

Run konform_serve(const std::string& args) {
  Run r;
  std::string cmd = std::string(KONFORM_BINARY) + " serve " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.output.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
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
  auto token_file = dir.write("token", "from-the-file\n");
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], 2);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(KONFORM_BINARY, KONFORM_BINARY, "serve", "--listen", "127.0.0.1:0", "--ksql-listen",
            "127.0.0.1:0", "--threads", "1", "--quiet", "--token-file", token_file.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string log;
  std::smatch m;
  std::regex started("Kusto on (http://127\\.0\\.0\\.1:[0-9]+)");
  for (int i = 0; i < 100 && !std::regex_search(log, m, started); ++i) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[512];
      auto n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      log.append(buf, static_cast<std::size_t>(n));
    }
  }
  ASSERT_TRUE(std::regex_search(log, m, started)) << log;
  http::Client client(*http::parse_url(m[1].str()));
  std::string body = R"({"db":"Samples","csl":"print 1"})";
  auto denied =
      client.send({"POST", "/v2/rest/query", {{"Content-Type", "application/json"}}, body});
  auto allowed = client.send(
      {"POST",
       "/v2/rest/query",
       {{"Content-Type", "application/json"}, {"Authorization", "Bearer from-the-file"}},
       body});
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out[0]);
  ASSERT_TRUE(denied.ok() && allowed.ok());
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(allowed->status, 200) << allowed->body;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(log.find("from-the-file"), std::string::npos) << "the token is never printed";
}

} // namespace
} // namespace konform
