#include "compare/compare.h"

#include "compare/canonical.h"
#include "compare/engine.h"
#include "compare/ksql_stream.h"
#include "compare/kusto_tables.h"
#include "compare/text_diff.h"
#include "core/text.h"

#include "json/document.h"
#include "json/locate.h"
#include <optional>
#include <system_error>
#include <thread>

namespace konform::compare {

namespace {

std::vector<Difference> run(simdjson::dom::element expected, simdjson::dom::element actual,
                            protocol::Kind kind, const CompiledRules& rules) {
  std::vector<Difference> out;
  Engine engine(rules, kind, out);
  switch (kind) {
  case protocol::Kind::kusto_v1:
  case protocol::Kind::kusto_ingest:
    compare_kusto_v1(engine, expected, actual);
    break;
  case protocol::Kind::kusto_v2:
    compare_kusto_v2(engine, expected, actual);
    break;
  case protocol::Kind::ksql_stream:
    compare_ksql_stream(engine, expected, actual);
    break;
  default:
    engine.value(expected, actual);
    break;
  }
  return out;
}

// Parses one side; ksqlDB streams are reassembled first. The error's kind says which side.
Result<json::Document> parse_side(std::string_view body, protocol::Kind kind,
                                  std::string_view side) {
  std::string origin = std::string(side) + " body";
  if (kind == protocol::Kind::ksql_stream) {
    auto text = reassemble_ksql_stream(body, origin);
    if (!text) return make_error(text.error().message, std::string(side));
    auto doc = json::Document::parse(*text, origin);
    if (!doc) return make_error(doc.error().message, std::string(side));
    return doc;
  }
  auto doc = json::Document::parse(body, origin);
  if (!doc) return make_error(doc.error().message, std::string(side));
  return doc;
}

} // namespace

std::vector<Difference> compare(simdjson::dom::element expected, simdjson::dom::element actual,
                                protocol::Kind kind, const Rules& rules) {
  return run(expected, actual, kind, compile_lenient(rules));
}

// Below this size a thread costs more than it saves.
constexpr std::size_t kParallelParseBytes = 4u << 20;

// One side of a BodyComparer: a parser and a padded copy of the body, both reused.
struct BodyComparer::Side {
  simdjson::dom::parser parser;
  std::string buffer;

  Result<simdjson::dom::element> parse(std::string_view body, protocol::Kind kind,
                                       std::string_view side) {
    std::string origin = std::string(side) + " body";
    std::string reassembled;
    if (kind == protocol::Kind::ksql_stream) {
      auto text = reassemble_ksql_stream(body, origin);
      if (!text) return make_error(text.error().message, std::string(side));
      reassembled = std::move(*text);
      body = reassembled;
    }
    // simdjson reads up to SIMDJSON_PADDING bytes past the end.
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING); // one allocation, no regrowth
    buffer.assign(body);
    buffer.append(simdjson::SIMDJSON_PADDING, ' ');
    auto r = parser.parse(buffer.data(), body.size(), false);
    if (r.error()) {
      auto where = json::locate_error(body);
      if (where)
        return make_error(origin + ":" + std::to_string(where->line) + ":" +
                              std::to_string(where->column) + ": invalid JSON: " + where->what,
                          std::string(side));
      return make_error(origin + ": invalid JSON: " + simdjson::error_message(r.error()),
                        std::string(side));
    }
    return r.value_unsafe();
  }
};

BodyComparer::BodyComparer()
    : expected_(std::make_unique<Side>()), actual_(std::make_unique<Side>()) {}
BodyComparer::~BodyComparer() = default;

Result<std::vector<Difference>> BodyComparer::compare(std::string_view expected,
                                                      std::string_view actual, protocol::Kind kind,
                                                      const Rules& rules) {
  if (kind == protocol::Kind::text) return compare_text(expected, actual);
  auto compiled = compile(rules);
  if (!compiled) return compiled.error();
  // Large bodies: the two sides parse on two threads (they share nothing), the walk follows.
  std::optional<Result<simdjson::dom::element>> e;
  if (expected.size() >= kParallelParseBytes && actual.size() >= kParallelParseBytes) {
    try {
      std::jthread t([&] { e.emplace(expected_->parse(expected, kind, "expected")); });
      auto a = actual_->parse(actual, kind, "actual");
      t.join();
      if (!*e) return e->error();
      if (!a) return a.error();
      return run(**e, *a, kind, *compiled);
    } catch (const std::system_error&) {
      // no thread to be had: parse one after the other below
    }
  }
  e.emplace(expected_->parse(expected, kind, "expected"));
  if (!*e) return e->error();
  auto a = actual_->parse(actual, kind, "actual");
  if (!a) return a.error();
  return run(**e, *a, kind, *compiled);
}

Result<std::vector<Difference>> compare_bodies(std::string_view expected, std::string_view actual,
                                               protocol::Kind kind, const Rules& rules) {
  BodyComparer comparer;
  return comparer.compare(expected, actual, kind, rules);
}

bool is_volatile_header(std::string_view name) {
  static constexpr std::string_view kNames[] = {"x-ms-activity-id", "x-ms-request-id",
                                                "x-ms-client-request-id", "Date"};
  for (std::string_view n : kNames)
    if (text::iequals(name, n)) return true;
  return false;
}

Result<std::string> canonical_golden(std::string_view body, protocol::Kind kind) {
  if (kind == protocol::Kind::text) return std::string(body);
  auto doc = parse_side(body, kind, "golden");
  if (!doc) return doc.error();
  return canonical_json(doc->root());
}

} // namespace konform::compare
