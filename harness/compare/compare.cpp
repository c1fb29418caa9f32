#include "compare/compare.h"

#include "compare/canonical.h"
#include "compare/ksql_stream.h"
#include "compare/kusto_tables.h"
#include "compare/path.h"
#include "compare/text_diff.h"
#include "compare/tree_comparer.h"
#include "core/text.h"
#include "json/document.h"
#include "json/locate.h"

#include <optional>
#include <system_error>
#include <thread>

namespace konform::compare {

// What a comparison allocates and a BodyComparer keeps for the next one: with it, comparing a
// small response costs the two parses and the walk, not a few dozen allocations for vectors of
// tables, columns, rows and the path.
struct Scratch {
  KustoScratch kusto;
  KsqlScratch ksql;
};

namespace {

std::vector<Difference> run(simdjson::dom::element expected, simdjson::dom::element actual,
                            protocol::Kind kind, const CompiledRules& rules, Scratch& scratch) {
  std::vector<Difference> out;
  TreeComparer tree(rules, kind, out);
  switch (kind) {
  case protocol::Kind::kusto_v1:
  case protocol::Kind::kusto_ingest:
    compare_kusto_v1(tree, expected, actual, scratch.kusto);
    break;
  case protocol::Kind::kusto_v2:
    compare_kusto_v2(tree, expected, actual, scratch.kusto);
    break;
  case protocol::Kind::ksql_stream:
    compare_ksql_stream(tree, expected, actual, scratch.ksql);
    break;
  default:
    tree.value(expected, actual);
    break;
  }
  return out;
}

// Parses one side; ksqlDB streams are reassembled first. The error's kind says which side.
Result<json::Document> parse_side(std::string_view body, protocol::Kind kind, ErrorKind side) {
  std::string origin = std::string(to_string(side)) + " body";
  if (kind == protocol::Kind::ksql_stream) {
    auto text = reassemble_ksql_stream(body, origin);
    if (!text) return make_error(text.error().message, side);
    auto doc = json::Document::parse(*text, origin);
    if (!doc) return make_error(doc.error().message, side);
    return doc;
  }
  auto doc = json::Document::parse(body, origin);
  if (!doc) return make_error(doc.error().message, side);
  return doc;
}

} // namespace

std::vector<Difference> compare(simdjson::dom::element expected, simdjson::dom::element actual,
                                protocol::Kind kind, const Rules& rules) {
  Scratch scratch;
  return run(expected, actual, kind, compile_lenient(rules), scratch);
}

// Below this size a thread costs more than it saves.
constexpr std::size_t kParallelParseBytes = 4u << 20;

// One side of a BodyComparer: a parser and a padded copy of the body, both reused.
struct BodyComparer::Side {
  simdjson::dom::parser parser;
  std::string buffer;
  std::optional<simdjson::dom::element> root; // of the last successful parse

  // Parses a copy of `body` (simdjson reads up to SIMDJSON_PADDING bytes past the end).
  Result<simdjson::dom::element> parse(std::string_view body, protocol::Kind kind, ErrorKind side) {
    std::string origin = std::string(to_string(side)) + " body";
    if (kind == protocol::Kind::ksql_stream) return parse_stream(body, origin, side);
    buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING); // one allocation, no regrowth
    buffer.assign(body);
    buffer.append(simdjson::SIMDJSON_PADDING, ' ');
    return keep(finish(parser.parse(buffer.data(), body.size(), false), body, origin, side));
  }

  // Parses `body` where it is: the padding is appended for the parse and removed again (the
  // document keeps its own copies of strings, nothing points into `body` afterwards).
  Result<simdjson::dom::element> parse_in_place(std::string& body, protocol::Kind kind,
                                                ErrorKind side) {
    if (kind == protocol::Kind::ksql_stream) {
      if (closed_array(body)) { // as in parse_stream(), without the copy
        std::size_t size = body.size();
        body.append(simdjson::SIMDJSON_PADDING, ' ');
        auto r = parse_stream_text(body.data(), size);
        body.resize(size);
        if (r) return keep(*r);
      }
      return parse(body, kind, side);
    }
    std::size_t size = body.size();
    body.append(simdjson::SIMDJSON_PADDING, ' ');
    auto r = parser.parse(body.data(), size, false);
    body.resize(size);
    return keep(finish(std::move(r), body, std::string(to_string(side)) + " body", side));
  }

