#pragma once
// A `konform serve` child process on ephemeral loopback ports, for e2e tests that need real
// endpoints in another process (diff's baseline and candidate). Its stderr is collected; pass
// --quiet unless the test reads the access log (the pipe is only read on request).
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <regex>
#include <string>
#include <vector>

namespace konform::test_support {

class ServeProcess {
public:
  explicit ServeProcess(std::vector<std::string> extra) {
    std::vector<std::string> args = {KONFORM_BINARY,  "serve",       "--listen",  "127.0.0.1:0",
                                     "--ksql-listen", "127.0.0.1:0", "--threads", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 2);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(KONFORM_BINARY, argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    fd_ = out[0];
    std::smatch m;
    std::regex started("Kusto on (http://127\\.0\\.0\\.1:[0-9]+), ksqlDB on "
                       "(http://127\\.0\\.0\\.1:[0-9]+)");
    // Up to 30 s: under ASan on a busy machine loading the data can take over 10 s.
    for (int i = 0; i < 300 && !std::regex_search(log_, m, started); ++i)
      read_for(100);
    if (std::regex_search(log_, m, started)) {
      kusto_url_ = m[1].str();
      ksql_url_ = m[2].str();
    }
  }
  ~ServeProcess() { stop(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  const std::string& kusto_url() const { return kusto_url_; }
  const std::string& ksql_url() const { return ksql_url_; }
  // Reads what the server printed for up to `ms` milliseconds.
  const std::string& read_for(int ms) {
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, ms) > 0) {
      char buf[512];
      auto n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      log_.append(buf, static_cast<std::size_t>(n));
    }
    return log_;
  }
  // SIGTERM, then the exit code (-1 if it did not exit normally).
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    read_for(0);
    ::close(fd_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& log() const { return log_; }

private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string log_, kusto_url_, ksql_url_;
};

} // namespace konform::test_support
