#include "serve/kusto/cluster/kql.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto::cluster {
namespace {

class KqlTest : public ::testing::Test {
protected:
  void SetUp() override { load_sample(catalog); }
  Result<ResultTable, Failure> run(std::string_view q, const QueryParameters& p = {}) {
    return run_query(catalog, "Samples", q, p);
  }
  Catalog catalog;
};

// The lexer reads the whole text first: a query of millions of "(" held ~150 bytes each.
TEST_F(KqlTest, TooManyTokensIsABadRequestNamingTheLimit) {
  std::string q = "print ";
  q.append(max_query_tokens + 10, '(');
  auto r = run(q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_NE(r.error().detail.find("more than " + std::to_string(max_query_tokens) + " tokens"),
            std::string::npos)
      << r.error().detail;
  std::string deep = "print ";
  deep.append(100000, '(');
  EXPECT_FALSE(run(deep + "1" + std::string(100000, ')')).ok()) << "100k-deep nesting";
}

TEST_F(KqlTest, TakeLimitAndCount) {
  auto r = run("StormEvents | take 3");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->columns.size(), 14u);
  auto c = run("StormEvents | count");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->columns.size(), 1u);
  EXPECT_EQ(c->columns[0].name, "Count");
  EXPECT_EQ(c->rows[0][0].i, 20);
  auto l = run("StormEvents | limit 100 | count");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->rows[0][0].i, 20);
}

TEST_F(KqlTest, WhereWithEveryComparisonOperator) {
  auto count = [&](std::string_view q) {
    auto r = run(q);
    EXPECT_TRUE(r.ok()) << q << ": " << (r.ok() ? "" : r.error().detail);
    return r.ok() ? r->rows.size() : 999;
  };
  EXPECT_EQ(count("StormEvents | where State == 'TEXAS'"), 3u);
  EXPECT_EQ(count("StormEvents | where State != \"TEXAS\""), 17u);
  EXPECT_EQ(count("StormEvents | where EpisodeId < 5"), 4u);
  EXPECT_EQ(count("StormEvents | where EpisodeId <= 5"), 5u);
  EXPECT_EQ(count("StormEvents | where EpisodeId > 18"), 2u);
  EXPECT_EQ(count("StormEvents | where EpisodeId >= 18"), 3u);
  EXPECT_EQ(count("StormEvents | where EventType contains 'wind'"), 4u);
  EXPECT_EQ(count("StormEvents | where EventType has 'flood'"), 3u);
  EXPECT_EQ(count("StormEvents | where EventType has 'floo'"), 0u);
  EXPECT_EQ(count("StormEvents | where StartTime >= datetime(2007-06-01) and Verified == true"),
            5u);
  EXPECT_EQ(count("StormEvents | where BeginLat > 40.0"), 4u);
  EXPECT_EQ(count("StormEvents | where Duration > 1h"), 5u);
  EXPECT_EQ(count("StormEvents | where ReportId == '2B7E1C2E-8C3A-4B7F-9D1E-0A1B2C3D4E05'"), 1u);
}

// `order by` / `sort by` (the Python data suite's "T| order by AvgTicketPrice asc, Dest asc"):
// desc by default, several keys, nulls first when ascending and last when descending.
TEST_F(KqlTest, OrderBySortsByEachKeyWithKustoDefaults) {
  auto first_column = [](const ResultTable& t) {
    std::string out;
    for (const auto& row : t.rows)
      out += row[0].s + ",";
    return out;
  };
  auto desc = run("States | order by Population | project Abbreviation");
  ASSERT_TRUE(desc.ok()) << desc.error().detail;
  EXPECT_EQ(first_column(*desc), "CA,TX,FL,GA,OK,KS,");
  auto asc = run("States | sort by Population asc | project Abbreviation");
  ASSERT_TRUE(asc.ok()) << asc.error().detail;
  EXPECT_EQ(first_column(*asc), "KS,OK,GA,FL,TX,CA,");
  auto text = run("States | order by Abbreviation asc, Population desc | project Abbreviation");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(first_column(*text), "CA,FL,GA,KS,OK,TX,");

  ASSERT_TRUE(run_query(catalog, "Samples", "States | take 0").ok());
  Table n;
  n.name = "N";
  n.columns = {{"k", Type::string}, {"v", Type::real}};
  n.rows = {{Value::of_text("a"), Value::of_real(2)},
            {Value::of_text("b"), Value::null()},
            {Value::of_text("c"), Value::of_real(1)}};
  catalog.find_database("Samples")->tables.emplace("N", n);
  EXPECT_EQ(first_column(*run("N | order by v asc | project k")), "b,c,a,");
  EXPECT_EQ(first_column(*run("N | order by v desc | project k")), "a,c,b,");
  EXPECT_EQ(first_column(*run("N | order by v asc nulls last | project k")), "c,a,b,");

  EXPECT_EQ(run("States | order by Nope").error().inner->code, "SEM0100");
  EXPECT_EQ(run("States | order Population").error().inner->code, "SYN0002");
  EXPECT_EQ(run("States | order by Population nulls middle").error().inner->code, "SYN0002");
}

