#pragma once
// The tree comparison every kind shares: walks the expected and the actual document together
// once, records every difference, and applies Rules and the protocol's volatile members on the
// way. Equal values cost no allocation: the path is a stack of views into the documents and is
// turned into text only when a difference is reported. Kusto tables and ksqlDB streams
// (kusto_tables.h, ksql_stream.h) drive this comparer cell by cell.
#include "compare/compare.h"
#include "compare/path.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace konform::compare {

struct CompiledRules {
  std::vector<Pattern> ignore;
  std::vector<Pattern> unordered;
  std::vector<std::pair<Pattern, Matcher>> matchers;
  double numeric_tolerance = 0;
  bool protocol_defaults = true;
  bool has_path_rules = false;
};

// Compiles Rules; the error names the offending path.
Result<CompiledRules> compile(const Rules& rules);
// The same, skipping invalid paths (for compare(), which has no error channel).
CompiledRules compile_lenient(const Rules& rules);

// Where the value being compared sits in a table, for messages such as
// "PrimaryResult row 3, column Count: expected 5, got 6".
struct Cell {
  std::string_view table; // empty for a ksqlDB stream
  std::size_t row = 0;
  std::string_view column; // empty when the row is compared as a whole
};

class TreeComparer {
public:
  TreeComparer(const CompiledRules& rules, protocol::Kind kind, std::vector<Difference>& out)
      : rules_(rules), kind_(kind), out_(out) {}

  Path& path() { return path_; }
  const CompiledRules& rules() const { return rules_; }
  protocol::Kind kind() const { return kind_; }

  // Compares the value at the current path.
  void value(simdjson::dom::element e, simdjson::dom::element a);
  // Compares two objects member by member, leaving out the `skip` members on both sides.
  void object(simdjson::dom::object e, simdjson::dom::object a,
              std::initializer_list<std::string_view> skip = {});
  // Compares two arrays element by element (or as multisets when a rule says so).
  void array(simdjson::dom::array e, simdjson::dom::array a);

  // True when e and a are equal scalars of one type that no rule, matcher or protocol default
  // can concern: the caller skips them without touching the path (the hot path of a large
  // response). False means "ask value()", not "different".
  bool trivially_equal(simdjson::dom::element e, simdjson::dom::element a) const {
    using simdjson::dom::element_type;
    if (rules_.has_path_rules) return false;
    element_type t = e.type();
    if (t != a.type()) return false;
    switch (t) {
    case element_type::STRING: {
      std::string_view es = e.get_string().value_unsafe();
      if (es.size() >= 2 && es[0] == '{' && es[1] == '{') return false; // maybe a golden matcher
      return es == a.get_string().value_unsafe();
    }
    case element_type::INT64:
      return e.get_int64().value_unsafe() == a.get_int64().value_unsafe();
    case element_type::UINT64:
      return e.get_uint64().value_unsafe() == a.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return e.get_double().value_unsafe() == a.get_double().value_unsafe();
    case element_type::BOOL:
      return e.get_bool().value_unsafe() == a.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return true;
    default:
      return false;
    }
  }

  // Would value() report nothing? (Used to pair up elements of unordered arrays.)
  bool equal(simdjson::dom::element e, simdjson::dom::element a);
  // Runs `compare` without recording anything: true when it would report no difference.
  template <class F> bool probe(F&& compare) {
    bool saved = failed_;
    failed_ = false;
    ++probing_;
    compare();
    --probing_;
    bool same = !failed_;
    failed_ = saved;
    return same;
  }

  // User ignore / unordered rules matching the current path.
  bool ignored_here() const;
  bool unordered_here() const;

  // Messages of the differences reported while `cell` is set name the table, row and column.
  void set_cell(const Cell* cell) { cell_ = cell; }

  // Records a difference at the current path. `expected` / `actual` are JSON text or
  // "(missing)"; `what` is the message after the table/row/column prefix.
  void report(std::string expected, std::string actual, std::string what);
  // True while probing (equal()): callers may stop early, nothing is recorded.
  bool probing() const { return probing_ > 0; }
  bool probe_failed() const { return probing_ > 0 && failed_; }

  // A hash under which equal values are equal: object member order is left out and numbers
  // are hashed by value (1 and 1.0 alike). Used to find partners in unordered arrays.
  static std::uint64_t value_hash(simdjson::dom::element v);

  // Pairs the elements of two unordered sequences: the same position first, then elements with
  // the same value_hash(), then any remaining pair (so ignore rules and tolerances inside the
  // elements still count). same(i, j) decides. Marks e_done[i] / a_used[j].
  template <class Same>
  static void pair_unordered(const std::vector<simdjson::dom::element>& ev,
                             const std::vector<simdjson::dom::element>& av, Same&& same,
                             std::vector<char>& e_done, std::vector<char>& a_used) {
    e_done.assign(ev.size(), 0);
    a_used.assign(av.size(), 0);
    auto attempt = [&](std::size_t i, std::size_t j) {
      if (e_done[i] || a_used[j] || !same(i, j)) return false;
      e_done[i] = a_used[j] = 1;
      return true;
    };
    for (std::size_t i = 0; i < ev.size() && i < av.size(); ++i)
      attempt(i, i);
    std::unordered_multimap<std::uint64_t, std::size_t> by_hash;
    for (std::size_t j = 0; j < av.size(); ++j)
      if (!a_used[j]) by_hash.emplace(value_hash(av[j]), j);
    for (std::size_t i = 0; i < ev.size(); ++i) {
      if (e_done[i]) continue;
      auto [first, last] = by_hash.equal_range(value_hash(ev[i]));
      for (auto it = first; it != last; ++it)
        if (attempt(i, it->second)) break;
    }
    for (std::size_t i = 0; i < ev.size(); ++i)
      for (std::size_t j = 0; !e_done[i] && j < av.size(); ++j)
        attempt(i, j);
  }

  // Compact JSON of a value for a Difference, shortened when very long.
  static std::string excerpt(simdjson::dom::element v);
  static std::string excerpt(simdjson::dom::element v, std::size_t limit);

private:
  void member(std::string_view key, simdjson::dom::element e, simdjson::dom::element a);
  void unordered_array(simdjson::dom::array e, simdjson::dom::array a);
  bool volatile_member(std::string_view key) const;
  bool equivalent_strings(std::string_view key, std::string_view e, std::string_view a) const;
  void check_matcher(Matcher m, simdjson::dom::element a);
  std::string prefix() const;

  const CompiledRules& rules_;
  protocol::Kind kind_;
  std::vector<Difference>& out_;
  Path path_;
  const Cell* cell_ = nullptr;
  int probing_ = 0;
  bool failed_ = false;
};

} // namespace konform::compare