  // A ksqlDB stream, reassembled into the reused buffer. reassemble_ksql_stream() checks every
  // element with json::locate_error() (a scanner far slower than simdjson) so that an error
  // names its element and line:column; here one simdjson parse of the joined elements checks
  // them all, and only when it fails are the elements scanned for the located error. Its depth
  // limit is below the scanner's (values at most 1000 levels inside an element), so a body
  // simdjson accepts here is one every element check accepts too; a deeper one takes the old way.
  static constexpr std::size_t kStreamDepth = 1001;
  simdjson::dom::parser stream;

  Result<simdjson::dom::element> parse_stream(std::string_view body, const std::string& origin,
                                              ErrorKind side) {
    if (closed_array(body)) {
      // ksqlDB's closed-array layout is itself the reassembled stream: one array of the
      // elements, only the whitespace between them differs.
      buffer.reserve(body.size() + simdjson::SIMDJSON_PADDING);
      buffer.assign(body);
      buffer.append(simdjson::SIMDJSON_PADDING, ' ');
      if (auto r = parse_stream_text(buffer.data(), body.size())) return keep(*r);
    }
    if (auto joined = join_ksql_stream(body, origin, buffer); !joined)
      return make_error(joined.error().message, side);
    std::size_t size = buffer.size();
    buffer.append(simdjson::SIMDJSON_PADDING, ' ');
    if (auto r = parse_stream_text(buffer.data(), size)) return keep(*r);
    if (auto e = ksql_stream_element_error(body, origin)) return make_error(e->message, side);
    std::string_view text(buffer.data(), size);
    return keep(finish(parser.parse(buffer.data(), size, false), text, origin, side));
  }

  // Parses joined (or closed-array) stream text, padded, with the depth limit above; nullopt
  // when it is not valid JSON (or deeper than the limit, or there is no memory for it).
  std::optional<simdjson::dom::element> parse_stream_text(const char* text, std::size_t size) {
    bool ready = stream.max_depth() == kStreamDepth && stream.capacity() >= size;
    if (!ready) ready = !stream.allocate(std::max(size, stream.capacity()), kStreamDepth);
    if (!ready) return std::nullopt;
    auto r = stream.parse(text, size, false);
    if (r.error()) return std::nullopt;
    return r.value_unsafe();
  }

  // A body that looks like one closed JSON array: '[' first and ']' last, no ",]" before it.
  // (Only a guess to skip a parse that would fail; the parse decides.)
  static bool closed_array(std::string_view body) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t b = 0;
    std::size_t e = body.size();
    while (b < e && space(body[b]))
      ++b;
    while (e > b && space(body[e - 1]))
      --e;
    if (e - b < 2 || body[b] != '[' || body[e - 1] != ']') return false;
    --e;
    while (e > b && space(body[e - 1]))
      --e;
    return body[e - 1] != ',';
  }

  Result<simdjson::dom::element> keep(Result<simdjson::dom::element> r) {
    if (r) root = *r;
    return r;
  }

  static Result<simdjson::dom::element> finish(simdjson::simdjson_result<simdjson::dom::element> r,
                                               std::string_view body, const std::string& origin,
                                               ErrorKind side) {
    if (!r.error()) return r.value_unsafe();
    auto where = json::locate_error(body);
    if (where)
      return make_error(origin + ":" + std::to_string(where->line) + ":" +
                            std::to_string(where->column) + ": invalid JSON: " + where->what,
                        side);
    return make_error(origin + ": invalid JSON: " + simdjson::error_message(r.error()), side);
  }
};

