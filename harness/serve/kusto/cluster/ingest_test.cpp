#include "serve/kusto/cluster/commands.h"
#include "serve/kusto/cluster/ingest.h"
#include "serve/kusto/cluster/kql.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto::cluster {
namespace {

class IngestTest : public ::testing::Test {
protected:
  void SetUp() override {
    load_sample(catalog);
    ASSERT_TRUE(
        run_command(catalog, "Samples", ".create table T (s:string, n:long, d:datetime, x:dynamic)")
            .ok());
  }
  std::int64_t count() {
    auto r = run_query(catalog, "Samples", "T | count");
    return r.ok() ? r->rows[0][0].i : -1;
  }
  Result<std::size_t, Failure> ingest_as(std::string format, std::string_view data,
                                         std::string mapping = {}) {
    IngestSpec spec{"Samples", "T", std::move(format), std::move(mapping), {}, false};
    return ingest(catalog, spec, data);
  }
  Catalog catalog;
};

TEST_F(IngestTest, DelimitedFormatsUseTheirSeparators) {
  EXPECT_EQ(*ingest_as("csv", "a,1,2020-01-01,{}\n\"b,c\",2,,\n"), 2u);
  EXPECT_EQ(*ingest_as("TSV", "a\t3\t\t\n"), 1u);
  EXPECT_EQ(*ingest_as("scsv", "a;4;;\n"), 1u);
  EXPECT_EQ(*ingest_as("sohsv", "a\x01"
                                "5\x01\x01\n"),
            1u);
  EXPECT_EQ(*ingest_as("psv", "a|6||\n"), 1u);
  EXPECT_EQ(count(), 6);
  auto r = run_query(catalog, "Samples", "T | where s == 'b,c'");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_TRUE(r->rows[0][2].is_null);
}

TEST_F(IngestTest, MalformedRecordIngestsNothing) {
  auto r = ingest_as("csv", "a,1,,\nb,notanumber,,\nc,3,,\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_NE(r.error().detail.find("line 2"), std::string::npos) << r.error().detail;
  EXPECT_NE(r.error().detail.find("'n'"), std::string::npos);
  EXPECT_EQ(count(), 0);
  EXPECT_FALSE(ingest_as("csv", "a,1,,,extra\n").ok());
  EXPECT_FALSE(ingest_as("csv", "\"open,1,,\n").ok());
  EXPECT_EQ(count(), 0);
}

TEST_F(IngestTest, JsonFormatsNeedAMappingAndFollowPaths) {
  auto none = ingest_as("json", R"({"a":"x"})");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "BadRequest_MappingReferenceWasNotFound");
  auto missing = ingest_as("json", R"({"a":"x"})", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().detail.find("Mapping reference 'nope'"), std::string::npos);
  ASSERT_TRUE(
      run_command(
          catalog, "Samples",
          R"(.create table T ingestion json mapping "m" '[{"column":"s","path":"$.a"},{"column":"n","Properties":{"Path":"$.b.c"}},{"column":"x","path":"$.arr[1]"}]')")
          .ok());
  EXPECT_EQ(*ingest_as("json",
                       "{\"a\":\"x\",\"b\":{\"c\":1}}\n{\"a\":\"y\",\"b\":{\"c\":\"2\"},\"arr\":[0,"
                       "{\"k\":1}]}\n",
                       "m"),
            2u);
  EXPECT_EQ(*ingest_as("multijson", R"([{"a":"z"},{"a":"w"}] {"a":"v"})", "m"), 3u);
  EXPECT_EQ(*ingest_as("singlejson", R"({"a":"u"})", "m"), 1u);
  EXPECT_FALSE(ingest_as("singlejson", R"({"a":"u"}{"a":"t"})", "m").ok());
  auto bad = ingest_as("json", "{\"a\":\"ok\"}\n{\"a\": }\n", "m");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().detail.find("2:"), std::string::npos) << bad.error().detail;
  EXPECT_EQ(count(), 6);
  auto r = run_query(catalog, "Samples", "T | where s == 'y'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0][1].i, 2);
  EXPECT_EQ(r->rows[0][3].s, R"({"k":1})");
}

TEST_F(IngestTest, UnsupportedFormatsAndUnknownTargetsAreClear400s) {
  auto avro = ingest_as("avro", "Obj\x01");
  ASSERT_FALSE(avro.ok());
  EXPECT_EQ(avro.error().code, "BadRequest_FormatNotSupported");
  EXPECT_NE(avro.error().detail.find("not supported"), std::string::npos);
  EXPECT_FALSE(ingest_as("xml", "<a/>").ok());
  IngestSpec spec{"Samples", "Nope", "csv", {}, {}, false};
  auto t = ingest(catalog, spec, "a\n");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "BadRequest_TableNotExist");
}

} // namespace
} // namespace konform::serve::kusto::cluster
