#pragma once
// The options every command that sends requests shares (check, diff, load, where the flag
// exists): the bearer token (--token, --token-file, --token-command), TLS trust (--ca-file,
// --insecure), scenario variables (--var), the deadline per request (--timeout) and the response
// size limit
// (--max-body). Declared and
// read once, so a flag means the same and fails with the same message in every command.
#include "core/result.h"

#include <cxxopts.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace konform::cli {

struct ConnectionOptions {
  // Where the bearer token comes from; resolve_token turns them into the token itself.
  std::string token, token_file, token_command;
  std::string ca_file;
  bool insecure = false;
};

// --token, --token-file, --token-command, --ca-file, --insecure.
void add_connection_options(cxxopts::Options& options);
ConnectionOptions read_connection_options(const cxxopts::ParseResult& args);
// Reads --token-file or runs --token-command (runner::resolve_token): I/O, so it is kept out of
// the parsing. Empty when no token was given.
Result<std::string> resolve_token(const ConnectionOptions& options);

// --var NAME=VALUE (repeatable): each checked here, the error names the bad one.
void add_variable_option(cxxopts::Options& options);
Result<std::vector<std::pair<std::string, std::string>>>
read_variables(const cxxopts::ParseResult& args);

// --timeout MS (default 30000): the deadline per request, 1 ms to a day.
void add_timeout_option(cxxopts::Options& options, const std::string& help);
Result<std::chrono::milliseconds> read_timeout(const cxxopts::ParseResult& args);

// --max-body SIZE (default 256MiB): 1 byte to 1TiB.
void add_max_body_option(cxxopts::Options& options, const std::string& help);
Result<std::size_t> read_max_body(const cxxopts::ParseResult& args);

} // namespace konform::cli
