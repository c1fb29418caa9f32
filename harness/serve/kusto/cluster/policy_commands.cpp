#include "serve/kusto/cluster/policy_commands.h"

#include "json/document.h"
#include "json/writer.h"
#include "serve/kusto/cluster/command_reader.h"

namespace konform::serve::kusto::cluster {
namespace {

struct PolicyKind {
  std::string_view keyword;     // in the command: "streamingingestion"
  std::string_view policy_name; // in the result: "StreamingIngestionPolicy"
};

constexpr PolicyKind kinds[] = {{"streamingingestion", "StreamingIngestionPolicy"},
                                {"ingestionbatching", "IngestionBatchingPolicy"},
                                {"retention", "RetentionPolicy"},
                                {"auto_delete", "AutoDeletePolicy"}};

const PolicyKind* read_kind(CommandReader& r) {
  for (const auto& k : kinds)
    if (r.keyword(k.keyword)) return &k;
  return nullptr;
}

Failure syntax(std::string_view command, const CommandReader& r, std::string_view expected) {
  Failure f = syntax_error(std::string(command), 1, static_cast<int>(r.pos()) + 1,
                           std::string(command.substr(r.pos(), 10)));
  f.detail += " (konform serve expected " + std::string(expected) + ")";
  return f;
}

Failure invalid_policy(std::string_view kind, const std::string& why) {
  return bad_request("The " + std::string(kind) + " policy is not valid: " + why,
                     "BadRequest_InvalidPolicy");
}

// A timespan field: "00:00:10" or "1.00:00:00" (the .NET form the service stores).
Result<std::string> timespan_field(simdjson::dom::element v, std::string_view key) {
  auto s = v.get_string();
  std::optional<std::int64_t> ticks;
  if (!s.error()) ticks = parse_timespan(s.value());
  if (!ticks || *ticks < 0)
    return make_error("\"" + std::string(key) +
                      "\" must be a timespan string such as \"00:05:00\"");
  return format_timespan(*ticks);
}

// Validates the policy JSON and returns it in the service's normalised form (every field, in
// the service's order), so that .show prints the same text whichever spelling was sent.
Result<std::string> normalise(const PolicyKind& kind, const std::string& text) {
  auto doc = json::Document::parse(text, "policy");
  if (!doc) return doc.error();
  auto obj = doc->root().get_object();
  if (obj.error()) return make_error("expected a JSON object");
  std::string out;
  json::Writer w(out);
  w.begin_object();
  if (kind.keyword == "streamingingestion") {
    bool enabled = false;
    std::optional<double> rate;
    for (auto [key, v] : obj.value()) {
      if (key == "IsEnabled") {
        if (v.get_bool().error()) return make_error("\"IsEnabled\" must be true or false");
        enabled = v.get_bool().value();
      } else if (key == "HintAllocatedRate") {
        if (v.is_null()) continue;
        if (v.get_double().error()) return make_error("\"HintAllocatedRate\" must be a number");
        rate = v.get_double().value();
      } else {
        return make_error("unknown field \"" + std::string(key) +
                          "\" (expected IsEnabled, HintAllocatedRate)");
      }
    }
    w.field("IsEnabled", enabled).key("HintAllocatedRate");
    rate ? w.number(*rate) : w.null();
  } else if (kind.keyword == "ingestionbatching") {
    std::string span = "00:05:00";
    std::int64_t items = 500, size_mb = 1024;
    for (auto [key, v] : obj.value()) {
      if (key == "MaximumBatchingTimeSpan") {
        auto t = timespan_field(v, key);
        if (!t) return t.error();
        span = *t;
      } else if (key == "MaximumNumberOfItems" || key == "MaximumRawDataSizeMB") {
        auto n = v.get_int64();
        if (n.error() || n.value() < 0)
          return make_error("\"" + std::string(key) + "\" must be a non-negative integer");
        (key == "MaximumNumberOfItems" ? items : size_mb) = n.value();
      } else {
        return make_error("unknown field \"" + std::string(key) +
                          "\" (expected MaximumBatchingTimeSpan, MaximumNumberOfItems, "
                          "MaximumRawDataSizeMB)");
      }
    }
    w.field("MaximumBatchingTimeSpan", span)
        .field("MaximumNumberOfItems", items)
        .field("MaximumRawDataSizeMB", size_mb);
  } else if (kind.keyword == "auto_delete") {
    // The Java SDK suite sets it on its table (ExpiryDate a day ahead, ISO without a zone).
    // Stored and shown; konform does not delete the table when it expires.
    std::optional<std::string> expiry;
    bool if_not_empty = false;
    for (auto [key, v] : obj.value()) {
      if (key == "ExpiryDate") {
        auto str = v.get_string();
        std::optional<Value> when;
        if (!str.error())
          if (auto parsed = parse_value(Type::datetime, str.value()); parsed && !parsed->is_null)
            when = *parsed;
        if (!when) return make_error("\"ExpiryDate\" must be a datetime string");
        expiry = format_datetime(when->i);
      } else if (key == "DeleteIfNotEmpty") {
        if (v.get_bool().error()) return make_error("\"DeleteIfNotEmpty\" must be true or false");
        if_not_empty = v.get_bool().value();
      } else {
        return make_error("unknown field \"" + std::string(key) +
                          "\" (expected ExpiryDate, DeleteIfNotEmpty)");
      }
    }
    if (!expiry) return make_error("\"ExpiryDate\" is required");
    w.field("ExpiryDate", *expiry).field("DeleteIfNotEmpty", if_not_empty);
  } else {
    std::string period = "36500.00:00:00", recoverability = "Enabled";
    for (auto [key, v] : obj.value()) {
      if (key == "SoftDeletePeriod") {
        auto t = timespan_field(v, key);
        if (!t) return t.error();
        period = *t;
      } else if (key == "Recoverability") {
        auto s = v.get_string();
        if (s.error() || (s.value() != "Enabled" && s.value() != "Disabled"))
          return make_error("\"Recoverability\" must be \"Enabled\" or \"Disabled\"");
        recoverability = std::string(s.value());
      } else {
        return make_error("unknown field \"" + std::string(key) +
                          "\" (expected SoftDeletePeriod, Recoverability)");
      }
    }
    w.field("SoftDeletePeriod", period).field("Recoverability", recoverability);
  }
  w.end_object();
  return out;
}

// What the entity named in the command resolves to.
struct Entity {
  Database* db = nullptr;
  Table* table = nullptr; // null: the database itself
};

ResultTable policy_result(const Entity& e, const PolicyKind& kind) {
  ResultTable r;
  r.name = "Table_0";
  r.columns = {{"PolicyName", Type::string},
               {"EntityName", Type::string},
               {"Policy", Type::string},
               {"ChildEntities", Type::string},
               {"EntityType", Type::string}};
  const auto& policies = e.table ? e.table->policies : e.db->policies;
  auto it = policies.find(std::string(kind.keyword));
  // The service shows an unset policy as the text "null".
  Value policy = Value::of_text(it == policies.end() ? "null" : it->second);
  if (e.table) {
    r.rows.push_back({Value::of_text(std::string(kind.policy_name)),
                      Value::of_text("[" + e.db->name + "].[" + e.table->name + "]"), policy,
                      Value::null(), Value::of_text("Table")});
  } else {
    std::string children;
    json::Writer w(children);
    w.begin_array();
    for (const auto& [name, t] : e.db->tables)
      w.string(name);
    w.end_array();
    r.rows.push_back({Value::of_text(std::string(kind.policy_name)),
                      Value::of_text("[" + e.db->name + "]"), policy, Value::of_text(children),
                      Value::of_text("Database")});
  }
  return r;
}

ResultTable node_status() {
  ResultTable r;
  r.name = "Table_0";
  r.columns = {{"NodeId", Type::string}, {"Status", Type::string}};
  r.rows.push_back({Value::of_text("konform"), Value::of_text("Succeeded")});
  return r;
}

// "table T" or "database D" (the context database when D is omitted in ".show database policy").
Result<Entity, Failure> read_entity(Catalog& catalog, std::string_view database, CommandReader& r,
                                    std::string_view command) {
  bool is_table = r.keyword("table");
  if (!is_table && !r.keyword("database")) return not_supported(r.through_next_word(), command);
  CommandReader look = r;
  std::string db_name(database);
  std::optional<std::string> table;
  if (is_table) {
    table = r.name();
    if (!table) return syntax(command, r, "a table name");
  } else if (!look.keyword("policy") && !look.keyword("cache")) {
    auto n = r.name();
    if (!n) return syntax(command, r, "a database name");
    db_name = *n;
  }
  Database* db = catalog.find_database(db_name);
  if (!db) return database_not_found(db_name);
  Entity e{db, nullptr};
  if (table) {
    auto it = db->tables.find(*table);
    if (it == db->tables.end()) return table_not_found(db->name, *table);
    e.table = &it->second;
  }
  return e;
}

Result<ResultTable, Failure> policy_command(Catalog& catalog, std::string_view database,
                                            CommandReader& r, std::string_view command,
                                            std::string_view verb) {
  bool write = verb != "show";
  auto lock_r = write ? std::shared_lock<std::shared_mutex>() : catalog.read_lock();
  auto lock_w = write ? catalog.write_lock() : std::unique_lock<std::shared_mutex>();
  auto entity = read_entity(catalog, database, r, command);
  if (!entity) return entity.error();
  if (!r.keyword("policy")) return not_supported(r.through_next_word(), command);
  const PolicyKind* kind = read_kind(r);
  if (!kind) return not_supported(r.through_next_word(), command);
  auto& policies = entity->table ? entity->table->policies : entity->db->policies;
  if (verb == "alter") {
    std::string text;
    if (kind->keyword == "streamingingestion" && r.keyword("enable"))
      text = R"({"IsEnabled":true})";
    else if (kind->keyword == "streamingingestion" && r.keyword("disable"))
      text = R"({"IsEnabled":false})";
    else if (auto literal = r.string_literals())
      text = *literal;
    else
      return syntax(command, r,
                    kind->keyword == "streamingingestion"
                        ? "enable, disable or the policy as a quoted JSON object"
                        : "the policy as a quoted JSON object, e.g. @'{...}'");
    if (!r.at_end()) return syntax(command, r, "nothing after the policy");
    auto normalised = normalise(*kind, text);
    if (!normalised) return invalid_policy(kind->keyword, normalised.error().message);
    policies[std::string(kind->keyword)] = std::move(normalised.value());
  } else {
    if (!r.at_end()) return syntax(command, r, "nothing after the policy kind");
    if (verb == "delete") policies.erase(std::string(kind->keyword));
  }
  return policy_result(*entity, *kind);
}

// .clear database cache streamingingestion schema | .clear table T cache streamingingestion schema
Result<ResultTable, Failure> clear_command(Catalog& catalog, std::string_view database,
                                           CommandReader& r, std::string_view command) {
  auto lock = catalog.read_lock();
  auto entity = read_entity(catalog, database, r, command);
  if (!entity) return entity.error();
  if (!r.keyword("cache")) return not_supported(r.through_next_word(), command);
  if (!r.keyword("streamingingestion")) return not_supported(r.through_next_word(), command);
  if (!r.keyword("schema")) return syntax(command, r, "'schema'");
  if (!r.at_end()) return syntax(command, r, "nothing after 'schema'");
  return node_status();
}

// .refresh database 'D' [table 'T'] cache ingestionbatchingpolicy (a data-management command:
// the DM role shares the catalog, so the names are checked).
Result<ResultTable, Failure> refresh_command(Catalog& catalog, CommandReader& r,
                                             std::string_view command) {
  if (!r.keyword("database")) return not_supported(r.through_next_word(), command);
  auto db_name = r.name();
  if (!db_name) return syntax(command, r, "a database name");
  auto lock = catalog.read_lock();
  Database* db = catalog.find_database(*db_name);
  if (!db) return database_not_found(*db_name);
  if (r.keyword("table")) {
    auto table = r.name();
    if (!table) return syntax(command, r, "a table name");
    if (!db->tables.count(*table)) return table_not_found(db->name, *table);
  }
  if (!r.keyword("cache")) return syntax(command, r, "'cache'");
  if (!r.keyword("ingestionbatchingpolicy")) return not_supported(r.through_next_word(), command);
  if (!r.at_end()) return syntax(command, r, "nothing after 'ingestionbatchingpolicy'");
  return node_status();
}

} // namespace

std::optional<Result<ResultTable, Failure>>
run_policy_command(Catalog& catalog, std::string_view database, std::string_view command) {
  CommandReader r(command);
  if (!r.symbol('.')) return std::nullopt;
  for (std::string_view verb : {"alter", "delete", "show"}) {
    CommandReader look = r;
    if (!look.keyword(verb)) continue;
    // Only ".VERB table|database NAME policy ..." belongs here (".show table T schema" does not).
    CommandReader probe = look;
    bool entity = probe.keyword("table") || probe.keyword("database");
    if (!entity) return std::nullopt;
    if (!probe.keyword("policy")) {
      if (!probe.name() || !probe.keyword("policy")) return std::nullopt;
    }
    return policy_command(catalog, database, look, command, verb);
  }
  CommandReader look = r;
  if (look.keyword("clear")) {
    CommandReader probe = look;
    bool entity = probe.keyword("table") || probe.keyword("database");
    if (!entity) return std::nullopt;
    if (!probe.keyword("cache") && (!probe.name() || !probe.keyword("cache"))) return std::nullopt;
    return clear_command(catalog, database, look, command);
  }
  look = r;
  if (look.keyword("refresh")) return refresh_command(catalog, look, command);
  return std::nullopt;
}

} // namespace konform::serve::kusto::cluster
