#pragma once
// Running cxxopts over a command's words for the parse_*_options functions: its exceptions (an
// unknown option, a missing value) become an Error pointing to the command's --help, so the
// parsers return a Result and throw nothing.
#include "core/result.h"

#include <cxxopts.hpp>

#include <string>
#include <vector>

namespace konform::cli {

// `read(const cxxopts::ParseResult&) -> Result<T>`; args are the words after `konform <command>`.
template <class T, class Read>
Result<T> parse_words(cxxopts::Options& options, const std::string& command,
                      const std::vector<std::string>& args, Read read) {
  const std::string program = "konform " + command;
  std::vector<const char*> argv{program.c_str()};
  for (const auto& a : args)
    argv.push_back(a.c_str());
  try {
    return read(options.parse(static_cast<int>(argv.size()), argv.data()));
  } catch (const std::exception& e) {
    return make_error(e.what() + (" (see " + program + " --help)"));
  }
}

// A text option's value, empty when it was not given.
inline std::string text_of(const cxxopts::ParseResult& args, const char* name) {
  return args.count(name) ? args[name].as<std::string>() : std::string();
}

} // namespace konform::cli
