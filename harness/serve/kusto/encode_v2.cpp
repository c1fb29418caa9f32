#include "serve/kusto/encode_v2.h"

#include "core/ids.h"
#include "json/writer.h"
#include "serve/kusto/encode_v1.h"

#include <charconv>

namespace konform::serve::kusto {

using cluster::Column;
using cluster::Type;
using cluster::Value;

namespace {

std::string_view placement_name(ErrorPlacement p) {
  switch (p) {
  case ErrorPlacement::in_data:
    return "InData";
  case ErrorPlacement::end_of_table:
    return "EndOfTable";
  case ErrorPlacement::end_of_dataset:
    return "EndOfDataSet";
  }
  return "InData";
}

// Frames are written one after the other with the separator the request asked for.
class Frames {
public:
  Frames(std::string& out, bool newlines) : out_(out), newlines_(newlines) { out_ += '['; }
  std::string& next() {
    if (count_++ > 0) out_ += newlines_ ? "\n," : ",";
    return out_;
  }
  void close() { out_ += newlines_ ? "\n]" : "]"; }

private:
  std::string& out_;
  bool newlines_;
  int count_ = 0;
};

// The PrimaryResult as one DataTable frame (the layout without fragments).
void primary_data_table(std::string& out, const PreparedResult& result,
                        std::string_view extra_row) {
  out += R"({"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":)";
  json::append_quoted(out, result.table.name);
  out += ',';
  out += result.columns_v2_json;
  out += ',';
  append_rows(out, result.rows_json, extra_row);
  out += '}';
}

// The QueryCompletionInformation frame, written straight as text: it is on every response, so
// it avoids building cell values (hot path of small queries).
void completion_table(std::string& out, const RequestIds& ids, std::size_t row_count,
                      const cluster::Failure* partial) {
  // The first five cells are the same on the three rows: written once, appended three times.
  std::string common;
  common.reserve(192);
  common += "[\"";
  cluster::append_datetime(common, cluster::now_ticks());
  common += "\",";
  json::append_quoted(common, ids.client_request_id);
  common += ",\"";
  common += ids.activity_id;
  common += "\",\"";
  ids::append_uuid4(common);
  common += "\",\"";
  ids::append_uuid4(common);
  common += "\",";
  out +=
      R"x({"FrameType":"DataTable","TableId":2,"TableKind":"QueryCompletionInformation","TableName":"QueryCompletionInformation","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"ClientRequestId","ColumnType":"string"},{"ColumnName":"ActivityId","ColumnType":"guid"},{"ColumnName":"SubActivityId","ColumnType":"guid"},{"ColumnName":"ParentActivityId","ColumnType":"guid"},{"ColumnName":"Level","ColumnType":"int"},{"ColumnName":"LevelName","ColumnType":"string"},{"ColumnName":"StatusCode","ColumnType":"int"},{"ColumnName":"StatusCodeName","ColumnType":"string"},{"ColumnName":"EventType","ColumnType":"int"},{"ColumnName":"EventTypeName","ColumnType":"string"},{"ColumnName":"Payload","ColumnType":"string"}],"Rows":[)x";
  out += common;
  if (partial) {
    std::string payload;
    json::Writer(payload)
        .begin_object()
        .field("Count", 1)
        .field("Text", partial->detail)
        .end_object();
    out +=
        R"x(2,"Error",-2133196797,"Query result set too large (E_QUERY_RESULT_SET_TOO_LARGE). (-2133196797)",1,"QueryLimitsExceeded",)x";
    json::append_quoted(out, payload);
    out += "],";
  } else {
    out +=
        R"x(4,"Info",0,"S_OK (0)",4,"QueryInfo","{\"Count\":1,\"Text\":\"Query completed successfully\"}"],)x";
  }
  out += common;
  out += R"x(4,"Info",0,"S_OK (0)",5,"WorkloadGroup","{\"Count\":1,\"Text\":\"default\"}"],)x";
  out += common;
  out +=
      R"x(6,"Stats",0,"S_OK (0)",0,"QueryResourceConsumption","{\"ExecutionTime\":0.0,\"dataset_statistics\":[{\"table_row_count\":)x";
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, row_count).ptr);
  out += "}]}\"]]}";
}

