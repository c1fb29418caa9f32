#pragma once
// Runs a program through the shell as a user would, and returns its exit code and what it
// printed. The one place test programs start processes: the konform binary (run_binary, e2e test
// programs only: they wait for it to link) or a tool such as xmllint (run_command). Header-only.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace konform::test_support {

struct Run {
  int code = -1;      // the exit code; -1 when the process did not exit normally
  std::string output; // what it printed: stdout, with stderr unless Streams::stdout_only
};

enum class Streams {
  both,        // stdout and stderr together, as a terminal shows them
  stdout_only, // stderr is thrown away: for output that is parsed (JSON, a report)
};

// `command` is a shell command line.
inline Run run_command(const std::string& command, Streams streams = Streams::both) {
  Run r;
  const std::string line = command + (streams == Streams::both ? " 2>&1" : " 2>/dev/null");
  FILE* p = ::popen(line.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

#ifdef KONFORM_BINARY
// `args` follows the binary's name on the command line (a subcommand and its options).
inline Run run_binary(const std::string& args, Streams streams = Streams::both) {
  return run_command(std::string(KONFORM_BINARY) + " " + args, streams);
}
#endif

} // namespace konform::test_support