TEST_F(KqlTest, ProjectKeepsOrderAndRenames) {
  auto r = run("StormEvents | where EpisodeId == 8 | project State, Damage = DamageProperty");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->columns.size(), 2u);
  EXPECT_EQ(r->columns[1].name, "Damage");
  EXPECT_EQ(r->columns[1].type, Type::int64);
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][1].i, INT64_MAX);
}

// A constant column (the Go SDK suite's ".show databases | project A=\"1\" | take 1").
TEST_F(KqlTest, ProjectTakesLiteralsAsConstantColumns) {
  auto t = run("States | project A=\"1\", n=2, State, d=datetime(2020-01-01) | take 2");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  ASSERT_EQ(t->columns.size(), 4u);
  EXPECT_EQ(t->columns[0].type, Type::string);
  EXPECT_EQ(t->columns[1].type, Type::int64);
  EXPECT_EQ(t->columns[3].type, Type::datetime);
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1][0].s, "1");
  EXPECT_EQ(t->rows[1][1].i, 2);
  EXPECT_EQ(t->rows[1][2].s, "GEORGIA");
  auto f = run("States | project A=tostring(State)");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().detail.find("only column references and literals"), std::string::npos)
      << f.error().detail;
}

// The Go SDK suite's inline table (azure-kusto-go azkustodata/testshared AllDataTypesTableInline),
// typed nulls, a trailing comma, then ordered.
TEST_F(KqlTest, DatatableBuildsTypedRowsFromLiterals) {
  auto t = run(
      "datatable(vnum:int, vdec:decimal, vdate:datetime, vspan:timespan, vobj:dynamic, vb:bool, "
      "vreal:real, vstr:string, vlong:long, vguid:guid) ["
      "1, decimal(2.00000000000001), datetime(2020-03-04T14:05:01.3109965Z), "
      "timespan(01:23:45.6789000), dynamic({\"moshe\":\"value\"}), true, 0.01, \"asdf\", "
      "9223372036854775807, guid(\"74be27de-1e4e-49d9-b579-fe0b331d3642\"),"
      "int(null), decimal(null), datetime(null), timespan(null), dynamic(null), bool(null), "
      "real(null), \"\", long(null), guid(null),"
      "] | order by vnum");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  ASSERT_EQ(t->columns.size(), 10u);
  EXPECT_EQ(t->columns[0].type, Type::int32);
  ASSERT_EQ(t->rows.size(), 2u);
  const Row& full = t->rows[0]; // desc: 1 before null
  EXPECT_EQ(full[0].i, 1);
  EXPECT_EQ(full[1].s, "2.00000000000001");
  EXPECT_EQ(full[4].s, R"({"moshe":"value"})");
  EXPECT_EQ(full[5].i, 1);
  EXPECT_DOUBLE_EQ(full[6].r, 0.01);
  EXPECT_EQ(full[8].i, 9223372036854775807LL);
  EXPECT_EQ(full[9].s, "74be27de-1e4e-49d9-b579-fe0b331d3642");
  const Row& nulls = t->rows[1];
  for (std::size_t k : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 8u, 9u})
    EXPECT_TRUE(nulls[k].is_null) << k;
  EXPECT_EQ(nulls[7].s, "");
  EXPECT_EQ(run("datatable(a:long) [1, 2, 3] | count")->rows[0][0].i, 3);
  EXPECT_EQ(run("datatable(a:long, b:string) [1, 'x', 2]").error().inner->code, "SEM0100");
  EXPECT_EQ(run("datatable(a:long) ['x']").error().inner->code, "SEM0025");
  EXPECT_EQ(run("datatable(a:string) ['x'] | project a")->rows[0][0].s, "x");
  EXPECT_EQ(run("datatable(a:long) [1").error().inner->code, "SYN0002");
  EXPECT_EQ(run("datatable(a) [1]").error().inner->code, "SYN0002");
}

