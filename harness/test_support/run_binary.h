#pragma once
// Runs the konform binary as a user would, through the shell, and returns its exit code and
// everything it printed (stdout and stderr together). Header-only, for e2e test programs.
#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace konform::test_support {

struct Run {
  int code = -1;      // the exit code; -1 when the process did not exit normally
  std::string output; // stdout and stderr together
};

// `args` follows the binary's name on the command line (a subcommand and its options).
inline Run run_binary(const std::string& args) {
  Run r;
  std::string cmd = std::string(KONFORM_BINARY) + " " + args + " 2>&1";
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

} // namespace konform::test_support
