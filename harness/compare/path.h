#pragma once
// JSON paths of the comparison: the path of the value being compared (kept as a stack of
// segments that point into the parsed document, so walking costs no allocation; the string form
// is built only when a difference is reported), and the path patterns of Rules ($.a, $[0], $[*],
// $.*, $..Key) matched against it.
#include "core/result.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace konform::compare {

struct Segment {
  std::string_view key; // object member name (points into the document or a literal)
  std::size_t index = 0;
  bool is_index = false;
};

// A stack that never shrinks: push and pop are a store and an increment on the hot path (one
// per compared value), growing only when a document is deeper than any before.
class Path {
public:
  Path() : segments_(32) {}
  void push_key(std::string_view key) {
    if (depth_ == segments_.size()) segments_.resize(depth_ * 2);
    segments_[depth_++] = {key, 0, false};
  }
  void push_index(std::size_t index) {
    if (depth_ == segments_.size()) segments_.resize(depth_ * 2);
    segments_[depth_++] = {{}, index, true};
  }
  void pop() { --depth_; }
  std::size_t depth() const { return depth_; }
  std::span<const Segment> segments() const { return {segments_.data(), depth_}; }
  const Segment& back() const { return segments_[depth_ - 1]; }

  // "$", "$.Tables[0].Rows[3][1]", "$[\"@type\"]" (keys that are not plain names are quoted).
  std::string str() const;

private:
  std::vector<Segment> segments_;
  std::size_t depth_ = 0;
};

// Appends ".key" or "[\"key\"]" as str() would.
void append_key(std::string& out, std::string_view key);

class Pattern {
public:
  // Parses "$.a.b", "$[0]", "$[*]", "$.*", "$..Key", "$[\"odd key\"]". The error says what is
  // wrong at which character of the path.
  static Result<Pattern> parse(std::string_view text);

  bool matches(std::span<const Segment> path) const;
  const std::string& text() const { return text_; }

private:
  enum class Op { key, index, any_key, any_index, descend };
  struct Step {
    Op op = Op::key;
    std::string key;
    std::size_t index = 0;
  };
  bool match_from(std::size_t step, std::span<const Segment> path, std::size_t at) const;

  std::vector<Step> steps_;
  std::string text_;
};

} // namespace konform::compare
