// Kusto v1 results, walked in one pass over simdjson's on-demand API like v2. Tables with a
// special role are recognised by their column names (a single pass cannot wait for the table
// of contents, which comes last): QueryStatus, TableOfContents, `.get ingestion resources`,
// `.get kusto identity token` and the streaming-ingest result.
#include "protocol/kusto_v1.h"

#include "core/text.h"
#include "protocol/kusto_values.h"
#include "protocol/ondemand_input.h"
#include "protocol/validators.h"

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace konform::protocol {
namespace kusto {
namespace {

using simdjson::ondemand::json_type;
namespace od = simdjson::ondemand;

enum class Role { data, query_status, toc, ingestion_resources, identity_token, streaming_ingest };

struct Column {
  std::string name;
  std::optional<ScalarType> type;
};

struct Table {
  Role role = Role::data;
  std::vector<Column> columns;
  std::uint64_t rows = 0;
  // Columns whose text the role checks read (index into columns, -1 = absent).
  int severity = -1, status_description = -1; // QueryStatus
  int ordinal = -1, kind = -1;                // TableOfContents
  int resource_type = -1, storage_root = -1;  // .get ingestion resources
  int auth_context = -1;                      // .get kusto identity token
};

// Resource types a DM answers with (python ingest client's _ingestion_resources; node's too).
constexpr std::array<std::string_view, 6> resource_types{
    "SecuredReadyForAggregationQueue", "FailedIngestionsQueue",
    "SuccessfulIngestionsQueue",       "TempStorage",
    "IngestionsStatusTable",           "ReadyForAggregationQueue"};
constexpr std::array<std::string_view, 4> required_resources{
    "SecuredReadyForAggregationQueue", "FailedIngestionsQueue", "SuccessfulIngestionsQueue",
    "TempStorage"};
constexpr std::array<std::string_view, 4> toc_kinds{"QueryResult", "QueryProperties", "QueryStatus",
                                                    "QueryPlan"};

int find(const std::vector<Column>& cols, std::string_view name) {
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == name) return static_cast<int>(i);
  return -1;
}

bool is_uri(std::string_view s) {
  return (text::istarts_with(s, "https://") || text::istarts_with(s, "http://")) && s.size() > 8 &&
         s.find(' ') == std::string_view::npos;
}

class V1Validator {
public:
  V1Validator(OnDemandInput& input, V1Expect expect, Findings& out)
      : in_(input), expect_(expect), out_(out) {}

  void run(od::document& doc) {
    json_type t;
    od::object root;
    if (auto e = doc.type().get(t)) {
      in_.syntax_error(e, "$");
      return;
    }
    if (t == json_type::object) {
      if (auto e = doc.get_object().get(root)) {
        in_.syntax_error(e, "$");
        return;
      }
    } else {
      out_.violation("$", "kusto.v1.tables", "a v1 result is an object {\"Tables\":[...]}");
      return;
    }
    bool have_tables = false;
    for (auto fr : root) {
      od::field f;
      std::string_view key;
      if (auto e = std::move(fr).get(f)) {
        in_.syntax_error(e, "$");
        return;
      }
      if (auto e = f.unescaped_key().get(key)) {
        in_.syntax_error(e, "$");
        return;
      }
      od::value v = f.value();
      if (key == "Tables") {
        have_tables = true;
        if (!tables(v)) return;
      } else if (key == "Exceptions") {
        // Top-level partial-failure report next to Tables (Go v1 partialError.json).
        od::array arr;
        std::size_t n = 0;
        if (v.get_array().get(arr)) {
          out_.violation("$.Exceptions", "kusto.v1.exceptions", "Exceptions must be an array");
          continue;
        }
        for (auto item : arr) {
          od::value ev;
          std::string_view s;
          if (auto e = item.get(ev)) {
            in_.syntax_error(e, "$.Exceptions");
            return;
          }
          std::string msg = ev.get_string().get(s) ? "(not a string)" : first_line(s);
          out_.in_band(index_path("$.Exceptions", n++), "kusto.v1.exceptions",
                       "the result reports an exception: " + msg);
        }
      }
    }
    if (trailing_content(doc)) {
      out_.violation("$", "kusto.v1.json", "text follows the result object");
      return;
    }
    if (!have_tables) {
      out_.violation("$.Tables", "kusto.v1.tables", "a v1 result needs a Tables array");
      return;
    }
    finish();
  }

private:
  static std::string first_line(std::string_view s) {
    auto end = s.find_first_of("\r\n");
    std::string line(s.substr(0, std::min<std::size_t>(end, 200)));
    return line;
  }

  bool tables(od::value& v) {
    od::array arr;
    if (v.get_array().get(arr)) {
      out_.violation("$.Tables", "kusto.v1.tables", "Tables must be an array of tables");
      return true;
    }
    for (auto item : arr) {
      od::value tv;
      std::string path = index_path("$.Tables", count_);
      if (auto e = item.get(tv)) {
        in_.syntax_error(e, path);
        return false;
      }
      if (!table(tv, path)) return false;
      ++count_;
      if (out_.full()) return false;
    }
    return true;
  }

  bool table(od::value& v, const std::string& path) {
    od::object obj;
    if (v.get_object().get(obj)) {
      out_.violation(path, "kusto.v1.table", "a table is an object {TableName, Columns, Rows}");
      roles_.push_back(Role::data);
      return true;
    }
    Table t;
    bool have_name = false, have_columns = false, have_rows = false, deferred = false;
    for (auto fr : obj) {
      od::field f;
      std::string_view key;
      if (auto e = std::move(fr).get(f)) {
        in_.syntax_error(e, path);
        return false;
      }
      if (auto e = f.unescaped_key().get(key)) {
        in_.syntax_error(e, path);
        return false;
      }
      od::value fv = f.value();
      if (key == "TableName") {
        std::string_view s;
        if (fv.get_string().get(s))
          out_.violation(child_path(path, "TableName"), "kusto.v1.table",
                         "TableName must be a string");
        have_name = true;
      } else if (key == "Columns") {
        have_columns = true;
        if (!columns(fv, child_path(path, "Columns"), t)) return false;
      } else if (key == "Rows") {
        have_rows = true;
        if (have_columns) {
          if (!rows(fv, t, child_path(path, "Rows"))) return false;
        } else {
          deferred = true;
        }
      }
    }
    if (!have_name)
      out_.violation(child_path(path, "TableName"), "kusto.v1.table", "a table needs a TableName");
    if (!have_columns)
      out_.violation(child_path(path, "Columns"), "kusto.v1.table", "a table needs Columns");
    if (!have_rows)
      out_.violation(child_path(path, "Rows"), "kusto.v1.table", "a table needs Rows");
    if (deferred && have_columns) {
      od::value rv;
      if (auto e = obj.find_field_unordered("Rows").get(rv)) {
        in_.syntax_error(e, path);
        return false;
      }
      if (!rows(rv, t, child_path(path, "Rows"))) return false;
    }
    end_of_table(t, path);
    roles_.push_back(t.role);
    return true;
  }

  bool columns(od::value& v, const std::string& path, Table& t) {
    od::array arr;
    if (v.get_array().get(arr)) {
      out_.violation(path, "kusto.v1.columns", "Columns must be an array");
      return true;
    }
    std::size_t i = 0;
    for (auto item : arr) {
      od::value cv;
      od::object co;
      std::string cpath = index_path(path, i++);
      if (auto e = item.get(cv)) {
        in_.syntax_error(e, cpath);
        return false;
      }
      Column c;
      if (cv.get_object().get(co)) {
        out_.violation(cpath, "kusto.v1.columns", "a column is an object {ColumnName, ColumnType}");
        t.columns.push_back(std::move(c));
        continue;
      }
      ColumnMembers m;
      if (auto e = read_column_members(co, m)) {
        in_.syntax_error(e, cpath);
        return false;
      }
      c.name = m.name;
      const std::string& column_type = m.column_type;
      const std::string& data_type = m.data_type;
      const bool have_name = m.has_name, have_ct = m.has_column_type, have_dt = m.has_data_type;
      if (!have_name)
        out_.violation(cpath, "kusto.v1.columns", "a column needs a string ColumnName");
      if (have_ct) {
        c.type = type_from_column_type(column_type);
        if (!c.type)
          out_.warning(child_path(cpath, "ColumnType"), "kusto.column.unknown-type",
                       "unknown ColumnType \"" + column_type + "\"; its values are not checked");
      } else if (have_dt) {
        c.type = type_from_data_type(data_type);
        if (!datatype_only_reported_) {
          datatype_only_reported_ = true;
          out_.warning(cpath, "kusto.v1.datatype-only",
                       "columns carry only DataType (older servers); the Kusto type is derived "
                       "from it (node's SDK fails to and leaves such values untyped)");
        }
        if (!c.type)
          out_.warning(child_path(cpath, "DataType"), "kusto.column.unknown-type",
                       "unknown DataType \"" + data_type + "\"; its values are not checked");
      } else {
        out_.violation(cpath, "kusto.v1.columns", "a column needs ColumnType or DataType");
      }
      t.columns.push_back(std::move(c));
    }
    classify(t);
    return true;
  }

  void classify(Table& t) {
    const auto& c = t.columns;
    if (find(c, "Severity") >= 0 && find(c, "StatusDescription") >= 0) {
      t.role = Role::query_status;
      t.severity = find(c, "Severity");
      t.status_description = find(c, "StatusDescription");
    } else if (c.size() >= 4 && c.size() <= 5 && c[0].name == "Ordinal" && c[1].name == "Kind" &&
               c[2].name == "Name" && c[3].name == "Id") {
      t.role = Role::toc;
      t.ordinal = 0;
      t.kind = 1;
    } else if (c.size() == 2 && c[0].name == "ResourceTypeName" && c[1].name == "StorageRoot") {
      t.role = Role::ingestion_resources;
      t.resource_type = 0;
      t.storage_root = 1;
    } else if (c.size() == 1 && c[0].name == "AuthorizationContext") {
      t.role = Role::identity_token;
      t.auth_context = 0;
    } else if (find(c, "ConsumedRecordsCount") >= 0) {
      t.role = Role::streaming_ingest;
    }
  }

  bool rows(od::value& v, Table& t, const std::string& path) {
    od::array arr;
    if (v.get_array().get(arr)) {
      out_.violation(path, "kusto.v1.rows", "Rows must be an array of rows");
      return true;
    }
    const std::size_t width = t.columns.size();
    const bool reads_cells = t.role != Role::data && t.role != Role::streaming_ingest;
    if (t.role == Role::toc) toc_ordinals_.clear(); // only the last table of contents counts
    std::size_t r = 0;
    for (auto item : arr) {
      od::value row;
      json_type rt;
      std::string rpath;
      if (auto e = item.get(row)) {
        in_.syntax_error(e, index_path(path, r));
        return false;
      }
      if (auto e = row.type().get(rt)) {
        in_.syntax_error(e, index_path(path, r));
        return false;
      }
      if (rt == json_type::object) {
        exceptions_row(row, index_path(path, r));
        ++r;
        continue;
      }
      if (rt != json_type::array) {
        out_.violation(index_path(path, r), "kusto.v1.rows", "a row must be an array of values");
        ++r;
        continue;
      }
      od::array cells;
      (void)!row.get_array().get(cells);
      std::size_t c = 0;
      std::vector<std::string> texts; // cells the role checks read (service tables only)
      if (reads_cells) texts.resize(width);
      for (auto ci : cells) {
        od::value cell;
        if (auto e = ci.get(cell)) {
          in_.syntax_error(e, index_path(path, r));
          return false;
        }
        if (c < width) {
          if (reads_cells) {
            std::string_view raw;
            if (!simdjson::to_json_string(cell).get(raw)) texts[c] = raw;
            check_text(t.columns[c], texts[c], index_path(index_path(path, r), c));
          } else if (const auto& type = t.columns[c].type) {
            if (auto problem = check_value(*type, cell, true))
              out_.add(problem->level, index_path(index_path(path, r), c), problem->rule,
                       "column " + t.columns[c].name + ": " + problem->message);
          }
        }
        ++c;
      }
      if (c != width)
        out_.violation(index_path(path, r), "kusto.row-width",
                       "the row has " + std::to_string(c) + " values but the table has " +
                           std::to_string(width) + " columns");
      else if (reads_cells)
        role_row(t, texts, index_path(path, r));
      ++t.rows;
      ++r;
      if (out_.full()) return true;
    }
    return true;
  }

  // Service tables are small: their cells are re-parsed from raw JSON text so that both the
  // type check and the role check can read them.
  void check_text(const Column& col, const std::string& raw, const std::string& path) {
    if (!col.type) return;
    // On-demand needs a value, and a scalar document is not one: wrap it in an array.
    simdjson::padded_string wrapped("[" + raw + "]");
    od::parser parser;
    od::document d;
    od::array a;
    od::value v;
    if (parser.iterate(wrapped).get(d) || d.get_array().get(a)) return;
    for (auto item : a) {
      if (item.get(v)) return;
      if (auto problem = check_value(*col.type, v, true))
        out_.add(problem->level, path, problem->rule,
                 "column " + col.name + ": " + problem->message);
    }
  }

  static std::string unquote(const std::string& raw) {
    simdjson::dom::parser p;
    std::string_view s;
    if (p.parse(raw).get_string().get(s)) return {};
    return std::string(s);
  }

  void role_row(const Table& t, const std::vector<std::string>& texts, const std::string& path) {
    switch (t.role) {
    case Role::query_status: {
      auto severity = text::parse_int(texts[t.severity]);
      if (severity && *severity <= 2)
        out_.in_band(path, "kusto.v1.query-status",
                     "QueryStatus reports Severity " + std::to_string(*severity) +
                         " (error): " + first_line(unquote(texts[t.status_description])));
      break;
    }
    case Role::toc: {
      toc_ordinals_.push_back(text::parse_int(texts[t.ordinal]).value_or(-1));
      std::string kind = unquote(texts[t.kind]);
      bool known = false;
      for (auto k : toc_kinds)
        known = known || k == kind;
      if (!known)
        out_.warning(index_path(path, t.kind), "kusto.v1.toc-kind",
                     "TableOfContents Kind \"" + kind +
                         "\" is not QueryResult, QueryProperties, QueryStatus or QueryPlan");
      break;
    }
    case Role::ingestion_resources: {
      std::string type = unquote(texts[t.resource_type]);
      std::string root = unquote(texts[t.storage_root]);
      bool known = false;
      for (auto k : resource_types)
        known = known || k == type;
      if (!known)
        out_.warning(index_path(path, t.resource_type), "kusto.ingest.resource-type",
                     "unknown ingestion resource type \"" + type + "\"");
      resources_seen_.insert(type);
      if (!is_uri(root))
        out_.violation(index_path(path, t.storage_root), "kusto.ingest.storage-root",
                       "StorageRoot must be an http(s) URI with a SAS query, e.g. "
                       "https://account.queue.core.windows.net/name?sv=...");
      break;
    }
    case Role::identity_token:
      if (unquote(texts[t.auth_context]).empty())
        out_.violation(index_path(path, t.auth_context), "kusto.ingest.identity-token",
                       "AuthorizationContext must be a non-empty string (it goes into every "
                       "queued-ingestion message)");
      break;
    case Role::data:
    case Role::streaming_ingest:
      break;
    }
  }

  void exceptions_row(od::value& row, const std::string& path) {
    od::object o;
    od::value ex;
    if (row.get_object().get(o) || o.find_field_unordered("Exceptions").get(ex)) {
      out_.violation(path, "kusto.v1.rows",
                     "a row is an array of values; the only object allowed in Rows is "
                     "{\"Exceptions\":[...]}");
      return;
    }
    od::array arr;
    std::string msg;
    if (!ex.get_array().get(arr))
      for (auto item : arr) {
        std::string_view s;
        if (!item.get_string().get(s) && msg.empty()) msg = first_line(s);
      }
    out_.in_band(path, "kusto.v1.exceptions-row",
                 "a row reports a partial failure: " + (msg.empty() ? "(no message)" : msg));
  }

  void end_of_table(const Table& t, const std::string& path) {
    if (t.role == Role::ingestion_resources) {
      for (auto need : required_resources)
        if (!resources_seen_.count(std::string(need)))
          out_.violation(child_path(path, "Rows"), "kusto.ingest.resources",
                         "`.get ingestion resources` lacks a " + std::string(need) +
                             " row; queued ingestion needs it");
    }
    if (t.role == Role::identity_token && t.rows != 1)
      out_.violation(child_path(path, "Rows"), "kusto.ingest.identity-token",
                     "`.get kusto identity token` returns exactly one row");
    if (expect_ == V1Expect::streaming_ingest && count_ == 0) streaming_ingest_table(t, path);
  }

  void streaming_ingest_table(const Table& t, const std::string& path) {
    static constexpr std::array<std::pair<std::string_view, ScalarType>, 4> shape{{
        {"ConsumedRecordsCount", ScalarType::int64},
        {"UpdatePolicyStatus", ScalarType::string},
        {"UpdatePolicyFailureCode", ScalarType::string},
        {"UpdatePolicyFailureReason", ScalarType::string},
    }};
    bool ok = t.columns.size() == shape.size();
    for (std::size_t i = 0; ok && i < shape.size(); ++i)
      ok = t.columns[i].name == shape[i].first && t.columns[i].type == shape[i].second;
    if (!ok)
      out_.violation(child_path(path, "Columns"), "kusto.ingest.streaming-result",
                     "the streaming-ingest result table has the columns ConsumedRecordsCount:long, "
                     "UpdatePolicyStatus:string, UpdatePolicyFailureCode:string, "
                     "UpdatePolicyFailureReason:string");
    if (t.rows != 1)
      out_.violation(child_path(path, "Rows"), "kusto.ingest.streaming-result",
                     "the streaming-ingest result has exactly one row");
  }

  void finish() {
    if (expect_ == V1Expect::streaming_ingest && count_ != 1)
      out_.violation("$.Tables", "kusto.ingest.streaming-result",
                     "a streaming-ingest response holds exactly one table");
    if (count_ < 3) return;
    // With 3+ tables the last is the TableOfContents (SDKs name the tables from it).
    if (roles_.back() != Role::toc) {
      out_.warning(index_path("$.Tables", count_ - 1), "kusto.v1.toc-missing",
                   "a result with 3 or more tables normally ends with a TableOfContents "
                   "(Ordinal, Kind, Name, Id); SDKs that rely on it mislabel these tables");
      return;
    }
    std::string toc = index_path("$.Tables", count_ - 1);
    if (toc_ordinals_.size() != count_ - 1)
      out_.violation(child_path(toc, "Rows"), "kusto.v1.toc",
                     "the TableOfContents lists " + std::to_string(toc_ordinals_.size()) +
                         " tables but the result has " + std::to_string(count_ - 1) +
                         " tables before it");
    for (std::size_t i = 0; i < toc_ordinals_.size(); ++i)
      if (toc_ordinals_[i] != static_cast<std::int64_t>(i)) {
        out_.violation(index_path(child_path(toc, "Rows"), i), "kusto.v1.toc",
                       "TableOfContents Ordinal " + std::to_string(toc_ordinals_[i]) +
                           " should be " + std::to_string(i) + " (the table's position)");
        break;
      }
  }

  OnDemandInput& in_;
  V1Expect expect_;
  Findings& out_;
  std::size_t count_ = 0;
  std::vector<Role> roles_;
  std::vector<std::int64_t> toc_ordinals_; // of the last TOC-shaped table
  std::set<std::string> resources_seen_;
  bool datatype_only_reported_ = false;
};

} // namespace

void validate_v1(std::string_view body, bool padded, V1Expect expect, Findings& out) {
  OnDemandInput input(body, padded, "kusto.v1", out);
  od::document doc;
  if (!input.iterate(doc)) return;
  V1Validator(input, expect, out).run(doc);
}

} // namespace kusto

void validate_kusto_v1(std::string_view body, bool padded, Findings& out) {
  kusto::validate_v1(body, padded, kusto::V1Expect::any, out);
}

void validate_kusto_ingest(std::string_view body, Findings& out) {
  kusto::validate_v1(body, false, kusto::V1Expect::streaming_ingest, out);
}

} // namespace konform::protocol
