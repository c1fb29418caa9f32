#include "serve/kusto/engine/kql.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto::engine {
namespace {

class KqlTest : public ::testing::Test {
protected:
  void SetUp() override { load_sample(catalog); }
  Outcome<ResultTable> run(std::string_view q, const QueryParameters& p = {}) {
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

TEST_F(KqlTest, ProjectKeepsOrderAndRenames) {
  auto r = run("StormEvents | where EpisodeId == 8 | project State, Damage = DamageProperty");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->columns.size(), 2u);
  EXPECT_EQ(r->columns[1].name, "Damage");
  EXPECT_EQ(r->columns[1].type, Type::int64);
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][1].i, INT64_MAX);
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
} // namespace konform::serve::kusto::engine
