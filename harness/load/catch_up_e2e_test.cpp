// The open model after a stall: `konform load -R` is stopped (SIGSTOP) for 300 ms in the middle of
// its run, as a busy host's scheduler can do to it. Every send that fell due meanwhile must still
// go out once it runs again (none dropped, the backlog sent at once) and each must be counted late,
// with the stall visible in the schedule lag. Counts only: no timing is asserted beyond the stall
// the test itself makes.
#include "core/file.h"
#include "json/document.h"
#include "test_support/scratch_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace konform::load {
namespace {

TEST(OpenModelCatchUp, SendsDueDuringAStallAllGoOutAndAreCountedLate) {
  const test_support::ScratchDir dir("konform-catch-up");
  const auto json = dir.path("run.json");
  const auto out = dir.path("out.txt");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    // The embedded reference endpoint: stopped with the sender, so it cannot be the bottleneck.
    execl(KONFORM_BINARY, "konform", "load", "-t", "1", "-c", "20", "-R", "2000", "-d", "3s",
          "--timeout", "5s", "--json", json.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // The first live line (after a second of sending) says the schedule runs: stop it then.
  for (int i = 0; i < 200; ++i) {
    auto so_far = file::read(out);
    if (so_far && so_far->find("req/s") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(pid, SIGCONT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  auto output = file::read(out);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << (output ? *output : "");

  auto text = file::read(json);
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto doc = json::Document::parse(*text, json);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const auto root = doc->root();
  std::uint64_t sent = 0, late = 0, dropped = 0, lag_max = 0;
  ASSERT_EQ(root["sent"].get(sent), simdjson::SUCCESS);
  ASSERT_EQ(root["late"].get(late), simdjson::SUCCESS);
  ASSERT_EQ(root["dropped"].get(dropped), simdjson::SUCCESS);
  ASSERT_EQ(root["schedule_lag_us"]["max"].get(lag_max), simdjson::SUCCESS);
  EXPECT_EQ(sent, 6000u) << "every slot of 3 s at 2000/s is sent, the stalled ones late";
  EXPECT_EQ(dropped, 0u);
  // 300 ms at 2000/s = 600 slots fell due while stopped; all but the last ms of them are late.
  EXPECT_GE(late, 590u) << *text;
  EXPECT_GE(lag_max, 250'000u) << "the stall shows in the schedule lag";
}

} // namespace
} // namespace konform::load