BodyComparer::BodyComparer()
    : expected_(std::make_unique<Side>()), actual_(std::make_unique<Side>()),
      scratch_(std::make_unique<Scratch>()) {}
BodyComparer::~BodyComparer() = default;

namespace {

// Parses both sides with parse_expected() / parse_actual() — on two threads for large bodies
// (they share nothing) — then walks them.
template <class E, class A>
Result<std::vector<Difference>>
parse_and_run(std::size_t expected_size, std::size_t actual_size, E&& parse_expected,
              A&& parse_actual, protocol::Kind kind, const Rules& rules, Scratch& scratch) {
  auto compiled = compile(rules);
  if (!compiled) return compiled.error();
  std::optional<Result<simdjson::dom::element>> e;
  if (expected_size >= kParallelParseBytes && actual_size >= kParallelParseBytes) {
    try {
      std::jthread t([&] { e.emplace(parse_expected()); });
      auto a = parse_actual();
      t.join();
      if (!*e) return e->error();
      if (!a) return a.error();
      return run(**e, *a, kind, *compiled, scratch);
    } catch (const std::system_error&) {
      // no thread to be had: parse one after the other below
    }
  }
  e.emplace(parse_expected());
  if (!*e) return e->error();
  auto a = parse_actual();
  if (!a) return a.error();
  return run(**e, *a, kind, *compiled, scratch);
}

bool reads_kusto_tables(protocol::Kind kind) {
  return kind == protocol::Kind::kusto_v1 || kind == protocol::Kind::kusto_v2 ||
         kind == protocol::Kind::kusto_ingest;
}

} // namespace

Result<std::vector<Difference>> BodyComparer::compare(std::string_view expected,
                                                      std::string_view actual, protocol::Kind kind,
                                                      const Rules& rules) {
  expected_->root.reset();
  actual_->root.reset();
  tables_read_ = false;
  if (kind == protocol::Kind::text) return compare_text(expected, actual);
  auto result = parse_and_run(
      expected.size(), actual.size(),
      [&] { return expected_->parse(expected, kind, ErrorKind::expected); },
      [&] { return actual_->parse(actual, kind, ErrorKind::actual); }, kind, rules, *scratch_);
  tables_read_ = result.ok() && reads_kusto_tables(kind);
  return result;
}

Result<std::vector<Difference>> BodyComparer::compare_in_place(std::string& expected,
                                                               std::string& actual,
                                                               protocol::Kind kind,
                                                               const Rules& rules) {
  expected_->root.reset();
  actual_->root.reset();
  tables_read_ = false;
  if (kind == protocol::Kind::text) return compare_text(expected, actual);
  auto result = parse_and_run(
      expected.size(), actual.size(),
      [&] { return expected_->parse_in_place(expected, kind, ErrorKind::expected); },
      [&] { return actual_->parse_in_place(actual, kind, ErrorKind::actual); }, kind, rules,
      *scratch_);
  tables_read_ = result.ok() && reads_kusto_tables(kind);
  return result;
}

const simdjson::dom::element* BodyComparer::last_actual() const {
  return actual_->root ? &*actual_->root : nullptr;
}

const KustoTables* BodyComparer::last_actual_tables() const {
  return tables_read_ && actual_->root ? &scratch_->kusto.actual : nullptr;
}

Result<std::vector<Difference>> compare_bodies(std::string_view expected, std::string_view actual,
                                               protocol::Kind kind, const Rules& rules) {
  BodyComparer comparer;
  return comparer.compare(expected, actual, kind, rules);
}

Status check_rule_path(std::string_view path) {
  auto p = Pattern::parse(path);
  if (!p) return p.error();
  return Ok{};
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
  auto doc = parse_side(body, kind, ErrorKind::golden);
  if (!doc) return doc.error();
  return canonical_json(doc->root());
}

} // namespace konform::compare
