#include "cli/app.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace konform::cli {

static std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

bool register_command(Command command) {
  registry().push_back(std::move(command));
  return true;
}

static void print_usage(std::ostream& out) {
  auto commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  out << "konform " << KONFORM_VERSION
      << " — conformance and load testing for the Kusto and ksqlDB REST APIs\n\n"
      << "Usage: konform <command> [options]   (konform <command> --help for its options)\n\n"
      << "Commands:\n";
  for (const auto& c : commands) {
    out << "  " << c.name;
    for (std::size_t i = c.name.size(); i < 10; ++i)
      out << ' ';
    out << c.summary << "\n";
  }
  out << "\nExit codes: 0 ok, 1 failed (check/threshold/validation), 2 bad input, 3 runtime "
         "failure.\n";
}

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(std::cerr);
    return exit_bad_input;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return exit_ok;
  }
  if (name == "--version" || name == "version") {
    std::cout << "konform " << KONFORM_VERSION << "\n";
    return exit_ok;
  }
  for (const auto& c : registry()) {
    if (c.name == name) {
      std::string program = "konform " + name;
      std::vector<char*> args(argv + 1, argv + argc);
      args[0] = program.data();
      try {
        return c.run(static_cast<int>(args.size()), args.data());
      } catch (const std::exception& e) {
        // cxxopts reports unknown or malformed options by throwing.
        std::cerr << "konform " << name << ": " << e.what() << " (see konform " << name
                  << " --help)\n";
        return exit_bad_input;
      }
    }
  }
  std::cerr << "konform: unknown command '" << name << "'\n\n";
  print_usage(std::cerr);
  return exit_bad_input;
}

} // namespace konform::cli
