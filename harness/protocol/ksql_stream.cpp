// ksqlDB query result streams (/query and /query-stream), in every server generation:
//  - G1 (KSQL 5.0–5.3): newline-delimited StreamedRow objects with null fields, no header;
//  - G2 (KSQL 5.4): newline-delimited StreamedRow objects, a header line first;
//  - G3–G5 (KSQL 5.5, ksqlDB 0.6–0.23): a JSON array [header, rows..., finalMessage] that is left
//    unclosed after a mid-stream error (and, without LIMIT, when the client disconnects);
//  - G6 (ksqlDB ≥0.24): the same array, closed; a push-query error leaves a trailing comma;
//  - /query-stream (ksqlDB ≥0.10): delimited (metadata line, then one JSON array per row) or a
//    single JSON array [metadata, rows...]; errors are bare KsqlErrorMessage objects.
// Rows are checked against the header's schema (width, and the JSON type of each value).
#include "core/text.h"
#include "json/document.h"
#include "json/elements.h"
#include "protocol/json_syntax.h"
#include "protocol/ksql_error.h"
#include "protocol/ksql_schema.h"
#include "protocol/validators.h"

#include <string>
#include <vector>

namespace konform::protocol {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

struct Element {
  element value;
  std::string path;
};

class StreamChecker {
public:
  explicit StreamChecker(Findings& out) : out_(out) {}

  // Checks the elements of one body; `delimited` = one element per line (G1, G2, /query-stream).
  void check(const std::vector<Element>& elements, bool delimited) {
    if (elements.empty()) {
      out_.violation("$", "ksql.stream.empty",
                     "the stream holds no header or metadata; every query stream starts with one");
      return;
    }
    for (std::size_t i = 0; i < elements.size(); ++i) {
      const auto& [v, path] = elements[i];
      if (i == 0) {
        first(v, path, delimited);
        continue;
      }
      if (ended_) {
        out_.violation(path, "ksql.stream.order",
                       "nothing may follow the finalMessage (or the error) that ended the stream");
        ended_ = false; // report once
      }
      if (metadata_form_)
        query_stream_element(v, path);
      else
        streamed_row(v, path, false);
    }
  }

  bool last_was_error() const { return last_error_; }

private:
  void first(element v, const std::string& path, bool delimited) {
    object o;
    if (v.get_object().get(o)) {
      out_.violation(path, "ksql.stream.header",
                     "a query stream starts with a header object (or /query-stream metadata)");
      return;
    }
    if (!o["columnNames"].error() || (!o["queryId"].error() && o["header"].error())) {
      metadata_form_ = true;
      metadata(o, path);
      return;
    }
    if (!o["header"].error()) {
      streamed_row(v, path, true);
      return;
    }
    // G1 (KSQL 5.0–5.3) had no header; only its newline-delimited layout may start with a row.
    if (delimited && !o["row"].error()) {
      streamed_row(v, path, false);
      return;
    }
    if (!o["@type"].error() || !o["errorMessage"].error()) {
      // A stream whose very first element is the error (G6 /query-stream delimited, G1).
      if (metadata_form_ || !o["@type"].error())
        error(v, path);
      else
        streamed_row(v, path, false);
      return;
    }
    out_.violation(path, "ksql.stream.header",
                   "the first element must be {\"header\":{\"queryId\",\"schema\"}} (/query) or "
                   "{\"queryId\",\"columnNames\",\"columnTypes\"} (/query-stream)");
  }

  void metadata(object o, const std::string& path) {
    auto qid = o["queryId"];
    if (qid.error() == simdjson::NO_SUCH_FIELD || qid.is_null())
      // Pull queries had no queryId up to ksqlDB 0.22; Cube Store requires a string.
      out_.warning(child_path(path, "queryId"), "ksql.stream.query-id",
                   "the metadata has no queryId (pull queries up to ksqlDB 0.22); some clients "
                   "require a string");
    else if (!qid.is_string())
      out_.violation(child_path(path, "queryId"), "ksql.stream.metadata",
                     "queryId must be a string");
    simdjson::dom::array names, types;
    if (o["columnNames"].get_array().get(names)) {
      out_.violation(child_path(path, "columnNames"), "ksql.stream.metadata",
                     "columnNames must be an array of strings");
      return;
    }
    if (o["columnTypes"].get_array().get(types)) {
      out_.violation(child_path(path, "columnTypes"), "ksql.stream.metadata",
                     "columnTypes must be an array of strings");
      return;
    }
    if (names.size() != types.size())
      out_.violation(child_path(path, "columnTypes"), "ksql.stream.metadata",
                     "columnTypes has " + std::to_string(types.size()) +
                         " entries but columnNames " + std::to_string(names.size()));
    have_schema_ = true;
    columns_.clear();
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string_view n, t;
      (void)!names.at(i).get_string().get(n);
      if (i < types.size()) (void)!types.at(i).get_string().get(t);
      columns_.push_back({std::string(n), ksql::base_type(t)});
    }
  }

