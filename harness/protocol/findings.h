#pragma once
// Building findings: each names the JSON path of what it concerns ("$[3].Rows[0][2]"). A
// Findings collector caps how many findings one body can produce, so memory stays bounded
// however broken the input is.
#include "json/path.h"
#include "protocol/validate.h"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace konform::protocol {

// Paths are carried as text and extended one step at a time, in json::Path's text form.
using json::child_path;
using json::index_path;

class Findings {
public:
  static constexpr std::size_t max_per_rule = 20; // listed findings per rule and body
  static constexpr std::size_t max_findings = 1000;

  void add(Level level, std::string path, std::string_view rule, std::string message);
  void violation(std::string path, std::string_view rule, std::string message) {
    add(Level::violation, std::move(path), rule, std::move(message));
  }
  void in_band(std::string path, std::string_view rule, std::string message) {
    add(Level::in_band_error, std::move(path), rule, std::move(message));
  }
  void warning(std::string path, std::string_view rule, std::string message) {
    add(Level::warning, std::move(path), rule, std::move(message));
  }
  // True once the overall cap is reached: validators may stop walking.
  bool full() const { return list_.size() >= max_findings; }
  bool has(Level level) const;
  bool has_rule(std::string_view rule) const;
  // The findings, followed by one "N more ..." finding per rule that was cut.
  std::vector<Finding> take();

private:
  struct PerRule {
    std::size_t count = 0;
    std::size_t dropped = 0;
    Level worst_dropped_level = Level::warning; // violation < in_band_error < warning
  };
  std::vector<Finding> list_;
  std::map<std::string, PerRule, std::less<>> per_rule_;
};

} // namespace konform::protocol
