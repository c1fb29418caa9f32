#include "serve/kusto/cluster/ingest.h"

#include "core/text.h"
#include "json/document.h"
#include "json/locate.h"
#include "json/writer.h"
#include "serve/kusto/cluster/delimited.h"

namespace konform::serve::kusto::cluster {
namespace {

enum class Family { delimited, json_lines, multi_json, single_json };

struct Format {
  Family family = Family::delimited;
  char separator = ',';
};

std::optional<Format> find_format(std::string_view name) {
  auto n = text::to_lower(name);
  if (n == "csv") return Format{Family::delimited, ','};
  if (n == "tsv" || n == "tsve") return Format{Family::delimited, '\t'};
  if (n == "scsv") return Format{Family::delimited, ';'};
  if (n == "sohsv") return Format{Family::delimited, '\x01'};
  if (n == "psv") return Format{Family::delimited, '|'};
  if (n == "json") return Format{Family::json_lines, 0};
  if (n == "multijson") return Format{Family::multi_json, 0};
  if (n == "singlejson") return Format{Family::single_json, 0};
  return std::nullopt;
}

Failure format_failure(std::string detail) {
  Failure f = bad_request(std::move(detail), "BadRequest_FormatNotSupported");
  f.type = "Kusto.Data.Exceptions.FormatNotSupportedException";
  return f;
}

Failure malformed(const IngestSpec& spec, const std::string& where, const std::string& what) {
  Failure f = bad_request("Malformed " + text::to_lower(spec.format) + " data for table '" +
                          spec.table + "' at " + where + ": " + what +
                          ". Nothing of this request was ingested; fix the record and send it "
                          "again.");
  f.database = spec.database;
  return f;
}

// One mapping element: which column it fills and from where.
struct MapItem {
  std::size_t column = 0;
  json::Path path;         // json
  std::size_t ordinal = 0; // csv
  std::optional<std::string> constant;
};

std::optional<std::string> string_field(simdjson::dom::element e,
                                        std::initializer_list<const char*> keys) {
  for (auto k : keys) {
    auto v = e[k];
    if (v.error()) continue;
    if (auto s = v.get_string(); !s.error()) return std::string(s.value());
    if (auto n = v.get_int64(); !n.error()) return std::to_string(n.value());
  }
  return std::nullopt;
}

Result<std::vector<MapItem>, Failure> parse_mapping(const Table& t, const std::string& text,
                                                    bool json_kind) {
  auto invalid = [&](std::string why) {
    Failure f = bad_request("Mapping is not valid for table '" + t.name + "': " + why,
                            "BadRequest_InvalidMapping");
    f.type = "Kusto.Data.Exceptions.MappingNotValidException";
    return f;
  };
  auto doc = json::Document::parse(text, "mapping");
  if (!doc) return invalid(doc.error().message);
  auto arr = doc->root().get_array();
  if (arr.error()) return invalid("expected a JSON array");
  std::vector<MapItem> items;
  std::size_t position = 0;
  for (auto e : arr.value()) {
    MapItem m;
    auto column = string_field(e, {"column", "Column"});
    if (!column || t.column_index(*column) < 0)
      return invalid("unknown or missing column '" + column.value_or("") + "'");
    m.column = static_cast<std::size_t>(t.column_index(*column));
    auto props = e["Properties"];
    if (props.error()) props = e["properties"];
    auto constant = string_field(e, {"ConstValue", "constValue"});
    if (!constant && !props.error())
      constant = string_field(props.value(), {"ConstValue", "constValue"});
    m.constant = constant;
    if (json_kind && !constant) {
      auto path = string_field(e, {"path", "Path"});
      if (!path && !props.error()) path = string_field(props.value(), {"Path", "path"});
      if (!path)
        return invalid("column '" + *column + "': a JSON path like \"$.name\" is required");
      auto parsed = json::Path::parse(*path);
      if (!parsed) return invalid("column '" + *column + "': " + parsed.error().message);
      m.path = std::move(*parsed);
    } else if (!constant) {
      auto ordinal = string_field(e, {"Ordinal", "ordinal"});
      if (!ordinal && !props.error()) ordinal = string_field(props.value(), {"Ordinal", "ordinal"});
      auto n = ordinal ? text::parse_int(*ordinal) : std::optional<std::int64_t>(position);
      if (!n || *n < 0)
        return invalid("column '" + *column + "': Ordinal must be a non-negative integer");
      m.ordinal = static_cast<std::size_t>(*n);
    }
    ++position;
    items.push_back(std::move(m));
  }
  return items;
}

// A JSON value → a cell of type t (strings keep their text, other JSON is parsed by type).
Result<Value> json_to_value(Type t, simdjson::dom::element e) {
  if (e.is_null()) return t == Type::string ? Value::of_text("") : Value::null();
  if (t == Type::dynamic) return Value::of_text(json::compact(e));
  if (auto s = e.get_string(); !s.error()) return parse_value(t, s.value());
  if (t == Type::string) return Value::of_text(json::compact(e));
  if (auto b = e.get_bool(); !b.error()) {
    if (t != Type::boolean)
      return make_error(std::string(b.value() ? "true" : "false") + " is not a valid " +
                        std::string(type_name(t)));
    return Value::of_int(b.value());
  }
  return parse_value(t, json::compact(e));
}

// Splits a stream of JSON values ("{..} {..}", "[{..},{..}]") into top-level texts with offsets.
struct JsonPiece {
  std::string_view text;
  std::size_t offset = 0;
};

Result<std::vector<JsonPiece>> split_json(std::string_view s) {
  std::vector<JsonPiece> pieces;
  std::size_t i = 0;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++i;
      continue;
    }
    std::size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < s.size(); ++i) {
      char d = s[i];
      if (in_string) {
        if (d == '\\')
          ++i;
        else if (d == '"')
          in_string = false;
        continue;
      }
      if (d == '"')
        in_string = true;
      else if (d == '{' || d == '[')
        ++depth;
      else if (d == '}' || d == ']') {
        if (--depth == 0) {
          ++i;
          break;
        }
      } else if (depth == 0 && (std::isspace(static_cast<unsigned char>(d)) || d == ','))
        break;
    }
    pieces.push_back({s.substr(start, i - start), start});
  }
  return pieces;
}

} // namespace

