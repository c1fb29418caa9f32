// Golden comparison: two documents (golden NUL response) compared as a kind, with and without
// rules, and the canonical form --update-golden stores. Without a NUL the document is compared
// with itself (the equal path, which must report nothing). A selector byte (fuzz_input.h) picks
// the kind and the rules; a raw golden file as input is compared as the kind it looks like.
#include "compare/compare.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/kinds.h"
#include "protocol/validate.h"

#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace konform;
  std::string_view text = fuzz::as_text(data, size);
  auto selector = fuzz::take_selector(text);
  auto [expected, actual] = fuzz::split_nul(text);
  bool same = text.find('\0') == std::string_view::npos;
  if (same) actual = expected;

  protocol::Kind kind = selector ? fuzz::kind_of(*selector)
                                 : protocol::detect_kind(expected).value_or(protocol::Kind::json);
  compare::Rules rules;
  if (selector && (*selector & 0x20)) { // the rules a scenario file can give
    rules.ignore = {"$..Timestamp", "$[0].Rows[*][1]"};
    rules.unordered = {"$..Rows", "$[*]"};
    rules.numeric_tolerance = 0.5;
    rules.matchers = {{"$..Id", compare::Matcher::any_guid},
                      {"$..When", compare::Matcher::any_datetime}};
    rules.protocol_defaults = (*selector & 0x10) != 0;
  }

  compare::BodyComparer comparer;
  auto differences = comparer.compare(expected, actual, kind, rules);
  // A plain JSON document equals itself, whatever the rules (matchers aside: "{{any-guid}}" in a
  // golden matches a GUID, not the text "{{any-guid}}"). Protocol kinds may also report what is
  // malformed on both sides (a row shorter than its columns), so they are not held to this.
  bool plain = kind == protocol::Kind::json || kind == protocol::Kind::text;
  if (same && plain && differences && !differences->empty() && rules.matchers.empty() &&
      expected.find("{{") == std::string_view::npos) {
    for (const auto& d : *differences)
      std::fprintf(stderr, "%s: %s\n", d.path.c_str(), d.message.c_str());
    __builtin_trap();
  }
  (void)compare::canonical_golden(expected, kind);
  return 0;
}
