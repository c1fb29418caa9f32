#include "serve/ksql/query_format.h"

#include "json/writer.h"

namespace konform::serve::ksql {

namespace {

std::string header_element(const QueryPlan& plan) {
  std::string out = "{\"header\":{\"queryId\":";
  json::append_quoted(out, plan.id);
  out += ",\"schema\":";
  json::append_quoted(out, plan.header_schema());
  return out + "}}";
}

std::string columns_array(const std::vector<Value>& row) {
  std::string out = "[";
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    append_json(out, row[i]);
  }
  return out + "]";
}

std::string row_element(const std::vector<Value>& row) {
  return "{\"row\":{\"columns\":" + columns_array(row) + "}}";
}

} // namespace

std::string query_header(QueryFormat f, const QueryPlan& plan) {
  if (f == QueryFormat::StreamedRows) return "[" + header_element(plan) + ",\n";
  std::string out = f == QueryFormat::JsonArray ? "[{\"queryId\":" : "{\"queryId\":";
  json::append_quoted(out, plan.id);
  out += ",\"columnNames\":[";
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    if (i) out += ',';
    json::append_quoted(out, plan.columns[i].name);
  }
  out += "],\"columnTypes\":[";
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    if (i) out += ',';
    json::append_quoted(out, plan.columns[i].type.to_string());
  }
  return out + (f == QueryFormat::JsonArray ? "]}" : "]}\n");
}

std::string query_row(QueryFormat f, const std::vector<Value>& row) {
  if (f == QueryFormat::StreamedRows) return row_element(row) + ",\n";
  if (f == QueryFormat::JsonArray) return "," + columns_array(row);
  return columns_array(row) + "\n";
}

std::string query_end(QueryFormat f, bool limit_reached) {
  if (f == QueryFormat::Delimited) return {};
  if (f == QueryFormat::JsonArray) return "]";
  return limit_reached ? "{\"finalMessage\":\"Limit Reached\"}]"
                       : "{\"finalMessage\":\"Query Completed\"}]";
}

std::string pull_body(QueryFormat f, const QueryPlan& plan,
                      const std::vector<std::vector<Value>>& rows) {
  if (f != QueryFormat::StreamedRows) {
    std::string out = query_header(f, plan);
    for (auto& r : rows)
      out += query_row(f, r);
    return out + query_end(f, false);
  }
  // Elements joined by ",\n" inside [...]. A stream pull ends with "Query Completed"; a table
  // pull ends with its last row.
  std::string out = "[" + header_element(plan);
  for (auto& r : rows)
    out += ",\n" + row_element(r);
  if (!plan.source_is_table) out += ",\n{\"finalMessage\":\"Query Completed\"}";
  return out + "]";
}

} // namespace konform::serve::ksql
