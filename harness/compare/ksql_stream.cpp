#include "compare/ksql_stream.h"

#include "compare/tape.h"
#include "json/elements.h"
#include "json/locate.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace konform::compare {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {

constexpr std::size_t npos = std::string_view::npos;

std::size_t offset_in(std::string_view text, std::size_t line, std::size_t column) {
  std::size_t offset = 0;
  for (std::size_t l = 1; l < line; ++l) {
    std::size_t nl = text.find('\n', offset);
    if (nl == npos) break;
    offset = nl + 1;
  }
  return offset + column - 1;
}

Error located(std::string_view body, std::string_view origin, std::size_t offset,
              std::string_view what) {
  auto loc = json::location_of_offset(body, offset);
  std::string prefix = origin.empty() ? std::string() : std::string(origin) + ":";
  return make_error(prefix + std::to_string(loc.line) + ":" + std::to_string(loc.column) +
                    ": invalid ksqlDB stream: " + std::string(what));
}

// Column names from a /query header schema ("`A` STRING, `S` STRUCT<`X` INT>") or from the
// /query-stream metadata's columnNames.
void column_names(element first, std::vector<std::string_view>& names) {
  names.clear();
  if (first.type() != element_type::OBJECT) return;
  auto obj = first.get_object().value_unsafe();
  element cols;
  if (obj.at_key("columnNames").get(cols) == simdjson::SUCCESS &&
      cols.type() == element_type::ARRAY) {
    simdjson::dom::array list = cols.get_array().value_unsafe();
    for (auto c : list)
      names.push_back(c.type() == element_type::STRING ? c.get_string().value_unsafe() : "");
    return;
  }
  // What at_pointer("/header/schema") finds, without parsing the pointer.
  simdjson::dom::object header;
  std::string_view schema;
  if (obj.at_key("header").get(header) != simdjson::SUCCESS ||
      header.at_key("schema").get(schema) != simdjson::SUCCESS)
    return;
  int depth = 0;
  bool want_name = true;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    char c = schema[i];
    if (c == '<' || c == '(')
      ++depth;
    else if (c == '>' || c == ')')
      --depth;
    else if (c == ',' && depth == 0)
      want_name = true;
    else if (c == '`' && depth == 0 && want_name) {
      std::size_t end = schema.find('`', i + 1);
      if (end == npos) break;
      names.push_back(schema.substr(i + 1, end - i - 1));
      want_name = false;
      i = end;
    }
  }
}

// The cells of a row element: {"row":{"columns":[...]}} (/query) or a bare array
// (/query-stream); nullopt for header, finalMessage, errorMessage, tokens.
std::optional<simdjson::dom::array> row_cells(element e) {
  if (e.type() == element_type::ARRAY) return e.get_array().value_unsafe();
  // What at_pointer("/row/columns") finds, without parsing the pointer for every element.
  simdjson::dom::object row;
  simdjson::dom::array cells;
  if (e.type() == element_type::OBJECT && e.at_key("row").get(row) == simdjson::SUCCESS &&
      row.at_key("columns").get(cells) == simdjson::SUCCESS)
    return cells;
  return std::nullopt;
}

void compare_cells(TreeComparer& tree, simdjson::dom::array ec, simdjson::dom::array ac,
                   const std::vector<std::string_view>& names, Cell& cell) {
  auto ei = ec.begin();
  auto ai = ac.begin();
  std::size_t j = 0;
  auto name = [&](std::size_t k) { return k < names.size() ? names[k] : std::string_view(); };
  for (; ei != ec.end() && ai != ac.end(); ++ei, ++ai, ++j) {
    cell.column = name(j);
    tree.path().push_index(j);
    tree.value(*ei, *ai);
    tree.path().pop();
  }
  cell.column = {};
  for (; ei != ec.end(); ++ei, ++j) {
    tree.path().push_index(j);
    if (!tree.ignored_here())
      tree.report(TreeComparer::excerpt(*ei), "(missing)",
                  "column " + std::to_string(j) +
                      (name(j).empty() ? "" : " (" + std::string(name(j)) + ")") + " missing");
    tree.path().pop();
  }
  for (; ai != ac.end(); ++ai, ++j) {
    tree.path().push_index(j);
    if (!tree.ignored_here())
      tree.report("(missing)", TreeComparer::excerpt(*ai),
                  "unexpected column " + std::to_string(j));
    tree.path().pop();
  }
}

} // namespace

