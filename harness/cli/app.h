#pragma once
// The command line: `konform <subcommand> [options]`. Each cmd_*.cpp registers one subcommand;
// they parse options, call a runner and hand its result to a writer. Only this layer prints
// and chooses exit codes.
#include <functional>
#include <string>
#include <vector>

namespace konform::cli {

// Exit codes shared by every subcommand (documented in README.md).
enum Exit : int {
  exit_ok = 0,        // everything passed / conformant
  exit_failed = 1,    // a check, threshold or validation failed
  exit_bad_input = 2, // unreadable or invalid input, bad options
  exit_runtime = 3,   // target unreachable, server could not start, other runtime failure
};

struct Command {
  std::string name;
  std::string summary;
  // argv[0] is "konform <name>"; returns the exit code.
  std::function<int(int argc, char** argv)> run;
};

// Called from a static initialiser in each cmd_*.cpp.
bool register_command(Command command);

int run(int argc, char** argv);

} // namespace konform::cli
