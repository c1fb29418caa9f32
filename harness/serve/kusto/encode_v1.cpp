#include "serve/kusto/encode_v1.h"

#include "core/ids.h"
#include "json/writer.h"

namespace konform::serve::kusto {

using cluster::Column;
using cluster::ResultTable;
using cluster::Type;
using cluster::Value;

void append_row(std::string& out, const std::vector<Column>& columns, const cluster::Row& row) {
  out += '[';
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) out += ',';
    cluster::append_json(out, columns[k].type, row[k]);
  }
  out += ']';
}

std::string_view visualization_properties() {
  return R"({"Visualization":null,"Title":null,"XColumn":null,"Series":null,"YColumns":null,"AnomalyColumns":null,"XTitle":null,"YTitle":null,"XAxis":null,"YAxis":null,"Legend":null,"YSplit":null,"Accumulate":false,"IsQuerySorted":false,"Kind":null,"Ymin":"NaN","Ymax":"NaN","Xmin":null,"Xmax":null})";
}

namespace {

void columns_v1(std::string& out, const std::vector<Column>& columns) {
  out += "\"Columns\":[";
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) out += ',';
    out += "{\"ColumnName\":";
    json::append_quoted(out, columns[k].name);
    out += ",\"DataType\":\"";
    out += cluster::dotnet_name(columns[k].type);
    out += "\",\"ColumnType\":\"";
    out += cluster::type_name(columns[k].type);
    out += "\"}";
  }
  out += ']';
}

// Opens a table up to its "Rows": {"TableName":...,"Columns":[...],
void table_head_v1(std::string& out, std::string_view name, const std::vector<Column>& columns) {
  out += "{\"TableName\":";
  json::append_quoted(out, name);
  out += ',';
  columns_v1(out, columns);
  out += ',';
}

// Appends one table; `extra_row` (raw JSON) is added after the rows when not empty.
void table_v1(std::string& out, std::string_view name, const std::vector<Column>& columns,
              const std::vector<cluster::Row>& rows, std::string_view extra_row = {}) {
  table_head_v1(out, name, columns);
  append_rows(out, columns, rows, extra_row);
  out += '}';
}

std::string exception_text(const cluster::Failure& f, const RequestIds& ids) {
  return f.detail + "\r\n[0]" + f.type + ": " + f.detail +
         "\r\nClientRequestId=" + ids.client_request_id + "\r\nActivityId=" + ids.activity_id +
         "\r\n";
}

} // namespace

void append_rows(std::string& out, const std::vector<Column>& columns,
                 const std::vector<cluster::Row>& rows, std::string_view extra_row) {
  out += "\"Rows\":[";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r) out += ',';
    append_row(out, columns, rows[r]);
  }
  if (!extra_row.empty()) {
    if (!rows.empty()) out += ',';
    out += extra_row;
  }
  out += ']';
}

void append_rows(std::string& out, std::string_view rows_json, std::string_view extra_row) {
  out += "\"Rows\":[";
  out += rows_json;
  if (!extra_row.empty()) {
    if (!rows_json.empty()) out += ',';
    out += extra_row;
  }
  out += ']';
}

void encode_v1_command(std::string& out, const ResultTable& table) {
  out += "{\"Tables\":[";
  table_v1(out, "Table_0", table.columns, table.rows);
  out += "]}";
}

void encode_v1_query(std::string& out, const PreparedResult& result, const RequestIds& ids,
                     const cluster::Failure* partial, bool defer_partial) {
  const ResultTable& table = result.table;
  std::string exceptions;
  if (partial && !defer_partial) {
    exceptions = "[";
    json::append_quoted(exceptions, exception_text(*partial, ids));
    exceptions += "]";
  }
  out += "{\"Tables\":[";
  table_head_v1(out, "Table_0", table.columns);
  append_rows(out, result.rows_json,
              exceptions.empty() ? std::string() : "{\"Exceptions\":" + exceptions + "}");
  out += '}';
  out += ',';
  table_v1(out, "Table_1", {{"Value", Type::string}},
           {{Value::of_text(std::string(visualization_properties()))}});
  out += ',';
  Value now = Value::of_int(cluster::now_ticks());
  Value activity = Value::of_text(ids.activity_id);
  Value sub = Value::of_text(ids::uuid4());
  Value crid = Value::of_text(ids.client_request_id);
  std::vector<cluster::Row> status;
  if (partial)
    status.push_back({now, Value::of_int(2), Value::of_text("Error"), Value::of_int(-2133196797),
                      Value::of_text(partial->detail), Value::of_int(1), activity, activity, sub,
                      crid});
  else
    status.push_back({now, Value::of_int(4), Value::of_text("Info"), Value::of_int(0),
                      Value::of_text("Query completed successfully"), Value::of_int(1), activity,
                      activity, sub, crid});
  status.push_back(
      {now, Value::of_int(6), Value::of_text("Stats"), Value::of_int(0),
       Value::of_text("{\"ExecutionTime\":0.0,\"dataset_statistics\":[{\"table_row_count\":" +
                      std::to_string(table.rows.size()) + "}]}"),
       Value::of_int(1), activity, activity, sub, crid});
  table_v1(out, "Table_2",
           {{"Timestamp", Type::datetime},
            {"Severity", Type::int32},
            {"SeverityName", Type::string},
            {"StatusCode", Type::int32},
            {"StatusDescription", Type::string},
            {"Count", Type::int32},
            {"RequestId", Type::guid},
            {"ActivityId", Type::guid},
            {"SubActivityId", Type::guid},
            {"ClientActivityId", Type::string}},
           status);
  out += ',';
  table_v1(
      out, "Table_3",
      {{"Ordinal", Type::int64},
       {"Kind", Type::string},
       {"Name", Type::string},
       {"Id", Type::string},
       {"PrettyName", Type::string}},
      {{Value::of_int(0), Value::of_text("QueryResult"), Value::of_text("PrimaryResult"),
        Value::of_text(ids::uuid4()), Value::of_text("")},
       {Value::of_int(1), Value::of_text("QueryProperties"), Value::of_text("@ExtendedProperties"),
        Value::of_text(ids::uuid4()), Value::of_text("")},
       {Value::of_int(2), Value::of_text("QueryStatus"), Value::of_text("QueryStatus"),
        Value::of_text("00000000-0000-0000-0000-000000000000"), Value::of_text("")}});
  out += ']';
  if (!exceptions.empty()) out += ",\"Exceptions\":" + exceptions;
  out += '}';
}

} // namespace konform::serve::kusto
