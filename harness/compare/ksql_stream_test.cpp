// ksqlDB /query bodies in every server generation's layout reassemble into the same elements and
// compare row by row; ksqlDB generated ids are ignored by default.
#include "compare/compare.h"
#include "compare/ksql_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::compare {
namespace {

using protocol::Kind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Difference> diff(std::string_view expected, std::string_view actual,
                             Kind kind = Kind::ksql_stream, const Rules& rules = {}) {
  auto r = compare_bodies(expected, actual, kind, rules);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : std::vector<Difference>{};
}

constexpr std::string_view kReassembled =
    R"([{"header":{"queryId":"transient_PAGEVIEWS_1","schema":"`USERID` STRING, `PAGEID` STRING"}},)"
    R"({"row":{"columns":["USER_1","PAGE_1"]}},{"row":{"columns":["USER_2","PAGE_2"]}},)"
    R"({"finalMessage":"Limit Reached"}])";

TEST(KsqlStream, EveryLayoutReassemblesToTheSameElements) {
  // G6 (ksqlDB >= 0.24): closed array, one element per line, no trailing newline.
  std::string g6 =
      "[{\"header\":{\"queryId\":\"transient_PAGEVIEWS_1\",\"schema\":\"`USERID` STRING, "
      "`PAGEID` STRING\"}},\n{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\"]}},\n"
      "{\"row\":{\"columns\":[\"USER_2\",\"PAGE_2\"]}},\n"
      "{\"finalMessage\":\"Limit Reached\"}]";
  // G3-G5: keep-alive newlines, elements followed by ",\n", finalMessage then "]\n".
  std::string g5 =
      "[{\"header\":{\"queryId\":\"transient_PAGEVIEWS_1\",\"schema\":\"`USERID` STRING, "
      "`PAGEID` STRING\"}},\n\n{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\"]}},\n\n\n"
      "{\"row\":{\"columns\":[\"USER_2\",\"PAGE_2\"]}},\n"
      "{\"finalMessage\":\"Limit Reached\"}]\n";
  // G2 (KSQL 5.4): one object per line, no array.
  std::string g2 =
      "{\"header\":{\"queryId\":\"transient_PAGEVIEWS_1\",\"schema\":\"`USERID` STRING, "
      "`PAGEID` STRING\"}}\n{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\"]}}\n\n"
      "{\"row\":{\"columns\":[\"USER_2\",\"PAGE_2\"]}}\n"
      "{\"finalMessage\":\"Limit Reached\"}\n";
  for (const std::string& body : {g6, g5, g2}) {
    auto r = reassemble_ksql_stream(body, "body");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, kReassembled);
    EXPECT_TRUE(diff(kReassembled, body).empty());
  }
}

