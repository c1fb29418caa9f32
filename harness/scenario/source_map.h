#pragma once
// Where each value of a scenario file sits in its text, built in one pass. The parser locates
// every step (and every error) by its path; json::locate_path rescans the whole text per call,
// which made a file of n steps cost O(n²) (79 s at 16k steps). Here a lookup costs the path's
// depth, and line:column comes from a table of line starts by binary search.
#include "json/locate.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace konform::scenario {

class SourceMap {
public:
  // `text` must outlive the map. Text that is not valid JSON gives a map of what was read before
  // the first error (lookups then fall back to the nearest ancestor found).
  explicit SourceMap(std::string_view text);

  // Byte offset where the value at `path` starts, or where the nearest existing ancestor starts;
  // 0 for the empty path.
  std::size_t value_offset(const std::vector<json::PathStep>& path) const;
  // Byte offset of the opening quote of the member name when `path` ends in an object member
  // that exists (an unknown field is reported at the name the user has to retype); otherwise
  // value_offset(path).
  std::size_t key_offset(const std::vector<json::PathStep>& path) const;

  json::Location location(std::size_t offset) const;

private:
  struct Node {
    std::size_t value = 0;   // offset of the value's first byte
    std::size_t key = 0;     // offset of the member name's quote (object members only)
    std::uint32_t first = 0; // children: children_[first, first + count)
    std::uint32_t count = 0;
  };
  struct MemberKey {
    std::uint32_t parent;
    std::string name;
    bool operator==(const MemberKey& o) const { return parent == o.parent && name == o.name; }
  };
  struct MemberHash {
    std::size_t operator()(const MemberKey& k) const {
      return std::hash<std::string>()(k.name) * 31 + k.parent;
    }
  };

  // Scans the value at pos_ (after white space) and returns its node.
  std::uint32_t scan_value();
  void scan_children(std::uint32_t node, bool object);
  bool scan_string(std::string* out);
  void skip_ws();

  // Follows `path` as far as it exists; returns the last node reached and how many steps matched.
  std::pair<std::uint32_t, std::size_t> walk(const std::vector<json::PathStep>& path) const;

  std::string_view text_;
  std::size_t pos_ = 0;                 // scan position while building
  std::vector<Node> nodes_;             // nodes_[0] is the root value
  std::vector<std::uint32_t> children_; // array elements in order (object members too)
  std::unordered_map<MemberKey, std::uint32_t, MemberHash> members_; // first member of a name
  std::vector<std::size_t> line_starts_;
};

} // namespace konform::scenario