// table('T') and table(param) (the Go SDK suite's TestError sends a random name as a parameter).
TEST_F(KqlTest, TableFunctionNamesTheTableByStringOrParameter) {
  auto t = run("table('States') | count");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  EXPECT_EQ(t->rows[0][0].i, 6);
  auto param = run("declare query_parameters(tableName:string); table(tableName) | count",
                   {{"tableName", "States"}});
  ASSERT_TRUE(param.ok()) << param.error().detail;
  EXPECT_EQ(param->rows[0][0].i, 6);
  auto missing = run("declare query_parameters(tableName:string); table(tableName) | count",
                     {{"tableName", "0f8fad5b-d9cb-469f-a165-70867728950e"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().inner->code, "SEM0100");
  EXPECT_NE(missing.error().detail.find("Failed to resolve table expression"), std::string::npos);
  // The Go SDK sends string parameters as KQL literals.
  auto quoted = run("declare query_parameters(tableName:string); table(tableName) | count",
                    {{"tableName", "\"States\""}});
  ASSERT_TRUE(quoted.ok()) << quoted.error().detail;
  EXPECT_EQ(quoted->rows[0][0].i, 6);
  auto escaped = run("declare query_parameters(s:string); print s", {{"s", R"("a\"b")"}});
  ASSERT_TRUE(escaped.ok()) << escaped.error().detail;
  EXPECT_EQ(escaped->rows[0][0].s, "a\"b");
  EXPECT_EQ(
      run("declare query_parameters(s:string); print s", {{"s", "\"a\" + \"b\""}})->rows[0][0].s,
      "\"a\" + \"b\""); // not one literal: taken as it is
  EXPECT_EQ(run("table(1)").error().inner->code, "SYN0002");
  EXPECT_EQ(run("table('States'").error().inner->code, "SYN0002");
}

// The Go SDK suite's builder query: every type compared, the dynamic one through tostring().
TEST_F(KqlTest, WhereComparesTostringOfAColumnWithTostringOfALiteral) {
  std::string table =
      "datatable(vnum:int, vdec:decimal, vdate:datetime, vspan:timespan, vobj:dynamic, vb:bool, "
      "vreal:real, vstr:string, vlong:long, vguid:guid) [1, decimal(2.00000000000001), "
      "datetime(2020-03-04T14:05:01.3109965Z), timespan(01:23:45.6789000), "
      "dynamic({\"moshe\":\"value\"}), true, 0.01, \"asdf\", 9223372036854775807, "
      "guid(74be27de-1e4e-49d9-b579-fe0b331d3642), int(null), decimal(null), datetime(null), "
      "timespan(null), dynamic(null), bool(null), real(null), \"\", long(null), guid(null),]";
  auto t = run(table + " | take 1 | where vnum == 1 and vdec == decimal(2.00000000000001) and "
                       "vdate == datetime(2020-03-04T14:05:01.3109965Z) and vspan == "
                       "timespan(01:23:45.6789000) and tostring(vobj) == "
                       "tostring(dynamic({\"moshe\": \"value\"})) and vb == true and vreal == "
                       "0.01 and vstr == \"asdf\" and vlong == 9223372036854775807 and vguid == "
                       "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  EXPECT_EQ(t->rows.size(), 1u);
  auto param = run("declare query_parameters(obj:dynamic); " + table +
                       " | where tostring(vobj) == tostring(obj) | count",
                   {{"obj", R"(dynamic({"moshe":"value"}))"}});
  ASSERT_TRUE(param.ok()) << param.error().detail;
  EXPECT_EQ(param->rows[0][0].i, 1);
  EXPECT_EQ(run(table + " | where tostring(vobj) == \"\" | count")->rows[0][0].i, 1); // the null
  EXPECT_EQ(run(table + " | where tostring(vobj == 1").error().inner->code, "SYN0002");
}

TEST_F(KqlTest, PrintNamesColumnsAndTypesLiterals) {
  auto r = run("print 1, x = 'a', datetime(2020-01-01), 1.5, 2h, "
               "guid(00000000-0000-0000-0000-000000000001), dynamic({\"a\":[1,2]}), true");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->columns.size(), 8u);
  EXPECT_EQ(r->columns[0].name, "print_0");
  EXPECT_EQ(r->columns[0].type, Type::int64);
  EXPECT_EQ(r->columns[1].name, "x");
  EXPECT_EQ(r->columns[2].type, Type::datetime);
  EXPECT_EQ(r->columns[3].type, Type::real);
  EXPECT_EQ(r->columns[4].type, Type::timespan);
  EXPECT_EQ(r->columns[5].type, Type::guid);
  EXPECT_EQ(r->columns[6].type, Type::dynamic);
  EXPECT_EQ(r->rows[0][6].s, R"({"a":[1,2]})");
  EXPECT_EQ(r->columns[7].type, Type::boolean);
}

TEST_F(KqlTest, DeclaredQueryParametersComeFromTheRequest) {
  auto r = run("declare query_parameters(n:long, s:string = 'TEXAS'); StormEvents | where State == "
               "s | take n",
               {{"n", "2"}});
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->rows.size(), 2u);
}

TEST_F(KqlTest, SyntaxErrorsGivePosition) {
  auto r = run("StormEvents take 5");
  ASSERT_FALSE(r.ok());
  const Failure& f = r.error();
  EXPECT_EQ(f.status, 400);
  EXPECT_EQ(f.code, "General_BadRequest");
  ASSERT_TRUE(f.inner.has_value());
  EXPECT_EQ(f.inner->code, "SYN0002");
  EXPECT_EQ(f.inner->line, 1);
  EXPECT_EQ(f.inner->pos, 13);
  EXPECT_EQ(f.inner->token, "take");
  EXPECT_FALSE(run("StormEvents | where State == 'unterminated").ok());
  EXPECT_FALSE(run("").ok());
  EXPECT_FALSE(run("StormEvents | take").ok());
  EXPECT_FALSE(run("StormEvents | where").ok());
  EXPECT_FALSE(run("print").ok());
  EXPECT_FALSE(run("StormEvents | take 5 garbage").ok());
}

TEST_F(KqlTest, SemanticErrorsNameWhatIsUnknown) {
  auto t = run("StormEvent | take 1");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().inner->code, "SEM0100");
  EXPECT_NE(t.error().detail.find("'StormEvent'"), std::string::npos);
  auto c = run("StormEvents | project Nope");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().detail.find("'Nope'"), std::string::npos);
  auto w = run("StormEvents | where State > 5");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().detail.find("Cannot compare"), std::string::npos);
  auto s = run("StormEvents | summarize count()");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("not supported"), std::string::npos);
  auto db = run_query(catalog, "NoSuchDb", "StormEvents");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "BadRequest_DatabaseNotExist");
}

TEST_F(KqlTest, NeverCrashesOnHostileInput) {
  for (std::string q : std::vector<std::string>{
           "|", "||||", "print ((((", "StormEvents | where State == datetime(",
           "print dynamic({\"a\":", "StormEvents | project a,", "print 1e", "StormEvents | take -5",
           "print -", "['", "print @'x", "print 99999999999999999999",
           "StormEvents | where State has", std::string(1, '\0'), "print \xff\xfe"}) {
    auto r = run(q);
    if (!r.ok()) {
      EXPECT_EQ(r.error().status, 400) << q;
    }
  }
  auto neg = run("StormEvents | take -5");
  if (neg.ok()) {
    EXPECT_EQ(neg->rows.size(), 0u);
  }
}

} // namespace
} // namespace konform::serve::kusto::cluster
