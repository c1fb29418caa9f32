#include "serve/kusto/cluster/commands.h"

#include "core/ids.h"
#include "core/text.h"
#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/cluster/command_reader.h"
#include "serve/kusto/cluster/ingest.h"
#include "serve/kusto/cluster/kql.h"
#include "serve/kusto/cluster/policy_commands.h"

#include <algorithm>

namespace konform::serve::kusto::cluster {
namespace {

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

// The database's tables as `.show tables` lists them. `.drop table(s)` answers the same table
// with the tables that remain: recorded from a real cluster (shared corpus,
// Azure__azure-kusto-rust data_create_query_delete_table, `.drop table T | where ...`).
ResultTable tables_result(const Database& db) {
  ResultTable t;
  t.name = "Table_0";
  t.columns = {col("TableName", Type::string), col("DatabaseName", Type::string),
               col("Folder", Type::string), col("DocString", Type::string)};
  for (const auto& [name, table] : db.tables)
    t.rows.push_back({Value::of_text(name), Value::of_text(db.name), Value::of_text(table.folder),
                      Value::of_text(table.docstring)});
  return t;
}

Failure command_syntax(std::string_view command, std::size_t pos, std::string_view expected) {
  Failure f = syntax_error(std::string(command), 1, static_cast<int>(pos) + 1,
                           std::string(command.substr(pos, 10)));
  f.detail += " (konform serve expected " + std::string(expected) + ")";
  return f;
}

// The service's JSON reader accepts a comma before ']' or '}' (the Python SDK suite's mapping
// ends with one); simdjson does not, so such commas are dropped first (outside strings).
std::string without_trailing_commas(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_string = false;
  for (std::size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (in_string) {
      out += c;
      if (c == '\\' && k + 1 < s.size())
        out += s[++k];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ',') {
      auto next = s.find_first_not_of(" \t\r\n", k + 1);
      if (next != std::string_view::npos && (s[next] == ']' || s[next] == '}')) continue;
    }
    out += c;
  }
  return out;
}

// Validates an ingestion mapping: a JSON array of {"column": ..., "Properties"/"path"/"Ordinal"}.
Result<Ok, Failure> validate_mapping(const Table& t, std::string_view kind,
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
  return Ok{};
}

Result<ResultTable, Failure> create_table(Database& db, CommandReader& r, std::string_view command,
                                          bool merge) {
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

// The first words of Kusto's management commands. A command starting with one of these that
// konform does not implement is "not supported", never a syntax error; any other word is one.
constexpr std::string_view kusto_verbs[] = {
    "add",           "alter",           "alter-merge",
    "append",        "attach",          "cancel",
    "clean",         "clear",           "create",
    "create-merge",  "create-or-alter", "create-request-support",
    "delete",        "detach",          "disable",
    "drop",          "drop-pretend",    "dup-next-ingest",
    "enable",        "execute",         "export",
    "get",           "ingest",          "merge",
    "move",          "purge",           "rename",
    "refresh",       "replace",         "set",
    "set-or-append", "set-or-replace",  "show",
    "undo"};

Result<ResultTable, Failure> drop_tables(Database& db, CommandReader& r, std::string_view command) {
  auto body = r.parenthesized();
  if (!body) return command_syntax(command, r.pos(), "(Table1, Table2, ...)");
  std::vector<std::string> names;
  for (auto part : text::split(*body, ',')) {
    CommandReader one(part);
    auto name = one.name();
    if (!name || !one.at_end()) return command_syntax(command, r.pos(), "a list of table names");
    names.push_back(*name);
  }
  bool if_exists = r.keyword("ifexists");
  if (!r.at_end()) return command_syntax(command, r.pos(), "nothing after the table list");
  // All or nothing, as in the service: one missing table (without ifexists) drops none.
  if (!if_exists)
    for (const auto& n : names)
      if (!db.tables.count(n)) return table_not_found(db.name, n);
  for (const auto& n : names)
    db.tables.erase(n);
  return tables_result(db);
}

// `.show database D principals` (the Java SDK suite's testShowPrincipals), in the service's
// columns. konform has no identities: whoever presents the --token (or anyone, without one) is
// the database's admin, and that is the one row it can truthfully list.
ResultTable principals_result(const Database& db) {
  ResultTable t;
  t.name = "Table_0";
  t.columns = {col("Role", Type::string),
               col("PrincipalType", Type::string),
               col("PrincipalDisplayName", Type::string),
               col("PrincipalObjectId", Type::string),
               col("PrincipalFQN", Type::string),
               col("Notes", Type::string)};
  t.rows.push_back({Value::of_text("Database " + db.name + " Admin"), Value::of_text("konform"),
                    Value::of_text("konform serve caller"), Value::of_text(""),
                    Value::of_text("konform=token"),
                    Value::of_text("konform serve has no identities: every caller that passes "
                                   "the --token check (or any caller without --token) is admin")});
  return t;
}

// `.ingest inline into table T [with (format=..., ignoreFirstRecord=..., ...)] <| data` (the Go
// SDK suite fills its tables with it): really ingested, as streaming ingestion would. The data
// starts after `<|` and the blank that follows it; its text keeps every other byte.
Result<ResultTable, Failure> ingest_inline(Catalog& catalog, std::string_view database,
                                           std::string_view command) {
  CommandReader r(command);
  r.symbol('.');
  r.keyword("ingest");
  r.keyword("inline");
  if (!r.keyword("into") || !r.keyword("table"))
    return command_syntax(command, r.pos(), "'into table T'");
  auto name = r.name();
  if (!name) return command_syntax(command, r.pos(), "a table name");
  IngestSpec spec{std::string(database), *name, "csv", "", "", false};
  if (r.keyword("with")) {
    auto props = r.parenthesized();
    if (!props) return command_syntax(command, r.pos(), "with (name=value, ...)");
    for (auto part : text::split(*props, ',')) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        return command_syntax(command, r.pos(), "ingestion properties as name=value");
      auto key = text::trim(part.substr(0, eq));
      CommandReader v(text::trim(part.substr(eq + 1)));
      auto quoted = v.string_literal();
      std::string value = quoted ? *quoted : std::string(text::trim(part.substr(eq + 1)));
      if (text::iequals(key, "format"))
        spec.format = value;
      else if (text::iequals(key, "ingestionMappingReference"))
        spec.mapping_name = value;
      else if (text::iequals(key, "ignoreFirstRecord")) {
        if (!text::iequals(value, "true") && !text::iequals(value, "false"))
          return bad_request(".ingest inline: ignoreFirstRecord must be true or false, not '" +
                             value + "'");
        spec.ignore_first_record = text::iequals(value, "true");
      } else
        return not_supported(".ingest inline with (" + std::string(key) + "=...)", command);
    }
  }
  r.space();
  auto at = r.pos();
  if (command.substr(at, 2) != "<|")
    return not_supported(".ingest inline without '<|' (the [data] form)", command);
  auto data = command.substr(at + 2);
  while (!data.empty() && (data.front() == ' ' || data.front() == '\t'))
    data.remove_prefix(1);
  if (!data.empty() && data.front() == '\r') data.remove_prefix(1);
  if (!data.empty() && data.front() == '\n') data.remove_prefix(1);
  auto started = now_ticks();
  auto count = ingest(catalog, spec, data);
  if (!count) return count.error();
  // The service's `.ingest` result (one row per extent; konform keeps one per command).
  ResultTable t;
  t.name = "Table_0";
  t.columns = {col("ExtentId", Type::guid), col("ItemLoaded", Type::string),
               col("Duration", Type::timespan), col("HasErrors", Type::boolean),
               col("OperationId", Type::guid)};
  Value duration = Value::of_int(now_ticks() - started);
  t.rows.push_back({parse_value(Type::guid, ids::uuid4()).value(), Value::of_text("inline"),
                    duration, Value::of_int(0), parse_value(Type::guid, ids::uuid4()).value()});
  return t;
}

Result<ResultTable, Failure> execute(Catalog& catalog, std::string_view database,
                                     std::string_view command) {
  if (auto policy = run_policy_command(catalog, database, command)) return std::move(*policy);
  CommandReader r(command);
  if (!r.symbol('.')) return command_syntax(command, 0, "a command starting with '.'");
  {
    CommandReader look = r;
    if (look.keyword("ingest") && look.keyword("inline"))
      return ingest_inline(catalog, database, command);
  }
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
      if (!r.at_end()) return not_supported(r.through_next_word(), command);
      return tables_result(*db);
    }
    if (r.keyword("database")) {
      auto name = r.name();
      if (!name) return command_syntax(command, r.pos(), "a database name");
      if (!text::iequals(*name, db->name)) return database_not_found(*name);
      if (r.keyword("principals") && r.at_end()) return principals_result(*db);
      return not_supported(r.through_next_word(), command);
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
        if (!r.keyword("mappings")) return not_supported(r.through_next_word(), command);
        return mappings_result(*db, it->second, kind);
      }
      return not_supported(r.through_next_word(), command);
    }
    if (r.at_end()) return command_syntax(command, r.pos(), "what to show, e.g. '.show tables'");
    return not_supported(r.through_next_word(), command);
  }
  bool create = r.keyword("create");
  bool create_or_alter = !create && r.keyword("create-or-alter");
  bool create_merge = !create && !create_or_alter && r.keyword("create-merge");
  if (create || create_or_alter || create_merge) {
    auto lock = catalog.write_lock();
    Database* db = catalog.find_database(database);
    if (!db) return database_not_found(std::string(database));
    if (!r.keyword("table")) return not_supported(r.through_next_word(), command);
    // .create table T ingestion json mapping "name" '[...]'
    CommandReader look = r;
    auto name = look.name();
    if (name && look.keyword("ingestion") && !create_merge) {
      std::string kind;
      if (look.keyword("json"))
        kind = "Json";
      else if (look.keyword("csv"))
        kind = "Csv";
      else
        return not_supported(look.through_next_word(), command);
      if (!look.keyword("mapping")) return command_syntax(command, look.pos(), "'mapping'");
      auto mapping_name = look.string_literal();
      if (!mapping_name) return command_syntax(command, look.pos(), "the mapping name in quotes");
      auto text = look.string_literals();
      if (!text) return command_syntax(command, look.pos(), "the mapping as a quoted JSON array");
      auto it = db->tables.find(*name);
      if (it == db->tables.end()) return table_not_found(db->name, *name);
      Table& t = it->second;
      *text = without_trailing_commas(*text);
      if (auto valid = validate_mapping(t, kind, *text); !valid) return valid.error();
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
    if (r.keyword("tables")) return drop_tables(*db, r, command);
    if (!r.keyword("table")) return not_supported(r.through_next_word(), command);
    auto name = r.name();
    if (!name) return command_syntax(command, r.pos(), "a table name");
    bool if_exists = r.keyword("ifexists");
    // skip-seal (the Java SDK suite's cleanup) only changes how the service writes its
    // metadata; the table is dropped either way.
    r.keyword("skip-seal");
    if (!r.at_end()) return command_syntax(command, r.pos(), "nothing after the table name");
    auto it = db->tables.find(*name);
    if (it == db->tables.end() && !if_exists) return table_not_found(db->name, *name);
    if (it != db->tables.end()) db->tables.erase(it);
    return tables_result(*db);
  }
  for (auto verb : kusto_verbs) {
    CommandReader look = r;
    if (look.keyword(verb)) return not_supported(look.through_next_word(), command);
  }
  return command_syntax(command, r.pos(), "a management command such as .show tables");
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

Result<CommandResult, Failure> run_command(Catalog& catalog, std::string_view database,
                                           std::string_view command) {
  command = text::trim(command);
  // `.show ... | op` and `.drop table T | op` (recorded from a real cluster) pipe their result
  // into query operators; other commands carry '|' in their own syntax (`<|`).
  bool pipes = text::istarts_with(command, ".show") || text::istarts_with(command, ".drop");
  std::size_t pipe = pipes ? find_pipe(command) : std::string_view::npos;
  auto head = pipe == std::string_view::npos ? command : text::trim(command.substr(0, pipe));
  auto result = execute(catalog, database, head);
  if (!result) return result.error();
  if (pipe == std::string_view::npos) return CommandResult{std::move(result.value()), false};
  auto piped = run_pipeline(std::move(result.value()), command, pipe);
  if (!piped) return piped.error();
  piped->name = "Table_0";
  return CommandResult{std::move(piped.value()), true};
}

bool is_dm_command(std::string_view command) {
  CommandReader r(text::trim(command));
  if (!r.symbol('.') || !r.keyword("get")) return false;
  CommandReader k = r;
  if (k.keyword("ingestion") && k.keyword("resources")) return true;
  return r.keyword("kusto") && r.keyword("identity") && r.keyword("token");
}

bool is_show_export_containers(std::string_view command) {
  CommandReader r(text::trim(command));
  return r.symbol('.') && r.keyword("show") && r.keyword("export") && r.keyword("containers") &&
         r.at_end();
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

} // namespace konform::serve::kusto::cluster
