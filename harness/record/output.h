#pragma once
// Writing a recording: every file is first written beside its final place under a temporary name
// and renamed only when the whole recording is ready, scenario files last. An interrupted run (a
// crash, a full disk, a second Ctrl-C) therefore leaves no half-written scenario, and temporary
// files are removed when the Staging is destroyed without commit().
#include "core/result.h"

#include <string>
#include <utility>
#include <vector>

namespace konform::record {

// The recording may write `out` only when it does not exist yet or --force was given; the error
// (kind exists) says how to go on.
Status check_out(const std::string& out, bool force);

class Staging {
public:
  Staging() = default;
  ~Staging();
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  // Writes `content` to a temporary file in final_path's folder (created when missing).
  Status stage(const std::string& final_path, std::string_view content);
  // Renames every staged file into place, in the order staged.
  Status commit();
  const std::vector<std::string>& files() const { return finals_; }

private:
  std::vector<std::pair<std::string, std::string>> staged_; // temporary → final
  std::vector<std::string> finals_;
  bool committed_ = false;
};

} // namespace konform::record
