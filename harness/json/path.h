#pragma once
// JSON paths, written once: the steps of a path (member names and array indexes), their one
// text form ("$", "$.Tables[0].Rows[3][1]", "$[\"odd key\"]"), and the parser of that text with
// errors that name the character. The same grammar with wildcards ($[*], $.*, $..Key) makes the
// patterns of comparison rules. Used by captures (scenario), comparison and diff paths (compare,
// diff), findings (protocol), source locations (locate_path) and ingestion mappings (serve).
#include "core/result.h"

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace konform::json {

// One step of a path: an object member name, or an array index. Key is std::string for paths
// that own their names (parsed, stored) and std::string_view for paths whose names point into a
// parsed document (walking a document then costs no allocation).
template <class Key> struct BasicPathStep {
  Key key{};
  std::size_t index = 0;
  bool is_index = false;

  friend bool operator==(const BasicPathStep&, const BasicPathStep&) = default;
};
using PathStep = BasicPathStep<std::string>;
using PathStepRef = BasicPathStep<std::string_view>;

// Names that print as ".name": a letter, '_', '@', '-' or '$' first, then also digits. Anything
// else prints quoted as ["name"] with JSON string escapes.
bool is_plain_name(std::string_view key);
// Appends ".key" or "[\"key\"]".
void append_key(std::string& out, std::string_view key);
// Appends "[index]".
void append_index(std::string& out, std::size_t index);

// One step below an already rendered path ("" stands for the root "$"): for code that carries
// paths as text.
std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

template <class Key>
void append_steps(std::string& out, std::span<const BasicPathStep<Key>> steps) {
  for (const auto& s : steps) {
    if (s.is_index)
      append_index(out, s.index);
    else
      append_key(out, s.key);
  }
}

// A path as a stack of steps: push and pop are cheap (a store into a vector that keeps its
// capacity), the text is built only when asked for.
template <class Key> class BasicPath {
public:
  using Step = BasicPathStep<Key>;

  BasicPath() = default;
  BasicPath(std::initializer_list<Step> steps) : steps_(steps) {}
  explicit BasicPath(std::vector<Step> steps) : steps_(std::move(steps)) {}

  void push_key(std::string_view key) { steps_.push_back(Step{Key(key), 0, false}); }
  void push_index(std::size_t index) { steps_.push_back(Step{Key{}, index, true}); }
  void pop() { steps_.pop_back(); }
  // Replaces the index of the innermost step (cheaper than pop + push inside loops).
  void set_index(std::size_t index) { steps_.back().index = index; }
  void reserve(std::size_t depth) { steps_.reserve(depth); }

  std::size_t depth() const { return steps_.size(); }
  bool empty() const { return steps_.empty(); }
  std::span<const Step> steps() const { return {steps_.data(), steps_.size()}; }
  const Step& back() const { return steps_.back(); }

  // The text form: "$", "$.Tables[0].Rows[3][1]", "$[\"@odd key\"]".
  std::string str() const {
    std::string out = "$";
    append_steps<Key>(out, steps());
    return out;
  }

  friend bool operator==(const BasicPath&, const BasicPath&) = default;

private:
  std::vector<Step> steps_;
};

// A path that owns its member names.
class Path : public BasicPath<std::string> {
public:
  using BasicPath::BasicPath;
  // Parses the text form ("$.a.b", "$[0]", "$['key']", "$[\"k\\\"ey\"]"; a name after '.' runs to
  // the next '.' or '['). The error says what is wrong at which character, and that wildcards
  // select many values where a path names one.
  static Result<Path> parse(std::string_view text);
};

// A path whose member names point into a document (or literals) that outlives it.
using PathRef = BasicPath<std::string_view>;

// A path with wildcards, matched against concrete paths: $.a, $[0], $["odd key"], $[*] (any
// index), $.* (any member), $..Key (Key at any depth below), $..[*].
class PathPattern {
public:
  // The error says what is wrong at which character of the text.
  static Result<PathPattern> parse(std::string_view text);

  bool matches(std::span<const PathStepRef> path) const;
  bool matches(std::span<const PathStep> path) const;
  const std::string& text() const { return text_; }

  enum class Op { key, index, any_key, any_index, descend };
  struct Step {
    Op op = Op::key;
    std::string key;
    std::size_t index = 0;
  };
  std::span<const Step> steps() const { return steps_; }

private:
  template <class Key>
  bool match_from(std::size_t step, std::span<const BasicPathStep<Key>> path, std::size_t at) const;

  std::vector<Step> steps_;
  std::string text_;
};

} // namespace konform::json