namespace {

// The elements of `body`, or where the stream is cut off or malformed between elements.
Result<json::SplitElements> elements_of(std::string_view body, std::string_view origin) {
  using Layout = json::ElementSplitter::Layout;
  std::size_t first = body.find_first_not_of(" \t\r\n");
  bool wrapped = first != npos && body[first] == '[';
  auto result = json::split_elements(body, wrapped ? Layout::array : Layout::sequence);
  if (wrapped && result.error_at) {
    // Not an array around the elements after all: newline-delimited rows that are arrays.
    auto flat = json::split_elements(body, Layout::sequence);
    if (!flat.error_at) result = std::move(flat);
  }
  if (result.error_at) return located(body, origin, *result.error_at, result.error);
  return result;
}

// The first element that is not valid JSON, located in the body.
std::optional<Error> element_error(std::string_view body, std::string_view origin,
                                   const json::SplitElements& split) {
  for (std::size_t k = 0; k < split.elements.size(); ++k) {
    const auto& sp = split.elements[k];
    std::string_view element_text = body.substr(sp.begin, sp.end - sp.begin);
    if (auto where = json::locate_error(element_text)) {
      std::size_t at = sp.begin + offset_in(element_text, where->line, where->column);
      return located(body, origin, at, "element " + std::to_string(k) + ": " + where->what);
    }
  }
  return std::nullopt;
}

} // namespace

Result<std::string> reassemble_ksql_stream(std::string_view body, std::string_view origin) {
  auto split = elements_of(body, origin);
  if (!split) return split.error();
  if (auto e = element_error(body, origin, *split)) return *e;
  return json::join_elements(body, split->elements);
}

Status join_ksql_stream(std::string_view body, std::string_view origin, std::string& out) {
  out.clear();
  auto split = elements_of(body, origin);
  if (!split) return split.error();
  // As json::join_elements(), into the caller's reused buffer (with room for simdjson's padding).
  std::size_t size = 2 + split->elements.size() + simdjson::SIMDJSON_PADDING;
  for (const auto& sp : split->elements)
    size += sp.end - sp.begin;
  out.reserve(size);
  out += '[';
  for (std::size_t k = 0; k < split->elements.size(); ++k) {
    const auto& sp = split->elements[k];
    if (k > 0) out += ',';
    out.append(body.substr(sp.begin, sp.end - sp.begin));
  }
  out += ']';
  return Ok{};
}

std::optional<Error> ksql_stream_element_error(std::string_view body, std::string_view origin) {
  auto elements = elements_of(body, origin);
  if (!elements) return elements.error();
  return element_error(body, origin, *elements);
}

