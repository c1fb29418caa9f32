#include "diff/normalise.h"

#include "compare/ksql_stream.h"
#include "compare/kusto_tables.h"
#include "json/path.h"

#include <optional>

namespace konform::diff {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::vector<PathSegment> split_path(std::string_view path) {
  auto parsed = json::Path::parse(path);
  if (!parsed) return {};
  auto steps = parsed->steps();
  return {steps.begin(), steps.end()};
}

namespace {

std::string rest(const std::vector<PathSegment>& segs, std::size_t from) {
  std::string out;
  if (from < segs.size()) json::append_steps<std::string>(out, std::span(segs).subspan(from));
  return out;
}

std::string member(std::string_view name) {
  std::string out;
  json::append_key(out, name);
  return out;
}

template <class Names> std::string column_name(const Names& columns, std::size_t c) {
  if (c < columns.size() && !columns[c].empty()) return member(columns[c]);
  return "[" + std::to_string(c) + "]";
}

// What follows a table's position: Rows[r][c]..., Columns[c], or a member of its header.
std::string in_table(const compare::TableAt& t, const std::vector<PathSegment>& segs,
                     std::size_t at) {
  std::string out = member(t.label);
  if (!out.empty() && out[0] == '.') out.erase(0, 1);
  if (at < segs.size() && !segs[at].is_index && segs[at].key == "Rows") {
    if (at + 1 >= segs.size()) return out + ".Rows";
    out += "[*]";
    if (at + 2 < segs.size() && segs[at + 2].is_index)
      return out + column_name(t.columns, segs[at + 2].index) + rest(segs, at + 3);
    return out + rest(segs, at + 2);
  }
  if (at < segs.size() && !segs[at].is_index && segs[at].key == "Columns") {
    out += ".Columns";
    if (at + 1 < segs.size() && segs[at + 1].is_index)
      return out + column_name(t.columns, segs[at + 1].index) + rest(segs, at + 2);
    return out + rest(segs, at + 1);
  }
  return out + rest(segs, at);
}

} // namespace

struct PathNamer::Names {
  const compare::KustoTables* given = nullptr; // the comparison's, when it read them
  std::optional<compare::KustoTables> read;    // else read here, at the first Kusto path
  std::optional<std::vector<std::string>> ksql_columns;
};

namespace {

using Names = PathNamer::Names;

const compare::KustoTables& tables_of(Names& names, element root, bool v1) {
  if (names.given) return *names.given;
  if (!names.read) names.read.emplace().read(root, v1, false);
  return *names.read;
}

std::string kusto_v2(const std::vector<PathSegment>& segs, element root, Names& names) {
  if (segs.empty() || !segs[0].is_index) return "$" + rest(segs, 0);
  if (auto t = tables_of(names, root, false).at(segs[0].index)) return in_table(*t, segs, 1);
  // Another frame (DataSetHeader, TableCompletion, DataSetCompletion): named by its FrameType.
  std::string_view type;
  simdjson::dom::array frames;
  if (root.get(frames) == simdjson::SUCCESS && segs[0].index < frames.size()) {
    element f = frames.at(segs[0].index).value_unsafe();
    if (f.at_key("FrameType").get(type) != simdjson::SUCCESS) type = {};
  }
  if (type.empty()) return "$" + rest(segs, 0);
  return std::string(type) + rest(segs, 1);
}

std::string kusto_v1(const std::vector<PathSegment>& segs, element root, Names& names) {
  if (segs.size() < 2 || segs[0].is_index || segs[0].key != "Tables" || !segs[1].is_index)
    return "$" + rest(segs, 0);
  if (auto t = tables_of(names, root, true).at(segs[1].index)) return in_table(*t, segs, 2);
  return "$" + rest(segs, 0);
}

bool is_row(element e) {
  if (e.type() == element_type::ARRAY) return true;
  element cells;
  return e.type() == element_type::OBJECT &&
         e.at_pointer("/row/columns").get(cells) == simdjson::SUCCESS;
}

std::string ksql_stream(const std::vector<PathSegment>& segs, element root, Names& names) {
  simdjson::dom::array elements;
  if (segs.empty() || !segs[0].is_index || root.get(elements) != simdjson::SUCCESS ||
      segs[0].index >= elements.size())
    return "$" + rest(segs, 0);
  element e = elements.at(segs[0].index).value_unsafe();
  if (!is_row(e)) {
    // The header, the final message or an error: named by its member.
    if (segs.size() == 1) return "$" + rest(segs, 0);
    std::string out = rest(segs, 1);
    return out[0] == '.' ? out.substr(1) : "$" + out;
  }
  if (!names.ksql_columns) names.ksql_columns = compare::ksql_column_names(root);
  const auto& columns = *names.ksql_columns;
  std::size_t at = 1;
  if (e.type() == element_type::OBJECT) {
    if (segs.size() >= 3 && segs[1].key == "row" && segs[2].key == "columns")
      at = 3;
    else
      return "row[*]" + rest(segs, 1);
  }
  if (at < segs.size() && segs[at].is_index)
    return "row[*]" + column_name(columns, segs[at].index) + rest(segs, at + 1);
  return "row[*]" + rest(segs, at);
}

} // namespace

PathNamer::PathNamer(protocol::Kind kind, const element* actual, const compare::KustoTables* tables)
    : kind_(kind), actual_(actual), names_(std::make_unique<Names>()) {
  names_->given = tables;
}
PathNamer::~PathNamer() = default;

std::string PathNamer::operator()(std::string_view path) {
  auto segs = split_path(path);
  if ((segs.empty() && path != "$") || !actual_) return std::string(path);
  element actual = *actual_;
  switch (kind_) {
  case protocol::Kind::kusto_v2:
    return kusto_v2(segs, actual, *names_);
  case protocol::Kind::kusto_v1:
  case protocol::Kind::kusto_ingest:
    return kusto_v1(segs, actual, *names_);
  case protocol::Kind::ksql_stream:
    return ksql_stream(segs, actual, *names_);
  default:
    return std::string(path);
  }
}

std::string normalise_path(protocol::Kind kind, std::string_view path, const element* actual) {
  return PathNamer(kind, actual)(path);
}

} // namespace konform::diff