  void query_stream_element(element v, const std::string& path) {
    if (v.is_array()) {
      row_values(v, path);
      return;
    }
    object o;
    if (!v.get_object().get(o)) {
      if (!o["@type"].error() || !o["error_code"].error()) {
        error(v, path);
        return;
      }
      if (!o["continuationToken"].error() || !o["consistencyToken"].error()) return;
    }
    out_.violation(path, "ksql.stream.element",
                   "after the metadata, /query-stream sends rows (JSON arrays), tokens or an error "
                   "object");
  }

  void error(element v, const std::string& path) {
    std::string summary = ksql::check_error_object(v, path, 0, out_);
    out_.in_band(path, "ksql.stream.error", "the query failed mid-stream: " + summary);
    ended_ = true;
    last_error_ = true;
  }

  void streamed_row(element v, const std::string& path, bool is_first) {
    object o;
    last_error_ = false;
    if (v.get_object().get(o)) {
      out_.violation(path, "ksql.stream.element", "each element of a /query stream is an object");
      return;
    }
    // Exactly one of the StreamedRow union is set (G1 writes the others as null).
    std::string_view set_key;
    int set = 0;
    for (auto [key, value] : o) {
      if (key == "sourceHost" || value.is_null()) continue;
      if (key == "header" || key == "row" || key == "errorMessage" || key == "finalMessage" ||
          key == "continuationToken" || key == "consistencyToken") {
        set_key = key;
        ++set;
      } else {
        out_.violation(child_path(path, key), "ksql.stream.element",
                       "unknown StreamedRow field \"" + std::string(key) + "\"");
      }
    }
    if (set != 1) {
      out_.violation(path, "ksql.stream.element",
                     "a StreamedRow sets exactly one of header, row, errorMessage, finalMessage, "
                     "continuationToken, consistencyToken (found " +
                         std::to_string(set) + ")");
      return;
    }
    std::string sub = child_path(path, set_key);
    if (set_key == "header") {
      if (!is_first)
        out_.violation(sub, "ksql.stream.order", "the header may only be the first element");
      header(o["header"], sub);
    } else if (set_key == "row") {
      object row;
      if (o["row"].get_object().get(row)) {
        out_.violation(sub, "ksql.stream.row", "row must be an object {\"columns\":[...]}");
        return;
      }
      auto tomb = row["tombstone"];
      if (tomb.error() != simdjson::NO_SUCH_FIELD && !tomb.is_bool())
        out_.violation(child_path(sub, "tombstone"), "ksql.stream.row",
                       "tombstone must be a boolean");
      element columns;
      if (!row["columns"].get(columns)) {
        if (!columns.is_array())
          out_.violation(child_path(sub, "columns"), "ksql.stream.row", "columns must be an array");
        else
          row_values(columns, child_path(sub, "columns"));
      } else if (!row["protobufBytes"].is_string()) {
        out_.violation(sub, "ksql.stream.row",
                       "a row carries columns (or protobufBytes with Accept protobuf)");
      }
    } else if (set_key == "errorMessage") {
      std::string summary = ksql::check_error_object(o["errorMessage"], sub, 0, out_);
      out_.in_band(sub, "ksql.stream.error", "the query failed mid-stream: " + summary);
      ended_ = true;
      last_error_ = true;
    } else if (set_key == "finalMessage") {
      if (!o["finalMessage"].is_string())
        out_.violation(sub, "ksql.stream.final-message",
                       "finalMessage is a string (\"Query Completed\", \"Limit Reached\")");
      ended_ = true;
    } else if (!o[set_key].is_object()) {
      out_.violation(sub, "ksql.stream.element", std::string(set_key) + " must be an object");
    }
  }

  void header(element h, const std::string& path) {
    object ho;
    if (h.get_object().get(ho)) {
      out_.violation(path, "ksql.stream.header", "header must be an object {queryId, schema}");
      return;
    }
    auto qid = ho["queryId"];
    // KSQL 5.4 pull queries (G2) had no queryId; from 5.5 on every header has one.
    if (qid.error() == simdjson::NO_SUCH_FIELD)
      out_.warning(
          child_path(path, "queryId"), "ksql.stream.query-id",
          "the header has no queryId (KSQL 5.4 pull queries); later servers always send it");
    else if (!qid.is_string())
      out_.violation(child_path(path, "queryId"), "ksql.stream.header", "queryId must be a string");
    std::string_view schema;
    if (ho["schema"].get_string().get(schema)) {
      out_.violation(child_path(path, "schema"), "ksql.stream.header",
                     "schema must be a string like \"`A` INTEGER KEY, `B` STRING\"");
      return;
    }
    auto parsed = ksql::parse_schema(schema);
    if (!parsed) {
      out_.violation(child_path(path, "schema"), "ksql.stream.schema",
                     "schema \"" + std::string(schema.substr(0, 120)) +
                         "\" is not a list of `NAME` TYPE entries");
      return;
    }
    columns_ = std::move(*parsed);
    have_schema_ = true;
  }

