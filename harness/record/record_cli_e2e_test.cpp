// `konform record` as a user runs it: exit codes, the refusal to overwrite, the stop on SIGINT
// and --max-exchanges with the scenario written and the summary printed.
#include "core/file.h"
#include "http/client.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

namespace konform::record {
namespace {

namespace fs = std::filesystem;
using test_support::run_binary;
using test_support::ScratchDir;

TEST(RecordCli, NotAHarFileExitsTwoNamingFileLineColumn) {
  ScratchDir dir;
  auto har =
      dir.write("bad.har", "{\"log\": {\n  \"version\": \"1.2\",\n  \"entries\": [\n    {]}}");
  auto r = run_binary("record --from-har " + har + " --out " + dir.path("rec.json"));
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find(har + ":4:"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path("rec.json")));
  auto missing =
      run_binary("record --from-har " + dir.path("none.har") + " --out " + dir.path("rec.json"));
  EXPECT_EQ(missing.code, 2) << missing.output;
}

TEST(RecordCli, ExistingOutIsNotOverwrittenWithoutForce) {
  ScratchDir dir;
  std::string har = std::string(KONFORM_SOURCE_DIR) + "/harness/fuzz/seeds/har/minimal.har";
  auto out = dir.write("rec.json", "keep me");
  auto refused = run_binary("record --from-har " + har + " --out " + out);
  EXPECT_EQ(refused.code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--force"), std::string::npos) << refused.output;
  EXPECT_EQ(*file::read(out), "keep me");
  auto forced = run_binary("record --from-har " + har + " --out " + out + " --force");
  EXPECT_EQ(forced.code, 0) << forced.output;
  EXPECT_NE(file::read(out)->find("\"steps\""), std::string::npos);
  EXPECT_NE(forced.output.find("wrote " + out), std::string::npos) << forced.output;
  EXPECT_NE(forced.output.find("request header Authorization: dropped"), std::string::npos)
      << forced.output;
  EXPECT_EQ(forced.output.find("T0KEN"), std::string::npos);
}

// Starts `konform record` with stderr to a file; returns its pid and the URL it printed.
// file_limit > 0: the largest file it may write (RLIMIT_FSIZE), to make its writes fail as on a
// full disk.
std::pair<pid_t, std::string> start_recording(const ScratchDir& dir, const std::string& args,
                                              rlim_t file_limit = 0) {
  std::string log = dir.path("record.log");
  pid_t pid = fork();
  if (pid == 0) {
    if (file_limit > 0) {
      rlimit limit{};
      getrlimit(RLIMIT_FSIZE, &limit);
      limit.rlim_cur = file_limit;
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::string cmd = std::string("exec ") + KONFORM_BINARY + " record " + args + " >" +
                      dir.path("record.out") + " 2>" + log;
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Up to 30 s: under ASan on a busy machine the embedded endpoint alone can take over 10 s to
  // load.
  std::regex url("recording on (http://[0-9.:]+)");
  for (int i = 0; i < 600; ++i) {
    auto text = file::read(log);
    std::smatch m;
    if (text && std::regex_search(*text, m, url)) return {pid, m[1]};
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Not listening: stopped here, so that no child outlives the test holding ctest's output pipe.
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return {pid, ""};
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(RecordCli, SigintWritesTheRecordingOfTheEmbeddedEndpoint) {
  ScratchDir dir;
  auto [pid, url] = start_recording(dir, "--listen 127.0.0.1:0 --out " + dir.path("rec/ping.json"));
  ASSERT_FALSE(url.empty()) << *file::read(dir.path("record.log"));
  {
    http::Client client(*http::parse_url(url));
    http::Request r;
    r.target = "/v1/rest/ping";
    auto response = client.send(r);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200);
  }
  kill(pid, SIGINT);
  EXPECT_EQ(wait_exit(pid), 0) << *file::read(dir.path("record.log"));
  auto scenario = file::read(dir.path("rec/ping.json"));
  ASSERT_TRUE(scenario.ok());
  EXPECT_NE(scenario->find("\"path\": \"/v1/rest/ping\""), std::string::npos) << *scenario;
  EXPECT_NE(file::read(dir.path("record.out"))->find("wrote " + dir.path("rec/ping.json")),
            std::string::npos);
  // And it replays (the embedded endpoint of `check` is a fresh reference endpoint).
  auto check = run_binary("check " + dir.path("rec/ping.json") + " --root " + dir.path());
  EXPECT_EQ(check.code, 0) << check.output;
}

TEST(RecordCli, MaxExchangesStopsByItselfAndNothingRecordedWritesNothing) {
  ScratchDir dir;
  auto [pid, url] =
      start_recording(dir, "--listen 127.0.0.1:0 --max-exchanges 2 --out " + dir.path("two.json"));
  ASSERT_FALSE(url.empty());
  http::Client client(*http::parse_url(url));
  for (int i = 0; i < 2; ++i) {
    http::Request r;
    r.target = "/v1/rest/ping";
    ASSERT_TRUE(client.send(r).ok());
  }
  EXPECT_EQ(wait_exit(pid), 0) << *file::read(dir.path("record.log"));
  EXPECT_NE(file::read(dir.path("two.json"))->find("\"02 GET /v1/rest/ping\""), std::string::npos);

  auto [pid2, url2] =
      start_recording(dir, "--listen 127.0.0.1:0 --duration 200ms --out " + dir.path("none.json"));
  ASSERT_FALSE(url2.empty());
  EXPECT_EQ(wait_exit(pid2), 1);
  EXPECT_FALSE(fs::exists(dir.path("none.json")));
  EXPECT_NE(file::read(dir.path("record.log"))->find("nothing was recorded"), std::string::npos);
}

// A recording whose spill file cannot be written (past the file size limit here, a full disk in
// life): the client is still served, the user is told the recording is incomplete, naming the
// file, nothing is written and the run exits 3; no spill file is left in the output folder.
TEST(RecordCli, AnUnwritableSpillFileEndsTheRunIncompleteWithNothingWritten) {
  ScratchDir dir;
  auto [pid, url] = start_recording(
      dir, "--listen 127.0.0.1:0 --quiet --out " + dir.path("rec/lost.json"), 16384);
  ASSERT_FALSE(url.empty()) << *file::read(dir.path("record.log"));
  {
    http::Client client(*http::parse_url(url));
    for (int i = 0; i < 200; ++i) { // about 60 kB of spill records, past the 16 kB limit
      http::Request r;
      r.target = "/v1/rest/ping";
      r.headers = {{"x-ms-app", "konform-cli-test-" + std::to_string(i)}};
      auto response = client.send(r);
      ASSERT_TRUE(response.ok()) << i << ": " << response.error().message;
      EXPECT_EQ(response->status, 200);
    }
  }
  kill(pid, SIGINT);
  EXPECT_EQ(wait_exit(pid), 3) << *file::read(dir.path("record.log"));
  auto log = *file::read(dir.path("record.log"));
  EXPECT_NE(log.find("cannot write the spill file " + dir.path("rec") + "/.konform-record-spill-"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("the recording is incomplete: "), std::string::npos) << log;
  EXPECT_NE(log.find("nothing was written"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(dir.path("rec/lost.json")));
  for (const auto& f : fs::directory_iterator(dir.path("rec")))
    ADD_FAILURE() << "left behind: " << f.path();
}

} // namespace
} // namespace konform::record