TEST(KsqlStream, UnclosedArraysAndTrailingCommasAreAccepted) {
  // The array is never closed when the client disconnects; a push error ends in ",\n]".
  std::string unclosed = "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` INT\"}},\n"
                         "{\"row\":{\"columns\":[1]}},\n{\"row\":{\"columns\":[2]}},\n";
  auto r = reassemble_ksql_stream(unclosed, "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, R"([{"header":{"queryId":"q","schema":"`A` INT"}},{"row":{"columns":[1]}},)"
                R"({"row":{"columns":[2]}}])");
  std::string error_end = "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` INT\"}},\n"
                          "{\"errorMessage\":{\"@type\":\"generic_error\",\"error_code\":50000,"
                          "\"message\":\"boom\"}},\n]";
  auto e = reassemble_ksql_stream(error_end, "");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_THAT(*e, HasSubstr("\"message\":\"boom\"}}]"));
}

TEST(KsqlStream, QueryStreamDelimitedAndJsonFormsReassembleAlike) {
  std::string delimited =
      "{\"queryId\":\"transient_FOO_123\",\"columnNames\":[\"F_STR\",\"F_INT\"],"
      "\"columnTypes\":[\"STRING\",\"INTEGER\"]}\n[\"foo0\",0]\n[\"foo1\",1]\n";
  std::string json = "[{\"queryId\":\"transient_FOO_9\",\"columnNames\":[\"F_STR\",\"F_INT\"],"
                     "\"columnTypes\":[\"STRING\",\"INTEGER\"]},[\"foo0\",0],[\"foo1\",1]]";
  EXPECT_TRUE(diff(delimited, json).empty());
  auto ds =
      diff(delimited, "{\"queryId\":\"x\",\"columnNames\":[\"F_STR\",\"F_INT\"],"
                      "\"columnTypes\":[\"STRING\",\"INTEGER\"]}\n[\"foo0\",0]\n[\"foo1\",7]\n");
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(ds[0].message, "row 1, column F_INT: expected 1, got 7");
  EXPECT_EQ(ds[0].path, "$[2][1]");
}

TEST(KsqlStream, RowsCompareOneByOneWithColumnNamesFromTheSchema) {
  std::string actual =
      "[{\"header\":{\"queryId\":\"transient_PAGEVIEWS_77\",\"schema\":\"`USERID` "
      "STRING, `PAGEID` STRING\"}},\n{\"row\":{\"columns\":[\"USER_1\",\"PAGE_9\"]}},\n"
      "{\"row\":{\"columns\":[\"USER_X\",\"PAGE_2\"]}},\n"
      "{\"row\":{\"columns\":[\"USER_3\",\"PAGE_3\"]}},\n"
      "{\"finalMessage\":\"Query Completed\"}]";
  auto ds = diff(kReassembled, actual);
  std::vector<std::string> messages;
  for (const auto& d : ds)
    messages.push_back(d.message);
  EXPECT_THAT(messages, ElementsAre("expected \"Limit Reached\", got \"Query Completed\"",
                                    "row 0, column PAGEID: expected \"PAGE_1\", got \"PAGE_9\"",
                                    "row 1, column USERID: expected \"USER_2\", got \"USER_X\"",
                                    "row 2: unexpected row"));
  EXPECT_EQ(ds[0].path, "$[4].finalMessage");
  EXPECT_EQ(ds[1].path, "$[1].row.columns[1]");
  EXPECT_EQ(ds[3].path, "$[3]");
}

TEST(KsqlStream, MissingRowsAreNamed) {
  std::string shorter = "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`USERID` STRING, `PAGEID` "
                        "STRING\"}},\n{\"row\":{\"columns\":[\"USER_1\",\"PAGE_1\"]}},\n";
  auto ds = diff(kReassembled, shorter);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].message, "element [3] missing");
  EXPECT_EQ(ds[1].message, "row 1: row missing");
}

TEST(KsqlStream, SchemaWithNestedTypesStillNamesColumns) {
  std::string e =
      R"([{"header":{"queryId":"q","schema":"`S` STRUCT<`A` INT, `B` STRING>, `N` BIGINT"}},)"
      R"({"row":{"columns":[{"A":1,"B":"x"},5]}}])";
  std::string a =
      R"([{"header":{"queryId":"q","schema":"`S` STRUCT<`A` INT, `B` STRING>, `N` BIGINT"}},)"
      R"({"row":{"columns":[{"A":2,"B":"x"},6]}}])";
  auto ds = diff(e, a);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].message, "row 0, column S: expected 1, got 2");
  EXPECT_EQ(ds[0].path, "$[1].row.columns[0].A");
  EXPECT_EQ(ds[1].message, "row 0, column N: expected 5, got 6");
}

TEST(KsqlStream, CutOffOrBrokenStreamsNameLineAndColumn) {
  auto cut = reassemble_ksql_stream("[{\"header\":{}},\n{\"row\":{\"columns\":[1,", "actual body");
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.error().message, HasSubstr("actual body:2:1"));
  EXPECT_THAT(cut.error().message, HasSubstr("cut off"));
  auto bad = compare_bodies(kReassembled, "[{\"header\":{}},\n{\"row\":{\"columns\":[1,,2]}}]",
                            Kind::ksql_stream, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::actual);
  EXPECT_THAT(bad.error().message, HasSubstr("actual body:2:22"));
}

