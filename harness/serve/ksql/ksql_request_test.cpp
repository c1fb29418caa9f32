// The /inserts-stream request lines: the args line and each row as the INSERT it becomes.
#include "serve/ksql/ksql_request.h"

#include <gtest/gtest.h>

namespace konform::serve::ksql {
namespace {

TEST(KsqlInsertsStream, ArgsNeedATarget) {
  auto args = parse_inserts_stream_args(R"({"target":"s1","properties":{"a":1}})");
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->target, "s1");
  EXPECT_EQ(args->properties.at("a"), "1");
  auto missing = parse_inserts_stream_args(R"({"foo":"bar"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "Invalid JSON in request: Missing required creator property 'target' (index 0)");
  EXPECT_FALSE(parse_inserts_stream_args(R"({"target":"S")").ok());
}

TEST(KsqlInsertsStream, ARowBecomesAnInsertValues) {
  auto st = inserts_row_statement("s1", R"({"ID":1,"name":"it's","OK":true,"X":null,"D":1.5,)"
                                        R"("A":[1,2],"my col":"v"})");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(*st, "INSERT INTO s1 (ID, name, OK, X, D, A, `my col`) VALUES (1, 'it''s', TRUE, "
                 "NULL, 1.5, ARRAY[1, 2], 'v');");
  EXPECT_EQ(*inserts_row_statement("my-stream", R"({"A":1})"),
            "INSERT INTO `my-stream` (A) VALUES (1);");
}

TEST(KsqlInsertsStream, WhatIsNoRowIsAnError) {
  EXPECT_FALSE(inserts_row_statement("S", R"({"ID": nope})").ok());
  EXPECT_FALSE(inserts_row_statement("S", "[1,2]").ok());
  // An object needs the MAP or STRUCT column it fills: here the target has no column M.
  auto nested = inserts_row_statement("S", R"({"M":{"k":1}})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().message,
            "an object fills a MAP or STRUCT column, and this one is no column of the target");
}

} // namespace
} // namespace konform::serve::ksql