  void row_values(element columns, const std::string& path) {
    last_error_ = false;
    if (!have_schema_) return; // G1 rows have no header to check them against
    simdjson::dom::array values;
    (void)!columns.get_array().get(values);
    if (values.size() != columns_.size()) {
      out_.violation(path, "ksql.stream.row-width",
                     "the row has " + std::to_string(values.size()) +
                         " values but the header's schema has " + std::to_string(columns_.size()) +
                         " columns");
      return;
    }
    std::size_t i = 0;
    for (element value : values) {
      const auto& col = columns_[i];
      auto expected = ksql::type_mismatch(col.type, value);
      if (!expected.empty())
        out_.violation(index_path(path, i), "ksql.stream.value-type",
                       "column " + col.name + " is " + col.type + ", so its value must be " +
                           std::string(expected));
      ++i;
    }
  }

  Findings& out_;
  bool metadata_form_ = false;
  bool have_schema_ = false;
  bool ended_ = false;
  bool last_error_ = false;
  std::vector<ksql::SchemaColumn> columns_;
};

// The JSON-array layouts. A body that does not parse as it stands is repaired the way ksqlDB
// leaves it (unclosed after an error, or a trailing comma before ']') so that its elements can
// still be checked; how it ended is reported separately.
void array_layout(std::string_view body, Findings& out) {
  using Ending = json::ElementSplitter::Ending;
  std::string_view t = text::trim(body);
  Ending ending = Ending::closed;
  auto doc = json::Document::parse(t);
  std::string repaired;
  if (!doc) {
    auto split = json::split_elements(t, json::ElementSplitter::Layout::array);
    if (!split.error_at) {
      ending = split.ending;
      repaired = json::join_elements(t, split.elements);
      doc = json::Document::parse(repaired);
    }
    if (split.error_at || !doc) {
      out.violation("$", "ksql.stream.truncated",
                    "the stream is cut off inside an element (not valid JSON at " +
                        where_invalid(t) + "): the server stopped mid-write");
      return;
    }
  }
  simdjson::dom::array arr;
  if (doc->root().get_array().get(arr)) {
    out.violation("$", "ksql.stream.layout", "a /query array stream must be a JSON array");
    return;
  }
  std::vector<Element> elements;
  std::size_t i = 0;
  for (element e : arr)
    elements.push_back({e, index_path("$", i++)});
  StreamChecker checker(out);
  checker.check(elements, false);
  if (ending == Ending::trailing_comma)
    out.warning("$", "ksql.stream.trailing-comma",
                checker.last_was_error()
                    ? "the array ends with \",]\" after the error (ksqlDB >=0.24 push queries do "
                      "this); strict JSON parsers reject the body"
                    : "the array ends with \",]\", which strict JSON parsers reject");
  else if (ending == Ending::unclosed && !checker.last_was_error())
    out.warning("$", "ksql.stream.unclosed",
                "the array is not closed: the push query was still running when reading stopped "
                "(or the server went away)");
  // Unclosed after an error is how KSQL 5.5 - ksqlDB 0.23 end a failed query: the in-band error
  // already says it all.
}

void delimited_layout(std::string_view body, Findings& out) {
  std::vector<json::Document> docs; // keep each line's parse alive while elements point into it
  std::vector<std::pair<std::size_t, std::string>> paths;
  std::size_t line_no = 0, pos = 0;
  bool ends_with_newline = !body.empty() && body.back() == '\n';
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::string_view line = body.substr(pos, nl == std::string_view::npos ? body.npos : nl - pos);
    pos = nl == std::string_view::npos ? body.size() : nl + 1;
    ++line_no;
    line = text::trim(line);
    if (line.empty()) continue; // keep-alive newlines (G1–G5)
    auto doc = json::Document::parse(line);
    if (!doc) {
      bool last = pos >= body.size();
      if (last && !ends_with_newline)
        out.violation("$", "ksql.stream.truncated",
                      "line " + std::to_string(line_no) +
                          " is cut off (not valid JSON and no final newline): the server stopped "
                          "mid-write");
      else
        out.violation("$", "ksql.stream.json",
                      "line " + std::to_string(line_no) +
                          " is not one JSON value: " + where_invalid(line));
      break;
    }
    docs.push_back(std::move(*doc));
    paths.push_back({line_no, index_path("$", docs.size() - 1)});
  }
  std::vector<Element> elements;
  for (std::size_t i = 0; i < docs.size(); ++i)
    elements.push_back({docs[i].root(), paths[i].second});
  StreamChecker(out).check(elements, true);
}

} // namespace

void validate_ksql_stream(std::string_view body, const Exchange&, Findings& out) {
  body = strip_bom(body, "ksql", out);
  std::string_view t = text::trim(body);
  if (t.empty()) {
    out.violation("$", "ksql.stream.empty", "the stream body is empty");
    return;
  }
  if (t.front() == '[')
    array_layout(t, out);
  else if (t.front() == '{')
    delimited_layout(body, out);
  else
    out.violation("$", "ksql.stream.layout",
                  "a query stream is a JSON array or newline-delimited JSON objects/arrays");
}

} // namespace konform::protocol
