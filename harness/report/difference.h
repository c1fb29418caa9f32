#pragma once
// How one golden difference reads for people, shared by the console, JUnit and HTML writers so
// that all of them say the same: every line names the JSON path, and a long string difference
// points at its first differing character instead of showing both strings cut at one length.
#include "report/run_result.h"

#include <optional>
#include <string>
#include <vector>

namespace konform::report {

// Where two long JSON strings first differ, with a short window of each around that place.
struct StringMismatch {
  std::size_t position = 0; // 1-based character (code point) of the string value
  // Both values reached the report cut (the compare engine keeps 16 KiB of each string) and
  // agree that far: the difference lies somewhere after `position` - 1 characters.
  bool beyond_excerpt = false;
  std::size_t window_at = 0;   // byte offset in each window where the difference starts
  std::string expected_window; // "..." marks text left out on either side
  std::string actual_window;
};

// Set when both sides are JSON strings and one is longer than `long_from` characters of JSON
// text; nullopt otherwise (short values read fine whole).
std::optional<StringMismatch> string_mismatch(const Difference& d, std::size_t long_from = 60,
                                              std::size_t context = 24);

// The text lines for one difference: the first always starts with the path.
std::vector<std::string> difference_lines(const Difference& d);

} // namespace konform::report
