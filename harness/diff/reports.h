#pragma once
// `konform diff --reports OLD.json NEW.json`: what changed between two CI runs, from their saved
// JSON reports (both of `check`, or both of `diff`): steps that newly fail or newly pass, and
// differences that appeared or went away.
#include "core/result.h"

#include <string>
#include <vector>

namespace konform::diff {

struct ReportChanges {
  std::string format; // "konform-check-report" or "konform-diff-report"
  std::string old_file, new_file;
  std::vector<std::string> newly_failing; // "scenario / step"
  std::vector<std::string> newly_passing;
  std::vector<std::string> steps_added; // only in the new report
  std::vector<std::string> steps_removed;
  // check: "scenario / step: path"; diff: the grouped paths beyond noise
  std::vector<std::string> appeared;
  std::vector<std::string> gone;
  bool regressed() const { return !newly_failing.empty() || !appeared.empty(); }
};

// The error is bad input located file:line:column: a file that is not a konform JSON report,
// or two reports of different formats or versions.
Result<ReportChanges> compare_reports(std::string_view old_text, const std::string& old_file,
                                      std::string_view new_text, const std::string& new_file);
Result<ReportChanges> compare_report_files(const std::string& old_file,
                                           const std::string& new_file);

std::string console_report_changes(const ReportChanges& changes);
std::string json_report_changes(const ReportChanges& changes);

} // namespace konform::diff
