#pragma once
// `konform diff`'s command line read into one value, without printing, exceptions or I/O (the
// token and the --noise file are read afterwards by cmd_diff.cpp), so the CLI tests can call it.
#include "cli/connection_options.h"
#include "core/result.h"
#include "diff/diff_runner.h"

#include <string>
#include <vector>

namespace konform::cli {

struct DiffCommandLine {
  bool help = false;                          // --help: print diff_help() and nothing else
  bool reports = false;                       // --reports OLD.json NEW.json: compare saved reports
  std::vector<std::string> paths;             // scenario paths, or with --reports the two reports
  diff::DiffOptions run;                      // everything but the token and the noise file
  ConnectionOptions connection;               // the token's sources; TLS already copied into `run`
  std::string noise_file;                     // --noise
  std::string junit, json, html, learn_noise; // files to write (empty: not asked for)
};

// args are the words after `konform diff`.
Result<DiffCommandLine> parse_diff_options(const std::vector<std::string>& args);
std::string diff_help();

} // namespace konform::cli
