#include "serve/kusto/engine/commands.h"

#include "core/ids.h"
#include "core/text.h"
#include "serve/kusto/engine/kql.h"

#include "json/document.h"
#include "json/writer.h"
#include <algorithm>

namespace konform::serve::kusto::engine {
namespace {

// Reads a command word by word: keywords case-insensitively, names plain, ['bracketed'] or quoted.
class Reader {
public:
  explicit Reader(std::string_view s) : s_(s) {}

  void space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  bool keyword(std::string_view k) {
    space();
    if (pos_ + k.size() > s_.size() || !text::iequals(s_.substr(pos_, k.size()), k)) return false;
    std::size_t end = pos_ + k.size();
    if (end < s_.size() &&
        (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_' || s_[end] == '-'))
      return false;
    pos_ = end;
    return true;
  }
  bool symbol(char c) {
    space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::optional<std::string> name() {
    space();
    if (pos_ >= s_.size()) return std::nullopt;
    if (s_[pos_] == '[' || s_[pos_] == '"' || s_[pos_] == '\'') {
      bool bracket = s_[pos_] == '[';
      if (bracket) ++pos_;
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return std::nullopt;
      char q = s_[pos_++];
      auto end = s_.find(q, pos_);
      if (end == std::string_view::npos) return std::nullopt;
      std::string out(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      if (bracket && !symbol(']')) return std::nullopt;
      return out;
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '_' || s_[pos_] == '-' || s_[pos_] == '.'))
      ++pos_;
    if (pos_ == start) return std::nullopt;
    return std::string(s_.substr(start, pos_ - start));
  }
  // A quoted string literal ('...' or "..."), with \ escapes and '' doubling not needed here.
  std::optional<std::string> string_literal() {
    space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return std::nullopt;
    char q = s_[pos_++];
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) {
        out += s_[pos_++];
        continue;
      }
      if (c == q) return out;
      out += c;
    }
    return std::nullopt;
  }
  // Text inside balanced parentheses (the reader is at '(').
  std::optional<std::string_view> parenthesized() {
    if (!symbol('(')) return std::nullopt;
    auto end = s_.find(')', pos_);
    if (end == std::string_view::npos) return std::nullopt;
    auto body = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return body;
  }
  bool at_end() {
    space();
    return pos_ >= s_.size();
  }
  std::size_t pos() const { return pos_; }

private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

Column col(const char* name, Type t) {
  return {name, t};
}

std::string csl_schema(const Table& t) {
  std::string out;
  for (const auto& c : t.columns) {
    if (!out.empty()) out += ", ";
    out += c.name + ":" + std::string(type_name(c.type));
  }
  return out;
}

std::string json_schema(const Table& t) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("Name", t.name).key("OrderedColumns").begin_array();
  for (const auto& c : t.columns)
    w.begin_object()
        .field("Name", c.name)
        .field("Type", "System." + std::string(dotnet_name(c.type)))
        .field("CslType", type_name(c.type))
        .end_object();
  w.end_array().end_object();
  return out;
}

ResultTable table_schema_result(const Database& db, const Table& t) {
  ResultTable r;
  r.name = "Table_0";
  r.columns = {col("TableName", Type::string), col("Schema", Type::string),
               col("DatabaseName", Type::string), col("Folder", Type::string),
               col("DocString", Type::string)};
  r.rows.push_back({Value::of_text(t.name), Value::of_text(csl_schema(t)), Value::of_text(db.name),
                    Value::of_text(t.folder), Value::of_text(t.docstring)});
  return r;
}

ResultTable mappings_result(const Database& db, const Table& t, std::string_view kind,
                            std::string_view only_name = {}) {
  ResultTable r;
  r.name = "Table_0";
  r.columns = {col("Name", Type::string),     col("Kind", Type::string),
               col("Mapping", Type::string),  col("LastUpdatedOn", Type::datetime),
               col("Database", Type::string), col("Table", Type::string)};
  for (const auto& m : t.mappings) {
    if (!kind.empty() && !text::iequals(kind, m.kind)) continue;
    if (!only_name.empty() && m.name != only_name) continue;
    r.rows.push_back({Value::of_text(m.name), Value::of_text(m.kind), Value::of_text(m.text),
                      parse_value(Type::datetime, m.created).value(), Value::of_text(db.name),
                      Value::of_text(t.name)});
  }
  return r;
}

Failure command_syntax(std::string_view command, std::size_t pos, std::string_view expected) {
  Failure f = syntax_error(std::string(command), 1, static_cast<int>(pos) + 1,
                           std::string(command.substr(pos, 10)));
  f.detail += " (konform serve expected " + std::string(expected) + ")";
  return f;
}

// Validates an ingestion mapping: a JSON array of {"column": ..., "Properties"/"path"/"Ordinal"}.
std::optional<Failure> validate_mapping(const Table& t, std::string_view kind,
                                        const std::string& text) {
  auto doc = json::Document::parse(text, "mapping");
  auto invalid = [&](std::string why) {
    Failure f = bad_request("Mapping is not valid for table '" + t.name + "': " + why,
                            "BadRequest_InvalidMapping");
    f.type = "Kusto.Data.Exceptions.MappingNotValidException";
    return f;
  };
  if (!doc) return invalid(doc.error().message);
  auto arr = doc->root().get_array();
  if (arr.error()) return invalid("expected a JSON array of column mappings");
  for (auto item : arr.value()) {
    auto column = item["column"].get_string();
    if (column.error()) column = item["Column"].get_string();
    if (column.error()) return invalid("every element needs \"column\"");
    if (t.column_index(column.value()) < 0)
      return invalid("column '" + std::string(column.value()) + "' does not exist in the table");
    if (text::iequals(kind, "json")) {
      auto path = item["path"].get_string();
      auto props = item["Properties"]["Path"].get_string();
      auto props_l = item["properties"]["path"].get_string();
      if (path.error() && props.error() && props_l.error())
        return invalid("json mapping elements need \"path\" (or Properties.Path), e.g. \"$.a\"");
    }
  }
  return std::nullopt;
}

Outcome<ResultTable> create_table(Database& db, Reader& r, std::string_view command, bool merge) {
  auto name = r.name();
  if (!name) return command_syntax(command, r.pos(), "a table name");
  auto body = r.parenthesized();
  if (!body) return command_syntax(command, r.pos(), "(Column:type, ...)");
  auto columns = parse_schema(*body);
  if (!columns) return bad_request(".create table " + *name + ": " + columns.error().message);
  auto it = db.tables.find(*name);
  if (it == db.tables.end()) {
    Table t;
    t.name = *name;
    t.columns = std::move(columns.value());
    it = db.tables.emplace(*name, std::move(t)).first;
  } else {
    Table& t = it->second;
    for (const auto& c : *columns) {
      int k = t.column_index(c.name);
      if (k >= 0 && t.columns[static_cast<std::size_t>(k)].type != c.type)
        return bad_request("Table '" + *name + "' already has column '" + c.name + "' of type " +
                           std::string(type_name(t.columns[static_cast<std::size_t>(k)].type)) +
                           "; it cannot become " + std::string(type_name(c.type)));
      if (k < 0 && !merge)
        return bad_request("Table '" + *name + "' already exists with a different schema (" +
                           csl_schema(t) + "); use .create-merge table to add columns");
    }
    if (merge)
      for (const auto& c : *columns)
        if (t.column_index(c.name) < 0) {
          t.columns.push_back(c);
          for (auto& row : t.rows)
            row.push_back(c.type == Type::string ? Value::of_text("") : Value::null());
        }
  }
  return table_schema_result(db, it->second);
}

Outcome<ResultTable> execute(Catalog& catalog, std::string_view database,
                             std::string_view command) {
  Reader r(command);
  if (!r.symbol('.')) return command_syntax(command, 0, "a command starting with '.'");
  if (r.keyword("show")) {
    auto lock = catalog.read_lock();
    if (r.keyword("version")) {
      ResultTable t;
      t.name = "Table_0";
      t.columns = {col("BuildVersion", Type::string), col("BuildTime", Type::datetime),
                   col("ServiceType", Type::string), col("ProductVersion", Type::string)};
      t.rows.push_back({Value::of_text(KONFORM_VERSION),
                        parse_value(Type::datetime, "2026-01-01T00:00:00Z").value(),
                        Value::of_text("Engine"),
                        Value::of_text(std::string("konform_") + KONFORM_VERSION)});
      if (!r.at_end()) return command_syntax(command, r.pos(), "nothing after .show version");
      return t;
    }
    if (r.keyword("databases")) {
      ResultTable t;
      t.name = "Table_0";
      t.columns = {col("DatabaseName", Type::string),
                   col("PersistentStorage", Type::string),
                   col("Version", Type::string),
                   col("IsCurrent", Type::boolean),
                   col("DatabaseAccessMode", Type::string),
                   col("PrettyName", Type::string),
                   col("ReservedSlot1", Type::boolean),
                   col("DatabaseId", Type::guid),
                   col("InTransitionTo", Type::string)};
      for (const Database* db : catalog.databases())
        t.rows.push_back({Value::of_text(db->name), Value::of_text("memory"),
                          Value::of_text("v1.0"), Value::of_int(text::iequals(db->name, database)),
                          Value::of_text("ReadWrite"), Value::of_text(""), Value::null(),
                          Value::null(), Value::of_text("")});
      return t;
    }
    const Database* db = catalog.find_database(database);
    if (!db) return database_not_found(std::string(database));
    if (r.keyword("tables")) {
      ResultTable t;
      t.name = "Table_0";
      t.columns = {col("TableName", Type::string), col("DatabaseName", Type::string),
                   col("Folder", Type::string), col("DocString", Type::string)};
      for (const auto& [name, table] : db->tables)
        t.rows.push_back({Value::of_text(name), Value::of_text(db->name),
                          Value::of_text(table.folder), Value::of_text(table.docstring)});
      return t;
    }
    if (r.keyword("table")) {
      auto name = r.name();
      if (!name) return command_syntax(command, r.pos(), "a table name");
      auto it = db->tables.find(*name);
      if (it == db->tables.end()) return table_not_found(db->name, *name);
      if (r.keyword("schema")) {
        if (!r.keyword("as") || !r.keyword("json"))
          return command_syntax(command, r.pos(), "'schema as json'");
        ResultTable t = table_schema_result(*db, it->second);
        t.rows[0][1] = Value::of_text(json_schema(it->second));
        return t;
      }
      if (r.keyword("ingestion")) {
        std::string kind;
        if (r.keyword("json"))
          kind = "Json";
        else if (r.keyword("csv"))
          kind = "Csv";
        if (!r.keyword("mappings"))
          return command_syntax(command, r.pos(), "'ingestion [json|csv] mappings'");
        return mappings_result(*db, it->second, kind);
      }
      return command_syntax(command, r.pos(), "'schema as json' or 'ingestion mappings'");
    }
    return command_syntax(command, r.pos(),
                          "version, databases, tables, table T schema as json or table T "
                          "ingestion mappings");
  }
  bool create = r.keyword("create");
  bool create_or_alter = !create && r.keyword("create-or-alter");
  bool create_merge = !create && !create_or_alter && r.keyword("create-merge");
  if (create || create_or_alter || create_merge) {
    auto lock = catalog.write_lock();
    Database* db = catalog.find_database(database);
    if (!db) return database_not_found(std::string(database));
    if (!r.keyword("table")) return command_syntax(command, r.pos(), "'table'");
    // .create table T ingestion json mapping "name" '[...]'
    Reader look = r;
    auto name = look.name();
    if (name && look.keyword("ingestion") && !create_merge) {
      std::string kind;
      if (look.keyword("json"))
        kind = "Json";
      else if (look.keyword("csv"))
        kind = "Csv";
      else
        return command_syntax(command, look.pos(),
                              "json or csv (other mapping kinds are not supported)");
      if (!look.keyword("mapping")) return command_syntax(command, look.pos(), "'mapping'");
      auto mapping_name = look.string_literal();
      if (!mapping_name) return command_syntax(command, look.pos(), "the mapping name in quotes");
      auto text = look.string_literal();
      if (!text) return command_syntax(command, look.pos(), "the mapping as a quoted JSON array");
      auto it = db->tables.find(*name);
      if (it == db->tables.end()) return table_not_found(db->name, *name);
      Table& t = it->second;
      if (auto invalid = validate_mapping(t, kind, *text)) return *invalid;
      auto doc = json::Document::parse(*text);
      Mapping m{*mapping_name, kind, json::compact(doc->root()), format_datetime(now_ticks())};
      auto existing = std::find_if(t.mappings.begin(), t.mappings.end(), [&](const Mapping& x) {
        return x.name == m.name && x.kind == m.kind;
      });
      if (existing != t.mappings.end()) {
        if (create)
          return bad_request("Ingestion mapping '" + m.name + "' of kind " + kind +
                                 " already exists on table '" + t.name +
                                 "'; use .create-or-alter to replace it",
                             "BadRequest_EntityAlreadyExists");
        *existing = m;
      } else {
        t.mappings.push_back(m);
      }
      return mappings_result(*db, t, kind, m.name);
    }
    return create_table(*db, r, command, create_merge || create_or_alter);
  }
  if (r.keyword("drop")) {
    auto lock = catalog.write_lock();
    Database* db = catalog.find_database(database);
    if (!db) return database_not_found(std::string(database));
    if (!r.keyword("table")) return command_syntax(command, r.pos(), "'table'");
    auto name = r.name();
    if (!name) return command_syntax(command, r.pos(), "a table name");
    bool if_exists = r.keyword("ifexists");
    auto it = db->tables.find(*name);
    if (it == db->tables.end() && !if_exists) return table_not_found(db->name, *name);
    if (it != db->tables.end()) db->tables.erase(it);
    ResultTable t;
    t.name = "Table_0";
    t.columns = {col("TableName", Type::string), col("DatabaseName", Type::string)};
    for (const auto& [n, table] : db->tables)
      t.rows.push_back({Value::of_text(n), Value::of_text(db->name)});
    return t;
  }
  Failure f = bad_request("Request is invalid and cannot be processed: the command '" +
                          std::string(command.substr(0, 60)) +
                          "' is not supported by konform serve (supported: .show version, .show "
                          "databases, .show tables, .show table T schema as json, .create table, "
                          ".create-merge table, .drop table, .create table T ingestion json|csv "
                          "mapping, .show table T ingestion mappings)");
  f.text = std::string(command);
  return f;
}

// The offset of the first '|' outside quotes, or npos.
std::size_t find_pipe(std::string_view s) {
  char quote = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (quote) {
      if (c == '\\')
        ++k;
      else if (c == quote)
        quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '|') {
      return k;
    }
  }
  return std::string_view::npos;
}

} // namespace

Outcome<CommandResult> run_command(Catalog& catalog, std::string_view database,
                                   std::string_view command) {
  command = text::trim(command);
  std::size_t pipe =
      text::istarts_with(command, ".show") ? find_pipe(command) : std::string_view::npos;
  auto head = pipe == std::string_view::npos ? command : text::trim(command.substr(0, pipe));
  auto result = execute(catalog, database, head);
  if (!result) return result.failure();
  if (pipe == std::string_view::npos) return CommandResult{std::move(result.value()), false};
  auto piped = run_pipeline(std::move(result.value()), command, pipe);
  if (!piped) return piped.failure();
  piped->name = "Table_0";
  return CommandResult{std::move(piped.value()), true};
}

bool is_dm_command(std::string_view command) {
  Reader r(text::trim(command));
  if (!r.symbol('.') || !r.keyword("get")) return false;
  Reader k = r;
  if (k.keyword("ingestion") && k.keyword("resources")) return true;
  return r.keyword("kusto") && r.keyword("identity") && r.keyword("token");
}

Failure wrong_endpoint_error(std::string_view command) {
  bool resources = text::to_lower(command).find("resources") != std::string::npos;
  Failure f;
  f.code = "BadRequest";
  f.type = "Kusto.Common.Svc.Exceptions.AdminCommandWrongEndpointException";
  f.detail =
      std::string(resources ? "Cannot get ingestion resources" : "Cannot get identity token") +
      " from this service endpoint. The appropriate endpoint is most likely the "
      "data-management one (konform serve --dm-listen, or the 'ingest-' host).";
  f.permanent = false;
  return f;
}

} // namespace konform::serve::kusto::engine