void compare_ksql_stream(TreeComparer& tree, element expected, element actual,
                         KsqlScratch& scratch) {
  if (expected.type() != element_type::ARRAY || actual.type() != element_type::ARRAY ||
      (tree.rules().has_path_rules && tree.unordered_here())) {
    tree.value(expected, actual);
    return;
  }
  auto ea = expected.get_array().value_unsafe();
  auto aa = actual.get_array().value_unsafe();
  std::vector<std::string_view>& names = scratch.names;
  names.clear();
  if (ea.size() > 0) column_names(ea.at(0).value_unsafe(), names);
  // Rows pair with rows and the other elements (header, final message, error, tokens) with
  // each other in order, so one extra row is one difference and not a shifted tail.
  auto& e_rows = scratch.expected_rows;
  auto& a_rows = scratch.actual_rows;
  auto& e_other = scratch.expected_other;
  auto& a_other = scratch.actual_other;
  e_rows.clear();
  a_rows.clear();
  e_other.clear();
  a_other.clear();
  std::size_t i = 0;
  for (element v : ea)
    (row_cells(v) ? e_rows : e_other).push_back({v, i++});
  i = 0;
  for (element v : aa)
    (row_cells(v) ? a_rows : a_other).push_back({v, i++});

  std::size_t n = std::min(e_other.size(), a_other.size());
  for (std::size_t k = 0; k < n; ++k) {
    tree.path().push_index(a_other[k].index);
    tree.value(e_other[k].value, a_other[k].value);
    tree.path().pop();
  }
  for (std::size_t k = n; k < e_other.size(); ++k)
    tree.report(TreeComparer::excerpt(e_other[k].value), "(missing)",
                "element [" + std::to_string(e_other[k].index) + "] missing");
  for (std::size_t k = n; k < a_other.size(); ++k) {
    tree.path().push_index(a_other[k].index);
    if (!tree.ignored_here())
      tree.report("(missing)", TreeComparer::excerpt(a_other[k].value),
                  "unexpected element [" + std::to_string(a_other[k].index) + "]");
    tree.path().pop();
  }

  Cell cell;
  tree.set_cell(&cell);
  n = std::min(e_rows.size(), a_rows.size());
  for (std::size_t r = 0; r < n; ++r) {
    element ev = e_rows[r].value;
    element av = a_rows[r].value;
    // An unchanged row reports nothing (unless a path matcher could judge one of its cells).
    if (tree.rules().matchers.empty() && same_tape(ev, av)) continue;
    cell.row = r;
    tree.path().push_index(a_rows[r].index);
    if (tree.rules().has_path_rules && tree.ignored_here()) {
      // the whole row is ignored
    } else if (ev.type() == element_type::ARRAY || av.type() == element_type::ARRAY) {
      if (ev.type() == av.type())
        compare_cells(tree, *row_cells(ev), *row_cells(av), names, cell);
      else
        tree.value(ev, av);
    } else {
      tree.path().push_key("row");
      tree.path().push_key("columns");
      if (!(tree.rules().has_path_rules && tree.ignored_here()))
        compare_cells(tree, *row_cells(ev), *row_cells(av), names, cell);
      tree.path().pop();
      // Everything else of the element (tombstone, sourceHost) as plain JSON.
      element er = ev.at_key("row").value_unsafe();
      element ar = av.at_key("row").value_unsafe();
      tree.object(er.get_object().value_unsafe(), ar.get_object().value_unsafe(), {"columns"});
      tree.path().pop();
      tree.object(ev.get_object().value_unsafe(), av.get_object().value_unsafe(), {"row"});
    }
    tree.path().pop();
  }
  cell.column = {};
  for (std::size_t r = n; r < e_rows.size(); ++r) {
    cell.row = r;
    tree.report(TreeComparer::excerpt(e_rows[r].value), "(missing)", "row missing");
  }
  for (std::size_t r = n; r < a_rows.size(); ++r) {
    cell.row = r;
    tree.path().push_index(a_rows[r].index);
    if (!tree.ignored_here())
      tree.report("(missing)", TreeComparer::excerpt(a_rows[r].value), "unexpected row");
    tree.path().pop();
  }
  tree.set_cell(nullptr);
}

std::vector<std::string> ksql_column_names(element reassembled) {
  std::vector<std::string> out;
  simdjson::dom::array elements;
  if (reassembled.get(elements) != simdjson::SUCCESS || elements.size() == 0) return out;
  std::vector<std::string_view> names;
  column_names(elements.at(0).value_unsafe(), names);
  for (auto name : names)
    out.emplace_back(name);
  return out;
}

} // namespace konform::compare
