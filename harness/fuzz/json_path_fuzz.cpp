// JSON paths, both kinds: a scenario capture path ($.a[0]['k'], scenario/json_path) evaluated and
// located in a document, and a comparison rule pattern ($..Key, $[*], compare/path) matched
// against the path of every value of that document. Input: path NUL document.
#include "compare/compare.h"
#include "compare/path.h"
#include "fuzz/fuzz_input.h"
#include "json/document.h"
#include "json/locate.h"
#include "scenario/json_path.h"

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Walks the document as the comparison does, asking the pattern at every value; stops after a
// bounded number of values so that one input cannot take long.
void walk(element e, konform::compare::Path& path, const konform::compare::Pattern& pattern,
          int& budget) {
  if (--budget < 0) return;
  (void)pattern.matches(path.steps());
  if (e.type() == element_type::OBJECT) {
    // Named, not a temporary: iterating a member of a temporary result reads a dead object.
    simdjson::dom::object object = e.get_object().value_unsafe();
    for (auto [key, value] : object) {
      path.push_key(key);
      walk(value, path, pattern, budget);
      path.pop();
    }
  } else if (e.type() == element_type::ARRAY) {
    std::size_t i = 0;
    simdjson::dom::array array = e.get_array().value_unsafe();
    for (auto value : array) {
      path.push_index(i++);
      walk(value, path, pattern, budget);
      path.pop();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [path_text, json_text] = konform::fuzz::split_nul(konform::fuzz::as_text(data, size));
  auto doc = konform::json::Document::parse(json_text.empty() ? "{}" : json_text, "fuzz");

  if (auto steps = konform::scenario::parse_json_path(path_text); steps && doc) {
    (void)konform::scenario::evaluate(doc->root(), *steps);
    (void)konform::json::locate_path(doc->text(), steps->steps());
  }
  if (auto pattern = konform::compare::Pattern::parse(path_text); pattern && doc) {
    konform::compare::Path path;
    int budget = 10000;
    walk(doc->root(), path, *pattern, budget);
  }
  (void)konform::compare::check_rule_path(path_text);
  return 0;
}
