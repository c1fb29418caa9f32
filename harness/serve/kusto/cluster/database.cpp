#include "serve/kusto/cluster/database.h"

#include "core/file.h"
#include "core/text.h"
#include "serve/kusto/cluster/delimited.h"

#include <algorithm>
#include <filesystem>

namespace konform::serve::kusto::cluster {

int Table::column_index(std::string_view column) const {
  for (std::size_t k = 0; k < columns.size(); ++k)
    if (columns[k].name == column) return static_cast<int>(k);
  return -1;
}

const Database* Catalog::find_database(std::string_view name) const {
  auto it = databases_.find(text::to_lower(name));
  return it == databases_.end() ? nullptr : &it->second;
}

Database* Catalog::find_database(std::string_view name) {
  auto it = databases_.find(text::to_lower(name));
  return it == databases_.end() ? nullptr : &it->second;
}

Database& Catalog::add_database(const std::string& name) {
  auto& db = databases_[text::to_lower(name)];
  if (db.name.empty()) db.name = name;
  return db;
}

std::vector<const Database*> Catalog::databases() const {
  std::vector<const Database*> out;
  for (const auto& [key, db] : databases_)
    out.push_back(&db);
  return out;
}

Result<std::vector<Column>> parse_schema(std::string_view text) {
  std::vector<Column> columns;
  for (auto part : text::split(text, ',')) {
    auto item = text::trim(part);
    auto colon = item.find(':');
    if (colon == std::string_view::npos)
      return make_error("'" + std::string(item) + "' is not Name:type (for example Id:long)");
    auto name = text::trim(item.substr(0, colon));
    // ['Column Name'] brackets are allowed around names with spaces.
    if (name.size() >= 4 && name.substr(0, 2) == "['" && name.substr(name.size() - 2) == "']")
      name = name.substr(2, name.size() - 4);
    auto type = parse_type(text::trim(item.substr(colon + 1)));
    if (name.empty()) return make_error("'" + std::string(item) + "': the column name is empty");
    if (!type)
      return make_error("'" + std::string(item) +
                        "': unknown type (use bool, int, long, real, decimal, string, datetime, "
                        "timespan, guid or dynamic)");
    for (const auto& c : columns)
      if (c.name == name) return make_error("column '" + std::string(name) + "' appears twice");
    columns.push_back({std::string(name), *type});
  }
  if (columns.empty())
    return make_error("the schema has no columns (write Name:type, Name:type, ...)");
  return columns;
}

namespace {

// Appends the records of a CSV text to a table; errors name origin:line:column.
Status append_csv(Table& table, std::string_view csv, const std::string& origin) {
  auto records = parse_delimited(csv, ',');
  if (!records) return make_error(origin + ":" + records.error().message);
  std::vector<Row> rows;
  for (const auto& rec : *records) {
    if (rec.fields.size() != table.columns.size())
      return make_error(origin + ":" + std::to_string(rec.line) + ":1: the record has " +
                        std::to_string(rec.fields.size()) + " fields but table '" + table.name +
                        "' has " + std::to_string(table.columns.size()) + " columns");
    Row row;
    for (std::size_t k = 0; k < rec.fields.size(); ++k) {
      auto v = parse_value(table.columns[k].type, rec.fields[k]);
      if (!v)
        return make_error(origin + ":" + std::to_string(rec.line) + ": field " +
                          std::to_string(k + 1) + " (column '" + table.columns[k].name +
                          "'): " + v.error().message);
      row.push_back(std::move(v.value()));
    }
    rows.push_back(std::move(row));
  }
  for (auto& r : rows)
    table.rows.push_back(std::move(r));
  return Ok{};
}

constexpr std::string_view storm_schema =
    "StartTime:datetime, EndTime:datetime, EpisodeId:int, EventId:long, State:string, "
    "EventType:string, InjuriesDirect:int, DamageProperty:long, BeginLat:real, "
    "DamageCost:decimal, Duration:timespan, Verified:bool, ReportId:guid, Details:dynamic";

// 20 rows covering every type, with nulls, an empty string, extreme values and JSON objects.
constexpr std::string_view storm_rows =
    R"(2007-01-01T00:00:00Z,2007-01-01T05:00:00Z,1,100001,FLORIDA,Tornado,0,5000,28.0382,5000.50,05:00:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e01,"{""Source"":""Trained Spotter"",""Tags"":[""wind"",""roof""]}"
2007-01-02T10:30:00Z,2007-01-02T11:00:00Z,2,100002,GEORGIA,Thunderstorm Wind,2,12000,33.7490,12000.00,00:30:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e02,"{""Source"":""Public""}"
2007-01-03T14:05:01.3109965Z,2007-01-03T15:05:01.3109965Z,3,100003,TEXAS,Hail,0,0,31.9686,0,01:00:00,false,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e03,"[1,2,3]"
2007-01-04T08:00:00.1Z,2007-01-04T08:00:00.2Z,4,100004,KANSAS,Tornado,5,250000,39.0119,250000.75,00:00:00.1000000,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e04,"{""Source"":""Law Enforcement"",""Injured"":5}"
2007-01-05T23:59:59Z,2007-01-06T00:00:01Z,5,100005,OKLAHOMA,Flood,0,1000000,35.0078,1000000,00:00:02,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e05,"{""Source"":""Emergency Manager""}"
2007-02-01T12:00:00Z,2007-02-03T12:00:00Z,6,100006,NEBRASKA,Winter Storm,0,0,41.4925,0,2.00:00:00,false,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e06,null
2007-02-10T06:15:00Z,2007-02-10T06:45:00Z,7,100007,IOWA,Thunderstorm Wind,1,3000,41.8780,3000.25,00:30:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e07,"{""Source"":""Trained Spotter""}"
2007-03-15T18:20:00Z,2007-03-15T18:21:00Z,8,100008,MISSOURI,Tornado,12,9223372036854775807,38.5739,99999999999.99,00:01:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e08,"{""Source"":""Storm Chaser"",""Rating"":""EF3""}"
2007-03-20T09:00:00Z,2007-03-20T10:00:00Z,9,100009,FLORIDA,Heavy Rain,0,0,27.6648,0,01:00:00,false,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e09,"{}"
2007-04-01T00:00:00Z,2007-04-01T00:00:00Z,10,100010,CALIFORNIA,Wildfire,3,7500000,36.7783,7500000.10,00:00:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e10,"{""Acres"":12000}"
2007-04-12T16:45:30.5Z,2007-04-12T17:45:30.5Z,11,100011,TEXAS,Tornado,0,80000,30.2672,80000,01:00:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e11,"{""Source"":""Public""}"
2007-05-05T05:05:05Z,2007-05-05T06:05:05Z,12,100012,ALABAMA,Hail,0,1500,32.3182,1500.00,01:00:00,false,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e12,"{""Size"":1.75}"
2007-06-01T13:00:00Z,,13,100013,COLORADO,Lightning,1,,39.5501,,,,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e13,
2007-06-15T20:00:00Z,2007-06-16T08:00:00Z,14,100014,LOUISIANA,Flood,0,2000000,30.9843,2000000.00,12:00:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e14,"{""Source"":""River Gauge""}"
2007-07-04T21:30:00Z,2007-07-04T21:40:00Z,15,100015,GEORGIA,Thunderstorm Wind,0,-1,32.1656,-0.01,00:10:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e15,"{""Note"":""negative test values""}"
2007-08-08T08:08:08.0000001Z,2007-08-08T08:08:08.0000002Z,16,100016,NORTH CAROLINA,Hurricane (Typhoon),7,45000000,35.7596,45000000.00,00:00:00.0000001,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e16,"{""Name"":""Storm, \""quoted\"""" }"
2007-09-09T09:09:09Z,2007-09-10T10:10:10Z,17,100017,,Dense Fog,0,0,0,0,1.01:01:01,false,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e17,"""just a string"""
2007-10-31T23:00:00Z,2007-11-01T01:00:00Z,18,100018,OHIO,High Wind,2,25000,40.4173,25000.00,02:00:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e18,"{""Gust"":65}"
2007-11-11T11:11:11Z,2007-11-11T11:41:11Z,19,100019,TEXAS,Flash Flood,0,600000,29.7604,600000.00,00:30:00,true,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e19,"{""Source"":""Broadcast Media""}"
2007-12-31T23:59:59.9999999Z,2008-01-01T00:00:00Z,20,100020,ALASKA,Blizzard,0,10000,64.2008,10000.00,00:00:00.0000001,false,2b7e1c2e-8c3a-4b7f-9d1e-0a1b2c3d4e20,"{""Source"":""COOP Observer"",""Temperature"":-40.5}"
)";

constexpr std::string_view states_schema = "State:string, Abbreviation:string, Population:long";
constexpr std::string_view states_rows = R"(FLORIDA,FL,21538187
GEORGIA,GA,10711908
TEXAS,TX,29145505
KANSAS,KS,2937880
OKLAHOMA,OK,3959353
CALIFORNIA,CA,39538223
)";

void add_table(Database& db, const std::string& name, std::string_view schema,
               std::string_view rows, std::string_view docstring) {
  Table t;
  t.name = name;
  t.docstring = std::string(docstring);
  t.columns = parse_schema(schema).value();
  // The bundled text is part of the build and covered by tests: it cannot fail here.
  (void)append_csv(t, rows, "bundled " + name);
  db.tables.emplace(name, std::move(t));
}

} // namespace

void load_sample(Catalog& catalog) {
  auto lock = catalog.write_lock();
  auto& samples = catalog.add_database("Samples");
  add_table(samples, "StormEvents", storm_schema, storm_rows,
            "Storm events: one column of every scalar type");
  add_table(samples, "States", states_schema, states_rows, "US states");
  catalog.add_database("NetDefaultDB");
}

Status load_folder(Catalog& catalog, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error("--data " + dir +
                      ": not a folder (expected <dir>/<Database>/<Table>.schema and .csv files)");
  std::string errors;
  auto lock = catalog.write_lock();
  std::vector<fs::path> db_dirs;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory()) db_dirs.push_back(entry.path());
  std::sort(db_dirs.begin(), db_dirs.end());
  for (const auto& db_dir : db_dirs) {
    auto& db = catalog.add_database(db_dir.filename().string());
    std::vector<fs::path> schemas;
    for (const auto& entry : fs::directory_iterator(db_dir, ec))
      if (entry.path().extension() == ".schema") schemas.push_back(entry.path());
    std::sort(schemas.begin(), schemas.end());
    for (const auto& schema_path : schemas) {
      auto schema_text = file::read(schema_path.string());
      if (!schema_text) {
        errors += schema_text.error().message + "\n";
        continue;
      }
      auto columns = parse_schema(text::trim(*schema_text));
      if (!columns) {
        errors += schema_path.string() + ":1:1: " + columns.error().message + "\n";
        continue;
      }
      Table t;
      t.name = schema_path.stem().string();
      t.columns = std::move(columns.value());
      auto csv_path = schema_path;
      csv_path.replace_extension(".csv");
      if (fs::exists(csv_path, ec)) {
        auto csv = file::read(csv_path.string());
        if (!csv) {
          errors += csv.error().message + "\n";
          continue;
        }
        auto added = append_csv(t, *csv, csv_path.string());
        if (!added) {
          errors += added.error().message + "\n";
          continue;
        }
      }
      db.tables.insert_or_assign(t.name, std::move(t));
    }
  }
  if (!errors.empty()) {
    errors.pop_back();
    return make_error(errors, ErrorKind::data);
  }
  return Ok{};
}

} // namespace konform::serve::kusto::cluster
