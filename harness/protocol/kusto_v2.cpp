// Kusto v2 responses (/v2/rest/query): a JSON array of frames, validated in ONE pass over
// simdjson's on-demand API (DataSetHeader first, DataSetCompletion last; tables as DataTable
// frames or as TableHeader, TableFragment..., TableCompletion). Only per-table state is kept
// (column types, row counts), so a gigabyte response needs the document plus a constant.
#include "protocol/kusto_oneapi.h"
#include "protocol/kusto_values.h"
#include "protocol/ondemand_input.h"
#include "protocol/validators.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace konform::protocol {
namespace {

using simdjson::ondemand::json_type;
namespace od = simdjson::ondemand;

constexpr std::array<std::string_view, 8> table_kinds{
    "PrimaryResult",   "QueryCompletionInformation",
    "QueryTraceLog",   "QueryPerfLog",
    "TableOfContents", "QueryProperties",
    "QueryPlan",       "Unknown"};

struct ColumnSpec {
  std::string_view name;
  std::string_view type;
};

// response-v2.md: the fixed schemas of the two service tables.
constexpr std::array<ColumnSpec, 3> query_properties_schema{
    {{"TableId", "int"}, {"Key", "string"}, {"Value", "dynamic"}}};
constexpr std::array<ColumnSpec, 12> qci_schema{{{"Timestamp", "datetime"},
                                                 {"ClientRequestId", "string"},
                                                 {"ActivityId", "guid"},
                                                 {"SubActivityId", "guid"},
                                                 {"ParentActivityId", "guid"},
                                                 {"Level", "int"},
                                                 {"LevelName", "string"},
                                                 {"StatusCode", "int"},
                                                 {"StatusCodeName", "string"},
                                                 {"EventType", "int"},
                                                 {"EventTypeName", "string"},
                                                 {"Payload", "string"}}};

struct Column {
  std::string name;
  std::string type_name;
  std::optional<kusto::ScalarType> type; // nullopt: unknown type, values not checked
};

enum class CellRole : std::uint8_t {
  unchecked,   // unknown column type
  typed,       // checked against its column type
  level,       // QueryCompletionInformation Level, read for the in-band error check
  status_name, // ... and StatusCodeName, for its message
};
struct CellPlan {
  CellRole role = CellRole::unchecked;
  kusto::ScalarType type = kusto::ScalarType::dynamic;
};

struct Table {
  std::string kind;
  std::vector<Column> columns;
  std::uint64_t rows = 0;
  bool fragmented = false; // announced by TableHeader, ends with TableCompletion
  bool completed = false;
  int level_column = -1;       // QueryCompletionInformation: where Level is
  int status_name_column = -1; // ... and StatusCodeName, for the message
};

std::string frame_path(std::size_t frame) {
  return index_path("$", frame);
}

class V2Validator {
public:
  V2Validator(OnDemandInput& input, Findings& out) : in_(input), out_(out) {}

