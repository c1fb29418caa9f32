#include "compare/compare.h"

#include "compare/canonical.h"
#include "compare/engine.h"
#include "compare/ksql_stream.h"
#include "compare/kusto_tables.h"
#include "compare/text_diff.h"

#include "json/document.h"

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

Result<std::vector<Difference>> compare_bodies(std::string_view expected, std::string_view actual,
                                               protocol::Kind kind, const Rules& rules) {
  if (kind == protocol::Kind::text) return compare_text(expected, actual);
  auto compiled = compile(rules);
  if (!compiled) return compiled.error();
  auto e = parse_side(expected, kind, "expected");
  if (!e) return e.error();
  auto a = parse_side(actual, kind, "actual");
  if (!a) return a.error();
  return run(e->root(), a->root(), kind, *compiled);
}

Result<std::string> canonical_golden(std::string_view body, protocol::Kind kind) {
  if (kind == protocol::Kind::text) return std::string(body);
  auto doc = parse_side(body, kind, "golden");
  if (!doc) return doc.error();
  return canonical_json(doc->root());
}

} // namespace konform::compare