// The comparer checks a stream with one simdjson parse and scans the elements only when that
// fails; an element nested deeper than the element check allows must still be refused, named.
TEST(KsqlStream, TooDeepElementsAreRefusedAsByTheElementCheck) {
  auto nested = [](std::size_t depth) {
    return "[{\"header\":{}},\n" + std::string(depth, '[') + std::string(depth, ']') + "]";
  };
  auto deep = compare_bodies(kReassembled, nested(1002), Kind::ksql_stream, {});
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().kind, ErrorKind::actual);
  EXPECT_THAT(deep.error().message, HasSubstr("element 1: nesting is deeper than 1000 levels"));
  auto reassembled = reassemble_ksql_stream(nested(1002), "actual body");
  ASSERT_FALSE(reassembled.ok());
  EXPECT_EQ(deep.error().message, reassembled.error().message);
  // Within the limit: compared, and the extra element is a difference, not an error.
  auto ok = compare_bodies(kReassembled, nested(900), Kind::ksql_stream, {});
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(KsqlStream, EntitiesIgnoreGeneratedIdsButNotStatements) {
  auto entity = [](std::string_view command_id, std::string_view seq, std::string_view query,
                   std::string_view status) {
    return std::string(
               R"([{"@type":"currentStatus","statementText":"CREATE STREAM S AS SELECT 1;",)"
               R"("commandId":")") +
           std::string(command_id) + R"(","commandStatus":{"status":")" + std::string(status) +
           R"(","message":"Created query with ID )" + std::string(query) + R"(","queryId":")" +
           std::string(query) + R"("},"commandSequenceNumber":)" + std::string(seq) +
           R"(,"warnings":[]}])";
  };
  EXPECT_TRUE(diff(entity("stream/`S`/create", "2", "CSAS_S_0", "SUCCESS"),
                   entity("stream/`S`/create", "17", "CSAS_S_5", "SUCCESS"), Kind::ksql_entities)
                  .empty());
  // A generated uuid inside a commandId is not a difference; the rest of the id is.
  EXPECT_TRUE(
      diff(entity("cluster/3bdcc252-0000-4000-8000-000000000001/alter", "2", "Q", "SUCCESS"),
           entity("cluster/8f1e2d3c-0000-4000-8000-000000000009/alter", "2", "Q", "SUCCESS"),
           Kind::ksql_entities)
          .empty());
  auto ds = diff(entity("stream/`S`/create", "2", "CSAS_S_0", "SUCCESS"),
                 entity("stream/`T`/create", "2", "CSAS_S_0", "ERROR"), Kind::ksql_entities);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].path, "$[0].commandId");
  EXPECT_EQ(ds[1].path, "$[0].commandStatus.status");
  // The json kind has no ksqlDB defaults.
  EXPECT_EQ(
      diff(entity("a", "2", "Q1", "SUCCESS"), entity("a", "3", "Q2", "SUCCESS"), Kind::json).size(),
      3u);
}

TEST(KsqlStream, CanonicalGoldenIsTheReassembledStreamPrettyPrinted) {
  std::string g5 = "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`A` INT\"}},\n\n"
                   "{\"row\":{\"columns\":[1]}},\n";
  auto golden = canonical_golden(g5, Kind::ksql_stream);
  ASSERT_TRUE(golden.ok()) << golden.error().message;
  EXPECT_EQ(*golden, "[\n"
                     "  {\n"
                     "    \"header\": {\"queryId\": \"q\", \"schema\": \"`A` INT\"}\n"
                     "  },\n"
                     "  {\n"
                     "    \"row\": {\n"
                     "      \"columns\": [1]\n"
                     "    }\n"
                     "  }\n"
                     "]\n");
  EXPECT_TRUE(diff(*golden, g5).empty());
}

} // namespace
} // namespace konform::compare
