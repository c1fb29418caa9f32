#pragma once
// JSON paths of the comparison: the path of the value being compared (kept as a stack of
// segments that point into the parsed document, so walking costs no allocation; the string form
// is built only when a difference is reported), and the path patterns of Rules ($.a, $[0], $[*],
// $.*, $..Key) matched against it.
#include "core/result.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace konform::compare {

struct Segment {
  std::string_view key; // object member name (points into the document or a literal)
  std::size_t index = 0;
  bool is_index = false;
};

class Path {
public:
  Path() { segments_.reserve(32); }
  void push_key(std::string_view key) { segments_.push_back({key, 0, false}); }
  void push_index(std::size_t index) { segments_.push_back({{}, index, true}); }
  void pop() { segments_.pop_back(); }
  std::size_t depth() const { return segments_.size(); }
  const std::vector<Segment>& segments() const { return segments_; }
  const Segment& back() const { return segments_.back(); }

  // "$", "$.Tables[0].Rows[3][1]", "$[\"@type\"]" (keys that are not plain names are quoted).
  std::string str() const;

private:
  std::vector<Segment> segments_;
};

// Appends ".key" or "[\"key\"]" as str() would.
void append_key(std::string& out, std::string_view key);

class Pattern {
public:
  // Parses "$.a.b", "$[0]", "$[*]", "$.*", "$..Key", "$[\"odd key\"]". The error says what is
  // wrong at which character of the path.
  static Result<Pattern> parse(std::string_view text);

  bool matches(const std::vector<Segment>& path) const;
  const std::string& text() const { return text_; }

private:
  enum class Op { key, index, any_key, any_index, descend };
  struct Step {
    Op op = Op::key;
    std::string key;
    std::size_t index = 0;
  };
  bool match_from(std::size_t step, const std::vector<Segment>& path, std::size_t at) const;

  std::vector<Step> steps_;
  std::string text_;
};

} // namespace konform::compare