// The @ExtendedProperties frame never changes: built once.
const std::string& properties_frame() {
  static const std::string frame = [] {
    std::string properties;
    json::Writer(properties).string(visualization_properties());
    return "{\"FrameType\":\"DataTable\",\"TableId\":0,\"TableKind\":\"QueryProperties\","
           "\"TableName\":\"@ExtendedProperties\",\"Columns\":[{\"ColumnName\":\"TableId\","
           "\"ColumnType\":\"int\"},{\"ColumnName\":\"Key\",\"ColumnType\":\"string\"},{"
           "\"ColumnName\":\"Value\",\"ColumnType\":\"dynamic\"}],\"Rows\":[[1,"
           "\"Visualization\"," +
           properties + "]]}";
  }();
  return frame;
}

} // namespace

void append_columns_v2(std::string& out, const std::vector<Column>& columns) {
  out += "\"Columns\":[";
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) out += ',';
    out += "{\"ColumnName\":";
    json::append_quoted(out, columns[k].name);
    out += ",\"ColumnType\":\"";
    out += cluster::type_name(columns[k].type);
    out += "\"}";
  }
  out += ']';
}

void encode_v2(std::string& out, const PreparedResult& result, const V2Options& o,
               const RequestIds& ids, const cluster::Failure* partial) {
  const cluster::ResultTable& table = result.table;
  // A deferred partial failure keeps the data clean: it is only a Level=2 completion row.
  bool report = partial && !o.defer_partial;
  std::string errors; // "[{"error":{...}}]"
  if (report) {
    errors = "[";
    append_oneapi_error(errors, *partial, ids, "DN.FE.ExecuteQuery");
    errors += "]";
  }
  bool fragmented = o.fragmented || o.progressive;
  Frames frames(out, o.newlines);
  frames.next() +=
      "{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":" +
      std::string(o.progressive ? "true" : "false") +
      ",\"Version\":\"v2.0\",\"IsFragmented\":" + std::string(fragmented ? "true" : "false") +
      ",\"ErrorReportingPlacement\":\"" + std::string(placement_name(o.placement)) + "\"}";
  frames.next() += properties_frame();
  std::string in_data_error;
  if (report && o.placement == ErrorPlacement::in_data)
    in_data_error = "{\"OneApiErrors\":" + errors + "}";

  if (!fragmented) {
    primary_data_table(frames.next(), result, in_data_error);
  } else {
    std::string& h = frames.next();
    h += "{\"FrameType\":\"TableHeader\",\"TableId\":1,\"TableKind\":\"PrimaryResult\","
         "\"TableName\":";
    json::append_quoted(h, table.name);
    h += ',';
    h += result.columns_v2_json;
    h += '}';
    std::size_t per = std::max<std::size_t>(o.fragment_rows, 1);
    std::size_t total = table.rows.size();
    std::size_t start = 0;
    do {
      std::size_t end = std::min(total, start + per);
      std::string& f = frames.next();
      f += "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,"
           "\"Rows\":[";
      for (std::size_t r = start; r < end; ++r) {
        if (r > start) f += ',';
        append_row(f, table.columns, table.rows[r]);
      }
      if (end == total && !in_data_error.empty()) {
        if (end > start) f += ',';
        f += in_data_error;
      }
      f += "]}";
      if (o.progressive) {
        double progress =
            total == 0 ? 100.0 : 100.0 * static_cast<double>(end) / static_cast<double>(total);
        std::string& p = frames.next();
        p += "{\"FrameType\":\"TableProgress\",\"TableId\":1,\"TableProgress\":";
        json::Writer(p).number(progress);
        p += '}';
      }
      start = end;
    } while (start < total);
    std::string& c = frames.next();
    c += "{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":" + std::to_string(total);
    if (report && o.placement == ErrorPlacement::end_of_table) c += ",\"OneApiErrors\":" + errors;
    c += '}';
  }
  // The service leaves out QueryCompletionInformation when an error is reported in the data or at
  // the end of the table (recorded fixtures); deferred and end-of-dataset errors keep it.
  if (!report || o.placement == ErrorPlacement::end_of_dataset)
    completion_table(frames.next(), ids, table.rows.size(), partial);
  std::string& done = frames.next();
  done += "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":";
  done += report ? "true" : "false";
  done += ",\"Cancelled\":false";
  if (report) done += ",\"OneApiErrors\":" + errors;
  done += '}';
  frames.close();
}

} // namespace konform::serve::kusto
