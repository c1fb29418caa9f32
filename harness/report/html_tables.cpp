// Kusto responses in the HTML report: each table as a table, the cells a difference names marked.
#include "json/document.h"
#include "json/writer.h"
#include "report/html.h"

#include <set>

namespace konform::report::html {
namespace {

constexpr std::size_t kMaxRows = 200; // per table; the full body is in the response above

std::string cell_text(simdjson::dom::element v) {
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  return json::compact(v);
}

// One table: `path` is its JSON path ($.Tables[0] in v1, $[2] in v2).
std::string table(std::string_view name, simdjson::dom::array columns, simdjson::dom::array rows,
                  const std::string& path, const std::set<std::string>& differing) {
  std::string out = "<div class=\"kusto-table\"><div class=\"meta\">" + escaped(name) + " (" +
                    escaped(path) + ")</div><table class=\"kusto mono\"><tr><th>#</th>";
  for (auto c : columns) {
    std::string_view n;
    if (c["ColumnName"].get_string().get(n)) n = "?";
    out += "<th>" + escaped(n) + "</th>";
  }
  out += "</tr>";
  std::size_t r = 0;
  for (auto row : rows) {
    if (r == kMaxRows) {
      out += "<tr><td colspan=\"99\" class=\"meta\">(" + std::to_string(rows.size() - r) +
             " more rows)</td></tr>";
      break;
    }
    std::string row_path = path + ".Rows[" + std::to_string(r) + "]";
    bool whole = differing.count(row_path) > 0;
    out += std::string("<tr") + (whole ? " class=\"differs\"" : "") + "><td>" + std::to_string(r) +
           "</td>";
    simdjson::dom::array cells;
    if (!row.get_array().get(cells)) {
      std::size_t c = 0;
      for (auto v : cells) {
        bool marked = differing.count(row_path + "[" + std::to_string(c) + "]") > 0;
        out += std::string("<td") + (marked ? " class=\"differs\"" : "") + ">" +
               escaped(cell_text(v)) + "</td>";
        ++c;
      }
    }
    out += "</tr>";
    ++r;
  }
  return out + "</table></div>";
}

} // namespace

std::string kusto_tables(std::string_view body, const std::vector<std::string>& difference_paths) {
  auto doc = json::Document::parse(body);
  if (!doc) return {};
  std::set<std::string> differing(difference_paths.begin(), difference_paths.end());
  std::string out;
  auto root = doc->root();
  simdjson::dom::array tables;
  if (!root["Tables"].get_array().get(tables)) { // v1
    std::size_t i = 0;
    for (auto t : tables) {
      simdjson::dom::array columns, rows;
      std::string_view name = "table";
      if (t["TableName"].get_string().get(name)) name = "table";
      if (!t["Columns"].get_array().get(columns) && !t["Rows"].get_array().get(rows))
        out += table(name, columns, rows, "$.Tables[" + std::to_string(i) + "]", differing);
      ++i;
    }
  } else if (simdjson::dom::array frames; !root.get_array().get(frames)) { // v2
    std::size_t i = 0;
    for (auto f : frames) {
      std::string_view type;
      simdjson::dom::array columns, rows;
      if (!f["FrameType"].get_string().get(type) && type == "DataTable" &&
          !f["Columns"].get_array().get(columns) && !f["Rows"].get_array().get(rows)) {
        std::string_view name = "table";
        if (f["TableName"].get_string().get(name)) name = "table";
        out += table(name, columns, rows, "$[" + std::to_string(i) + "]", differing);
      }
      ++i;
    }
  }
  return out;
}

} // namespace konform::report::html