Result<std::size_t, Failure> ingest(Catalog& catalog, const IngestSpec& spec,
                                    std::string_view data) {
  auto format = find_format(spec.format);
  if (!format) {
    auto n = text::to_lower(spec.format);
    if (n == "avro" || n == "apacheavro" || n == "parquet" || n == "orc")
      return format_failure("Format '" + spec.format +
                            "' is not supported by konform serve (binary formats are not "
                            "implemented); use csv, tsv, scsv, sohsv, psv, json, multijson or "
                            "singlejson");
    return format_failure("Unknown streamFormat '" + spec.format +
                          "'; use csv, tsv, scsv, sohsv, psv, json, multijson or singlejson");
  }
  bool json_kind = format->family != Family::delimited;
  auto lock = catalog.write_lock();
  Database* db = catalog.find_database(spec.database);
  if (!db) return database_not_found(spec.database);
  auto it = db->tables.find(spec.table);
  if (it == db->tables.end()) return table_not_found(db->name, spec.table);
  Table& table = it->second;

  std::optional<std::vector<MapItem>> mapping;
  if (!spec.mapping_name.empty()) {
    const Mapping* found = nullptr;
    for (const auto& m : table.mappings)
      if (m.name == spec.mapping_name && text::iequals(m.kind, json_kind ? "Json" : "Csv"))
        found = &m;
    if (!found) {
      Failure f = bad_request("Mapping reference '" + spec.mapping_name +
                                  "' of type 'mappingReference' in database '" + db->name +
                                  "' could not be found.",
                              "BadRequest_MappingReferenceWasNotFound");
      f.type = "Kusto.Data.Exceptions.MappingNotFoundException";
      return f;
    }
    auto parsed = parse_mapping(table, found->text, json_kind);
    if (!parsed) return parsed.error();
    mapping = std::move(parsed.value());
  } else if (!spec.mapping_json.empty()) {
    auto parsed = parse_mapping(table, spec.mapping_json, json_kind);
    if (!parsed) return parsed.error();
    mapping = std::move(parsed.value());
  } else if (json_kind) {
    return bad_request("Format '" + spec.format +
                           "' needs an ingestion mapping: pass mappingName=<name> (create one with "
                           ".create table " +
                           table.name +
                           " ingestion json mapping \"<name>\" "
                           "'[{\"column\":\"...\",\"path\":\"$.…\"}]')",
                       "BadRequest_MappingReferenceWasNotFound");
  }

  const auto& columns = table.columns;
  std::vector<Row> rows;
  if (!json_kind) {
    auto records = parse_delimited(data, format->separator);
    if (!records)
      return malformed(spec,
                       "line:column " +
                           records.error().message.substr(0, records.error().message.find(": ")),
                       records.error().message.substr(records.error().message.find(": ") + 2));
    bool skip = spec.ignore_first_record;
    for (const auto& rec : *records) {
      if (skip) {
        skip = false;
        continue;
      }
      std::string where = "line " + std::to_string(rec.line);
      Row row(columns.size());
      for (std::size_t k = 0; k < columns.size(); ++k)
        if (columns[k].type == Type::string) row[k] = Value::of_text("");
      if (mapping) {
        for (const auto& m : *mapping) {
          std::string_view field;
          if (m.constant)
            field = *m.constant;
          else if (m.ordinal < rec.fields.size())
            field = rec.fields[m.ordinal];
          auto v = parse_value(columns[m.column].type, field);
          if (!v)
            return malformed(spec,
                             where + ", field " + std::to_string(m.ordinal + 1) + " (column '" +
                                 columns[m.column].name + "')",
                             v.error().message);
          row[m.column] = std::move(v.value());
        }
      } else {
        if (rec.fields.size() > columns.size())
          return malformed(spec, where,
                           "the record has " + std::to_string(rec.fields.size()) +
                               " fields but the table has " + std::to_string(columns.size()) +
                               " columns");
        for (std::size_t k = 0; k < rec.fields.size(); ++k) {
          auto v = parse_value(columns[k].type, rec.fields[k]);
          if (!v)
            return malformed(spec,
                             where + ", field " + std::to_string(k + 1) + " (column '" +
                                 columns[k].name + "')",
                             v.error().message);
          row[k] = std::move(v.value());
        }
      }
      rows.push_back(std::move(row));
    }
  } else {
    auto pieces = split_json(data);
    std::vector<std::pair<simdjson::dom::element, std::size_t>> objects;
    std::vector<json::Document> docs;
    docs.reserve(pieces->size());
    for (const auto& piece : *pieces) {
      auto doc = json::Document::parse(piece.text);
      if (!doc) {
        auto at = json::location_of_offset(data, piece.offset);
        auto inner = json::locate_error(piece.text);
        std::size_t line = at.line + (inner ? inner->line - 1 : 0);
        std::size_t col =
            inner ? (inner->line == 1 ? at.column + inner->column - 1 : inner->column) : at.column;
        return malformed(spec, std::to_string(line) + ":" + std::to_string(col),
                         "invalid JSON" + (inner ? " (" + inner->what + ")" : std::string()));
      }
      docs.push_back(std::move(doc.value()));
    }
    if (format->family == Family::single_json && docs.size() != 1)
      return malformed(spec, "the request body",
                       "singlejson expects exactly one JSON object, found " +
                           std::to_string(docs.size()) + " values");
    for (std::size_t d = 0; d < docs.size(); ++d) {
      auto root = docs[d].root();
      if (auto arr = root.get_array(); !arr.error() && format->family == Family::multi_json) {
        for (auto e : arr.value())
          objects.emplace_back(e, (*pieces)[d].offset);
      } else {
        objects.emplace_back(root, (*pieces)[d].offset);
      }
    }
    for (const auto& [obj, offset] : objects) {
      auto at = json::location_of_offset(data, offset);
      std::string where = std::to_string(at.line) + ":" + std::to_string(at.column);
      if (obj.type() != simdjson::dom::element_type::OBJECT)
        return malformed(spec, where,
                         "expected a JSON object, got " + json::compact(obj).substr(0, 40));
      Row row(columns.size());
      for (std::size_t k = 0; k < columns.size(); ++k)
        if (columns[k].type == Type::string) row[k] = Value::of_text("");
      for (const auto& m : *mapping) {
        Result<Value> v = Value::null();
        if (m.constant) {
          v = parse_value(columns[m.column].type, *m.constant);
        } else {
          if (auto cur = json::value_at(simdjson::dom::element{obj}, m.path.steps()))
            v = json_to_value(columns[m.column].type, *cur);
        }
        if (!v)
          return malformed(spec, where + " (column '" + columns[m.column].name + "')",
                           v.error().message);
        row[m.column] = std::move(v.value());
      }
      rows.push_back(std::move(row));
    }
  }
  std::size_t n = rows.size();
  for (auto& r : rows)
    table.rows.push_back(std::move(r));
  return n;
}

} // namespace konform::serve::kusto::cluster
