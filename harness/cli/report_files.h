#pragma once
// Writing the report files a command was asked for, one way for every command. A path left
// empty was not asked for, and its report is not even rendered. A write that fails is named on
// stderr (the option and the file's own error) and makes the exit code 3, but the other reports
// are still written: one unwritable path must not cost the CI job the rest of its evidence.
#include "cli/app.h"
#include "core/file.h"
#include "core/redact.h"

#include <iostream>
#include <string>
#include <string_view>
#include <utility>

namespace konform::cli {

class ReportFiles {
public:
  // command: "konform check", the prefix of every message. token: the run's bearer token; every
  // report byte passes through redact::redacted with it (the reports are redacted already: this
  // is the last line of defence).
  explicit ReportFiles(std::string command, std::string token = {}, std::ostream& err = std::cerr)
      : command_(std::move(command)), token_(std::move(token)), err_(err) {}

  // render: a callable returning the report's text, called only when path is not empty.
  template <class Render>
  void write(std::string_view option, const std::string& path, Render&& render) {
    if (path.empty()) return;
    record(option, file::write(path, redact::redacted(render(), token_)));
  }

  // A write made elsewhere (an .hlog closed by its own sink), counted the same way.
  void record(std::string_view option, const Status& written) {
    if (written) return;
    err_ << command_ << ": " << option << (option.empty() ? "" : ": ") << written.error().message
         << "\n";
    failed_ = true;
  }

  // exit_runtime once a write failed, else the run's own code.
  int exit_code(int run_code) const { return failed_ ? exit_runtime : run_code; }

private:
  std::string command_;
  std::string token_;
  std::ostream& err_;
  bool failed_ = false;
};

} // namespace konform::cli
