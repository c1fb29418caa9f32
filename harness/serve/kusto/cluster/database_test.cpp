#include "core/file.h"
#include "serve/kusto/cluster/database.h"
#include "serve/kusto/cluster/kql.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

namespace konform::serve::kusto::cluster {
namespace {

namespace fs = std::filesystem;

TEST(KustoData, SampleCoversEveryScalarType) {
  Catalog c;
  load_sample(c);
  auto lock = c.read_lock();
  const Database* db = c.find_database("samples"); // database names are case-insensitive
  ASSERT_NE(db, nullptr);
  const Table& storm = db->tables.at("StormEvents");
  EXPECT_EQ(storm.rows.size(), 20u);
  std::set<Type> types;
  for (const auto& col : storm.columns)
    types.insert(col.type);
  EXPECT_EQ(types.size(), 10u);
  EXPECT_NE(c.find_database("NetDefaultDB"), nullptr);
}

TEST(KustoData, LoadsDatabasesFromSchemaAndCsvFiles) {
  test_support::ScratchDir dir("konform-kusto-data");
  fs::create_directories(fs::path(dir.path()) / "Shop");
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Shop" / "Orders.schema").string(),
                          "Id:long, Item:string, At:datetime\n")
                  .ok());
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Shop" / "Orders.csv").string(),
                          "1,apple,2024-01-01\n2,\"pear, green\",\n")
                  .ok());
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Shop" / "Empty.schema").string(), "A:int").ok());
  Catalog c;
  ASSERT_TRUE(load_folder(c, dir.path()).ok());
  auto r = run_query(c, "Shop", "Orders | where Item has 'green'");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_TRUE(r->rows[0][2].is_null);
  auto e = run_query(c, "Shop", "Empty | count");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->rows[0][0].i, 0);
}

TEST(KustoData, BadFilesAreNamedWithLineAndTheRestStillLoads) {
  test_support::ScratchDir dir("konform-kusto-data");
  fs::create_directories(fs::path(dir.path()) / "Db");
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Db" / "Bad.schema").string(), "A:long").ok());
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Db" / "Bad.csv").string(), "1\nx\n").ok());
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Db" / "Typo.schema").string(), "A:lnog").ok());
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Db" / "Good.schema").string(), "A:long").ok());
  ASSERT_TRUE(file::write((fs::path(dir.path()) / "Db" / "Good.csv").string(), "7\n").ok());
  Catalog c;
  auto loaded = load_folder(c, dir.path());
  ASSERT_FALSE(loaded.ok());
  const auto& msg = loaded.error().message;
  EXPECT_NE(msg.find("Bad.csv:2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Typo.schema:1:1"), std::string::npos) << msg;
  auto good = run_query(c, "Db", "Good | count");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->rows[0][0].i, 1);
  EXPECT_FALSE(load_folder(c, (fs::path(dir.path()) / "missing").string()).ok());
}

} // namespace
} // namespace konform::serve::kusto::cluster