  void run(od::document& doc) {
    od::array frames;
    json_type root_type;
    if (doc.type().get(root_type)) {
      in_.syntax_error(doc.type().error(), "$");
      return;
    }
    if (root_type == json_type::array) {
      if (auto e = doc.get_array().get(frames)) {
        in_.syntax_error(e, "$");
        return;
      }
    } else {
      out_.violation(
          "$", "kusto.v2.frames",
          "a v2 response is a JSON array of frames ([{\"FrameType\":\"DataSetHeader\"...}"
          ",...]); this body is not an array");
      return;
    }
    for (auto item : frames) {
      od::value frame;
      if (auto e = item.get(frame)) {
        in_.syntax_error(e, frame_path(index_));
        return;
      }
      if (!frame_(frame)) return;
      ++index_;
      if (out_.full()) return;
    }
    if (trailing_content(doc)) {
      out_.violation("$", "kusto.v2.json", "text follows the frame array");
      return;
    }
    finish();
  }

private:
  // Returns false when the walk cannot go on (a syntax error).
  bool frame_(od::value& value) {
    od::object obj;
    if (value.get_object().get(obj)) {
      out_.violation(frame_path(index_), "kusto.v2.frame", "every frame is a JSON object");
      return true;
    }
    // Frame fields as they come; Rows is walked in place when the frame type and columns are
    // known by then (they are in every real response), else after the other fields.
    std::string frame_type;
    std::optional<std::int64_t> table_id;
    std::string table_kind, fragment_type;
    bool have_kind = false, have_name = false, have_columns = false, rows_deferred = false;
    bool have_rows = false;
    std::vector<Column> columns;
    std::optional<bool> has_errors, cancelled, progressive, fragmented_flag;
    std::optional<std::int64_t> row_count;
    std::optional<double> progress;
    std::string version, placement;
    bool have_version = false;
    std::string path = frame_path(index_);
    rows_walked_ = 0;

    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) {
        in_.syntax_error(e, path);
        return false;
      }
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) {
        in_.syntax_error(e, path);
        return false;
      }
      od::value v = field.value();
      if (key == "FrameType") {
        std::string_view s;
        if (v.get_string().get(s)) {
          out_.violation(child_path(path, "FrameType"), "kusto.v2.frame",
                         "FrameType must be a string");
          frame_type = "?";
        } else {
          frame_type = s;
        }
      } else if (key == "TableId") {
        std::int64_t id;
        if (v.get_int64().get(id))
          out_.violation(child_path(path, "TableId"), "kusto.v2.table-id",
                         "TableId must be an integer");
        else
          table_id = id;
      } else if (key == "TableKind") {
        std::string_view s;
        if (v.get_string().get(s))
          out_.violation(child_path(path, "TableKind"), "kusto.v2.table-kind",
                         "TableKind must be a string");
        table_kind = s;
        have_kind = true;
      } else if (key == "TableName") {
        std::string_view s;
        if (v.get_string().get(s))
          out_.violation(child_path(path, "TableName"), "kusto.v2.table",
                         "TableName must be a string");
        have_name = true;
      } else if (key == "Columns") {
        have_columns = true;
        if (!read_columns(v, child_path(path, "Columns"), columns)) return false;
      } else if (key == "Rows") {
        have_rows = true;
        if (Table* t = rows_target(frame_type, table_id, have_columns, columns, table_kind)) {
          if (!walk_rows(v, *t, child_path(path, "Rows"))) return false;
        } else {
          rows_deferred = true;
        }
      } else if (key == "TableFragmentType") {
        std::string_view s;
        (void)!v.get_string().get(s);
        fragment_type = s;
      } else if (key == "RowCount") {
        std::int64_t n;
        if (v.get_int64().get(n))
          out_.violation(child_path(path, "RowCount"), "kusto.v2.row-count",
                         "RowCount must be an integer");
        else
          row_count = n;
      } else if (key == "TableProgress") {
        double p;
        if (v.get_double().get(p))
          out_.violation(child_path(path, "TableProgress"), "kusto.v2.progress",
                         "TableProgress must be a number from 0 to 100");
        else
          progress = p;
      } else if (key == "HasErrors" || key == "Cancelled" || key == "IsProgressive" ||
                 key == "IsFragmented") {
        bool b;
        if (v.get_bool().get(b)) {
          out_.violation(child_path(path, key), "kusto.v2.frame-field",
                         std::string(key) + " must be true or false");
        } else {
          (key == "HasErrors"       ? has_errors
           : key == "Cancelled"     ? cancelled
           : key == "IsProgressive" ? progressive
                                    : fragmented_flag) = b;
        }
      } else if (key == "Version") {
        std::string_view s;
        have_version = true;
        if (v.get_string().get(s))
          out_.violation(child_path(path, "Version"), "kusto.v2.header",
                         "Version must be a string");
        version = s;
      } else if (key == "ErrorReportingPlacement") {
        std::string_view s;
        if (v.get_string().get(s))
          out_.violation(child_path(path, key), "kusto.v2.header",
                         "ErrorReportingPlacement must be a string");
        placement = s;
      } else if (key == "OneApiErrors") {
        std::string_view raw;
        if (auto e = simdjson::to_json_string(v).get(raw)) {
          in_.syntax_error(e, child_path(path, key));
          return false;
        }
        std::string_view rule = frame_type == "TableCompletion" ? "kusto.v2.error-end-of-table"
                                                                : "kusto.v2.error-end-of-dataset";
        oneapi_errors_ += kusto::report_oneapi_errors(raw, child_path(path, key), rule, out_);
      }
      // Other fields are allowed: servers add fields over time.
    }

    if (frame_type.empty()) {
      out_.violation(child_path(path, "FrameType"), "kusto.v2.frame",
                     "every frame has a FrameType (DataSetHeader, DataTable, TableHeader, "
                     "TableFragment, TableProgress, TableCompletion, DataSetCompletion)");
      return true;
    }

    if (index_ == 0 && frame_type != "DataSetHeader")
      out_.violation(path, "kusto.v2.frame-order",
                     "the first frame must be DataSetHeader, found " + frame_type);
    if (completed_)
      out_.violation(path, "kusto.v2.frame-order",
                     frame_type + " frame after DataSetCompletion, which must be the last frame");

    if (frame_type == "DataSetHeader") {
      if (index_ != 0)
        out_.violation(path, "kusto.v2.frame-order", "DataSetHeader may only be the first frame");
      if (!have_version)
        out_.violation(child_path(path, "Version"), "kusto.v2.header",
                       "DataSetHeader needs Version (\"v2.0\")");
      else if (version.rfind("v2.", 0) != 0)
        out_.violation(child_path(path, "Version"), "kusto.v2.header",
                       "Version \"" + version + "\" is not a v2 version (\"v2.0\")");
      if (!progressive)
        out_.violation(child_path(path, "IsProgressive"), "kusto.v2.header",
                       "DataSetHeader needs IsProgressive (true or false)");
      progressive_ = progressive.value_or(false);
      if (!placement.empty() && placement != "InData" && placement != "EndOfTable" &&
          placement != "EndOfDataSet")
        out_.violation(child_path(path, "ErrorReportingPlacement"), "kusto.v2.header",
                       "ErrorReportingPlacement \"" + placement +
                           "\" is not InData, EndOfTable or EndOfDataSet");
    } else if (frame_type == "DataTable" || frame_type == "TableHeader") {
      if (open_ >= 0)
        out_.violation(path, "kusto.v2.frame-order",
                       frame_type + " while table " + std::to_string(open_) +
                           " is still open (its TableCompletion has not come)");
      if (!table_id) {
        out_.violation(child_path(path, "TableId"), "kusto.v2.table-id",
                       frame_type + " needs a TableId");
        return true;
      }
      if (tables_.count(*table_id)) {
        out_.violation(child_path(path, "TableId"), "kusto.v2.table-id",
                       "TableId " + std::to_string(*table_id) + " is used by an earlier table");
        return true;
      }
      if (!have_kind)
        out_.violation(child_path(path, "TableKind"), "kusto.v2.table-kind",
                       frame_type + " needs a TableKind");
      else
        check_kind(table_kind, child_path(path, "TableKind"));
      if (!have_name)
        out_.violation(child_path(path, "TableName"), "kusto.v2.table",
                       frame_type + " needs a TableName");
      if (!have_columns)
        out_.violation(child_path(path, "Columns"), "kusto.v2.table",
                       frame_type + " needs Columns");
      check_schema(table_kind, columns, child_path(path, "Columns"));
      Table& t = add_table(*table_id, table_kind, std::move(columns));
      if (frame_type == "TableHeader") {
        t.fragmented = true;
        open_ = *table_id;
        if (have_rows)
          out_.violation(child_path(path, "Rows"), "kusto.v2.frame",
                         "a TableHeader carries no Rows; they come in TableFragment frames");
      } else {
        t.completed = true;
        if (!have_rows)
          out_.violation(child_path(path, "Rows"), "kusto.v2.table", "DataTable needs Rows");
        else if (rows_deferred && !deferred_rows(obj, t, child_path(path, "Rows")))
          return false;
      }
    } else if (frame_type == "TableFragment") {
      Table* t = open_table(table_id, path, "TableFragment");
      if (fragment_type != "DataAppend" && fragment_type != "DataReplace")
        out_.violation(child_path(path, "TableFragmentType"), "kusto.v2.fragment-type",
                       "TableFragmentType must be DataAppend or DataReplace, found \"" +
                           fragment_type + "\"");
      if (!have_rows)
        out_.violation(child_path(path, "Rows"), "kusto.v2.table", "TableFragment needs Rows");
      if (t && rows_deferred && !deferred_rows(obj, *t, child_path(path, "Rows"))) return false;
      if (t && fragment_type == "DataReplace")
        t->rows = rows_walked_; // a replacement: only this fragment's rows count
    } else if (frame_type == "TableProgress") {
      open_table(table_id, path, "TableProgress");
      if (!progressive_)
        out_.violation(path, "kusto.v2.progress-not-progressive",
                       "TableProgress frame in a response whose DataSetHeader says "
                       "IsProgressive=false");
      if (!progress)
        out_.violation(child_path(path, "TableProgress"), "kusto.v2.progress",
                       "TableProgress frame needs a TableProgress value");
      else if (*progress < 0 || *progress > 100)
        out_.violation(child_path(path, "TableProgress"), "kusto.v2.progress",
                       "TableProgress must be within 0..100");
    } else if (frame_type == "TableCompletion") {
      if (Table* t = open_table(table_id, path, "TableCompletion")) {
        if (!row_count)
          out_.violation(child_path(path, "RowCount"), "kusto.v2.row-count",
                         "TableCompletion needs RowCount");
        else if (static_cast<std::uint64_t>(*row_count) != t->rows)
          out_.violation(child_path(path, "RowCount"), "kusto.v2.row-count",
                         "RowCount says " + std::to_string(*row_count) + " but " +
                             std::to_string(t->rows) + " rows were delivered");
        t->completed = true;
        open_ = -1;
      }
    } else if (frame_type == "DataSetCompletion") {
      if (open_ >= 0)
        out_.violation(path, "kusto.v2.frame-order",
                       "DataSetCompletion while table " + std::to_string(open_) +
                           " is still open (no TableCompletion)");
      completed_ = true;
      completion_path_ = path;
      if (!has_errors)
        out_.violation(child_path(path, "HasErrors"), "kusto.v2.completion",
                       "DataSetCompletion needs HasErrors");
      if (!cancelled)
        out_.violation(child_path(path, "Cancelled"), "kusto.v2.completion",
                       "DataSetCompletion needs Cancelled");
      has_errors_ = has_errors.value_or(false);
      if (cancelled.value_or(false))
        out_.in_band(child_path(path, "Cancelled"), "kusto.v2.cancelled",
                     "the query was cancelled before it completed");
    } else if (frame_type != "?") {
      out_.violation(child_path(path, "FrameType"), "kusto.v2.frame",
                     "unknown FrameType \"" + frame_type + "\"");
    }
    return true;
  }

  Table& add_table(std::int64_t id, std::string kind, std::vector<Column> columns) {
    Table& t = tables_[id];
    t.kind = std::move(kind);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (t.kind == "QueryCompletionInformation" && columns[i].name == "Level")
        t.level_column = static_cast<int>(i);
      if (t.kind == "QueryCompletionInformation" && columns[i].name == "StatusCodeName")
        t.status_name_column = static_cast<int>(i);
    }
    t.columns = std::move(columns);
    return t;
  }

  // Which table a Rows value met during the field loop belongs to, if that is known already.
  Table* rows_target(const std::string& frame_type, const std::optional<std::int64_t>& table_id,
                     bool have_columns, std::vector<Column>& columns, const std::string& kind) {
    if (frame_type == "DataTable" && have_columns && table_id && !tables_.count(*table_id)) {
      // A scratch table so the rows can be checked while they stream past; the table itself is
      // registered after the field loop, with the other checks.
      pending_table_ = Table{};
      pending_table_.kind = kind;
      pending_table_.columns = columns;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (kind == "QueryCompletionInformation" && columns[i].name == "Level")
          pending_table_.level_column = static_cast<int>(i);
        if (kind == "QueryCompletionInformation" && columns[i].name == "StatusCodeName")
          pending_table_.status_name_column = static_cast<int>(i);
      }
      return &pending_table_;
    }
    if (frame_type == "TableFragment" && table_id && open_ == *table_id) {
      Table& t = tables_[*table_id];
      return &t;
    }
    return nullptr;
  }

  bool deferred_rows(od::object& obj, Table& t, const std::string& path) {
    od::value rows;
    if (auto e = obj.find_field_unordered("Rows").get(rows)) {
      in_.syntax_error(e, path);
      return false;
    }
    return walk_rows(rows, t, path);
  }

  Table* open_table(const std::optional<std::int64_t>& id, const std::string& path,
                    const std::string& what) {
    if (!id) {
      out_.violation(child_path(path, "TableId"), "kusto.v2.table-id", what + " needs a TableId");
      return nullptr;
    }
    if (open_ < 0 || *id != open_) {
      out_.violation(child_path(path, "TableId"), "kusto.v2.frame-order",
                     what + " for table " + std::to_string(*id) +
                         ", which is not the open table (a TableHeader must come first, and "
                         "its TableCompletion last)");
      return nullptr;
    }
    return &tables_[*id];
  }

  void check_kind(const std::string& kind, const std::string& path) {
    for (auto k : table_kinds)
      if (k == kind) return;
    out_.violation(path, "kusto.v2.table-kind", "unknown TableKind \"" + kind + "\"");
  }

  template <std::size_t N>
  void check_fixed_schema(const std::array<ColumnSpec, N>& schema,
                          const std::vector<Column>& columns, const std::string& path,
                          std::string_view rule, std::string_view what) {
    bool same = columns.size() == N;
    for (std::size_t i = 0; same && i < N; ++i)
      // Compared by type, not spelling: aliases (date, uuid, uniqueid) appear in real responses.
      same = columns[i].name == schema[i].name &&
             columns[i].type == kusto::type_from_column_type(schema[i].type);
    if (same) return;
    std::string expected;
    for (const auto& c : schema)
      expected += (expected.empty() ? "" : ", ") + std::string(c.name) + ":" + std::string(c.type);
    out_.violation(path, rule, std::string(what) + " columns must be " + expected);
  }

  void check_schema(const std::string& kind, const std::vector<Column>& columns,
                    const std::string& path) {
    if (kind == "QueryProperties")
      check_fixed_schema(query_properties_schema, columns, path, "kusto.v2.query-properties-schema",
                         "QueryProperties");
    else if (kind == "QueryCompletionInformation")
      check_fixed_schema(qci_schema, columns, path, "kusto.v2.qci-schema",
                         "QueryCompletionInformation");
  }

  bool read_columns(od::value& v, const std::string& path, std::vector<Column>& columns) {
    od::array arr;
    if (v.get_array().get(arr)) {
      out_.violation(path, "kusto.v2.columns", "Columns must be an array");
      return true;
    }
    std::size_t i = 0;
    for (auto item : arr) {
      od::value cv;
      if (auto e = item.get(cv)) {
        in_.syntax_error(e, path);
        return false;
      }
      std::string cpath = index_path(path, i++);
      od::object co;
      Column c;
      bool have_name = false, have_type = false;
      if (cv.get_object().get(co)) {
        out_.violation(cpath, "kusto.v2.columns", "a column is an object {ColumnName, ColumnType}");
        columns.push_back(std::move(c));
        continue;
      }
      kusto::ColumnMembers m;
      if (auto e = kusto::read_column_members(co, m)) {
        in_.syntax_error(e, cpath);
        return false;
      }
      c.name = m.name;
      c.type_name = m.column_type;
      have_name = m.has_name;
      have_type = m.has_column_type;
      if (!have_name)
        out_.violation(cpath, "kusto.v2.columns", "a column needs a string ColumnName");
      if (!have_type) {
        out_.violation(cpath, "kusto.v2.columns",
                       "a v2 column needs a string ColumnType (v2 has no DataType)");
      } else {
        c.type = kusto::type_from_column_type(c.type_name);
        if (!c.type)
          out_.warning(child_path(cpath, "ColumnType"), "kusto.column.unknown-type",
                       "unknown ColumnType \"" + c.type_name + "\"; its values are not checked");
      }
      columns.push_back(std::move(c));
    }
    return true;
  }

  // What each column's cells get, decided once per Rows array instead of once per cell.
  static std::vector<CellPlan> cell_plan(const Table& t) {
    std::vector<CellPlan> plan(t.columns.size());
    for (std::size_t c = 0; c < plan.size(); ++c) {
      if (static_cast<int>(c) == t.level_column)
        plan[c].role = CellRole::level;
      else if (static_cast<int>(c) == t.status_name_column)
        plan[c].role = CellRole::status_name;
      else if (const auto& type = t.columns[c].type)
        plan[c] = CellPlan{CellRole::typed, *type};
    }
    return plan;
  }

  bool walk_rows(od::value& v, Table& t, const std::string& path) {
    od::array rows;
    if (v.get_array().get(rows)) {
      out_.violation(path, "kusto.v2.rows", "Rows must be an array of rows");
      return true;
    }
    const std::size_t width = t.columns.size();
    const std::vector<CellPlan> plan = cell_plan(t);
    std::size_t r = 0;
    for (auto item : rows) {
      od::value row;
      if (auto e = item.get(row)) {
        in_.syntax_error(e, index_path(path, r));
        return false;
      }
      json_type rt;
      if (auto e = row.type().get(rt)) {
        in_.syntax_error(e, index_path(path, r));
        return false;
      }
      if (rt == json_type::object) {
        // In-data error placement: {"OneApiErrors":[...]} as an element of Rows.
        od::object o;
        od::value errors;
        std::string rpath = index_path(path, r);
        if (row.get_object().get(o) || o.find_field_unordered("OneApiErrors").get(errors)) {
          out_.violation(rpath, "kusto.v2.rows",
                         "a row is an array of values; the only object allowed in Rows is "
                         "{\"OneApiErrors\":[...]}");
        } else {
          std::string_view raw;
          if (auto e = simdjson::to_json_string(errors).get(raw)) {
            in_.syntax_error(e, rpath);
            return false;
          }
          oneapi_errors_ += kusto::report_oneapi_errors(raw, child_path(rpath, "OneApiErrors"),
                                                        "kusto.v2.error-in-data", out_);
        }
        ++r;
        continue;
      }
      if (rt != json_type::array) {
        out_.violation(index_path(path, r), "kusto.v2.rows", "a row must be an array of values");
        ++r;
        continue;
      }
      od::array cells;
      (void)!row.get_array().get(cells);
      std::size_t c = 0;
      std::int64_t level = 99;
      std::string status_name;
      for (auto cell_item : cells) {
        od::value cell;
        if (auto e = cell_item.get(cell)) {
          in_.syntax_error(e, index_path(path, r));
          return false;
        }
        if (c < width) {
          switch (plan[c].role) {
          case CellRole::typed:
            if (auto problem = kusto::check_value(plan[c].type, cell, false))
              out_.add(problem->level, index_path(index_path(path, r), c), problem->rule,
                       "column " + t.columns[c].name + ": " + problem->message);
            break;
          case CellRole::level: // read for the in-band error check (service tables only)
            (void)!cell.get_int64().get(level);
            break;
          case CellRole::status_name: {
            std::string_view s;
            if (!cell.get_string().get(s)) status_name = s;
            break;
          }
          case CellRole::unchecked:
            break;
          }
        }
        ++c;
      }
      if (c != width)
        out_.violation(index_path(path, r), "kusto.row-width",
                       "the row has " + std::to_string(c) + " values but the table has " +
                           std::to_string(width) + " columns");
      if (level <= 2) {
        ++qci_errors_;
        out_.in_band(index_path(path, r), "kusto.v2.error-completion-information",
                     "QueryCompletionInformation reports Level " + std::to_string(level) +
                         " (error)" + (status_name.empty() ? "" : ": " + status_name));
      }
      ++t.rows;
      ++rows_walked_;
      ++r;
      if (out_.full()) return true;
    }
    return true;
  }

  void finish() {
    if (index_ == 0) {
      out_.violation("$", "kusto.v2.frames",
                     "the frame array is empty; it needs at least "
                     "DataSetHeader and DataSetCompletion");
      return;
    }
    if (!completed_) {
      out_.violation("$", "kusto.v2.frame-order",
                     "the last frame must be DataSetCompletion; the stream ends without it "
                     "(truncated?)");
      return;
    }
    if (oneapi_errors_ > 0 && !has_errors_)
      out_.violation(child_path(completion_path_, "HasErrors"), "kusto.v2.has-errors",
                     "HasErrors is false although the response carries OneApiErrors");
    if (has_errors_ && oneapi_errors_ == 0 && qci_errors_ == 0)
      out_.violation(child_path(completion_path_, "HasErrors"), "kusto.v2.has-errors",
                     "HasErrors is true but no error is reported (no OneApiErrors, no "
                     "QueryCompletionInformation row with Level <= 2)");
  }

  OnDemandInput& in_;
  Findings& out_;
  std::size_t index_ = 0;
  std::unordered_map<std::int64_t, Table> tables_;
  std::int64_t open_ = -1; // TableId of the fragmented table between header and completion
  Table pending_table_;
  bool progressive_ = false;
  bool completed_ = false;
  bool has_errors_ = false;
  std::string completion_path_;
  std::size_t oneapi_errors_ = 0;
  std::size_t qci_errors_ = 0;
  std::uint64_t rows_walked_ = 0; // rows of the current frame
};

} // namespace

void validate_kusto_v2(std::string_view body, bool padded, Findings& out) {
  OnDemandInput input(body, padded, "kusto.v2", out);
  od::document doc;
  if (!input.iterate(doc)) return;
  V2Validator(input, out).run(doc);
}

} // namespace konform::protocol
