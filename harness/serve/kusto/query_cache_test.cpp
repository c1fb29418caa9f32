#include "serve/kusto/query_cache.h"

#include <gtest/gtest.h>

namespace konform::serve::kusto {
namespace {

std::shared_ptr<const PreparedResult> one_row(std::string text) {
  cluster::ResultTable t;
  t.columns = {{"s", cluster::Type::string}};
  t.rows = {{cluster::Value::of_text(std::move(text))}};
  return prepare_result(std::move(t));
}

TEST(PrepareResult, RowsAreEncodedOnceInColumnTypeEncoding) {
  cluster::ResultTable t;
  t.columns = {{"n", cluster::Type::int64}, {"s", cluster::Type::string}};
  t.rows = {{cluster::Value::of_int(1), cluster::Value::of_text("a\"b")},
            {cluster::Value::null(), cluster::Value::of_text("")}};
  EXPECT_EQ(prepare_result(t)->rows_json, R"([1,"a\"b"],[null,""])");
  EXPECT_EQ(prepare_result({})->rows_json, "");
}

TEST(QueryCache, AnEntryIsServedOnlyAtTheGenerationItWasComputedAt) {
  QueryCache cache(4);
  auto key = QueryCache::key("Samples", "T | take 1", {});
  cache.store(key, 7, one_row("x"));
  ASSERT_NE(cache.find(key, 7), nullptr);
  EXPECT_EQ(cache.find(key, 7)->rows_json, R"(["x"])");
  EXPECT_EQ(cache.find(key, 8), nullptr); // the catalog changed since
  EXPECT_EQ(cache.find(key, 7), nullptr); // and the stale entry is gone for good
}

TEST(QueryCache, DatabaseQueryAndParametersAllTellEntriesApart) {
  QueryCache cache(8);
  cache.store(QueryCache::key("A", "T", {}), 1, one_row("a"));
  cache.store(QueryCache::key("B", "T", {}), 1, one_row("b"));
  cache.store(QueryCache::key("A", "T", {{"p", "1"}}), 1, one_row("p1"));
  cache.store(QueryCache::key("A", "T", {{"p", "2"}}), 1, one_row("p2"));
  EXPECT_EQ(cache.find(QueryCache::key("B", "T", {}), 1)->rows_json, R"(["b"])");
  EXPECT_EQ(cache.find(QueryCache::key("A", "T", {{"p", "2"}}), 1)->rows_json, R"(["p2"])");
  EXPECT_EQ(cache.find(QueryCache::key("A", "T", {{"p", "3"}}), 1), nullptr);
  EXPECT_NE(QueryCache::key("A", "Tx", {}), QueryCache::key("AT", "x", {}));
}

TEST(QueryCache, BoundedByEntriesLeastRecentlyUsedGoesFirst) {
  QueryCache cache(2);
  cache.store("a", 1, one_row("a"));
  cache.store("b", 1, one_row("b"));
  ASSERT_NE(cache.find("a", 1), nullptr); // "b" is now the least recently used
  cache.store("c", 1, one_row("c"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.find("a", 1), nullptr);
  EXPECT_EQ(cache.find("b", 1), nullptr);
  EXPECT_NE(cache.find("c", 1), nullptr);
}

TEST(QueryCache, LargeResultsAndAZeroCapacityStoreNothing) {
  QueryCache small(4, /*max_entry_bytes=*/4);
  small.store("k", 1, one_row("longer than four bytes"));
  EXPECT_EQ(small.size(), 0u);
  QueryCache off(0);
  off.store("k", 1, one_row("x"));
  EXPECT_EQ(off.find("k", 1), nullptr);
}

} // namespace
} // namespace konform::serve::kusto
