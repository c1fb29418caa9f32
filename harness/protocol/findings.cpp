#include "protocol/findings.h"

#include <algorithm>

namespace konform::protocol {

void Findings::add(Level level, std::string path, std::string_view rule, std::string message) {
  // A broken generator repeats one mistake in every row: keep the first few of each rule, count
  // the rest, so that one rule can never crowd out another (a flood of warnings must not hide a
  // violation) and memory stays bounded.
  auto& seen = per_rule_[std::string(rule)];
  if (++seen.count > max_per_rule || list_.size() >= max_findings) {
    ++seen.dropped;
    seen.worst_dropped_level = std::min(seen.worst_dropped_level, level);
    return;
  }
  list_.push_back(Finding{level, std::move(path), std::string(rule), std::move(message)});
}

std::vector<Finding> Findings::take() {
  // One closing finding per rule that was cut, at the most severe level it dropped, so that a
  // report never looks complete (or milder) than the body was.
  for (const auto& [rule, seen] : per_rule_)
    if (seen.dropped)
      list_.push_back(Finding{seen.worst_dropped_level, "", rule,
                              std::to_string(seen.dropped) + " more " + rule +
                                  " findings in this body were not listed"});
  per_rule_.clear();
  return std::move(list_);
}

bool Findings::has(Level level) const {
  return std::any_of(list_.begin(), list_.end(),
                     [&](const Finding& f) { return f.level == level; });
}

bool Findings::has_rule(std::string_view rule) const {
  return std::any_of(list_.begin(), list_.end(), [&](const Finding& f) { return f.rule == rule; });
}

} // namespace konform::protocol
