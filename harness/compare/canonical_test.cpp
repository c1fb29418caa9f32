// The canonical golden form: pretty-printed, stable, one table row per line.
#include "compare/compare.h"

#include <gtest/gtest.h>

namespace konform::compare {
namespace {

using protocol::Kind;

TEST(CanonicalGolden, TableRowsAndColumnsStayOnOneLine) {
  auto golden = canonical_golden(
      R"([{"FrameType":"DataTable","TableName":"PrimaryResult","Columns":[{"ColumnName":"N","ColumnType":"long"}],"Rows":[[1,"a",null],[2,"b",{"x":1}]]}])",
      Kind::kusto_v2);
  ASSERT_TRUE(golden.ok()) << golden.error().message;
  EXPECT_EQ(*golden, R"([
  {
    "FrameType": "DataTable",
    "TableName": "PrimaryResult",
    "Columns": [
      {"ColumnName": "N", "ColumnType": "long"}
    ],
    "Rows": [
      [1, "a", null],
      [
        2,
        "b",
        {"x": 1}
      ]
    ]
  }
]
)");
}

TEST(CanonicalGolden, IsStableAndKeepsNumbersExact) {
  std::string body = std::string() +
                     R"({"big":9223372036854775807,"u":18446744073709551615,"d":0.1,"e":1e300,)"
                     R"("s":"line\nbreak \u00e9","long":[)" +
                     "\"" + std::string(60, '1') + "\",\"" + std::string(60, '2') + "\"]}";
  auto once = canonical_golden(body, Kind::json);
  ASSERT_TRUE(once.ok());
  auto twice = canonical_golden(*once, Kind::json);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*once, *twice);
  EXPECT_NE(once->find("9223372036854775807"), std::string::npos);
  EXPECT_NE(once->find("18446744073709551615"), std::string::npos);
  EXPECT_NE(once->find("\"line\\nbreak \xc3\xa9\""), std::string::npos);
  // The array is longer than a line: one value per line.
  EXPECT_NE(once->find("[\n    \"1111"), std::string::npos) << *once;
  auto same = compare_bodies(body, *once, Kind::json, {});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST(CanonicalGolden, TextIsKeptAsIsAndBadJsonIsLocated) {
  auto text = canonical_golden("not json\n", Kind::text);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "not json\n");
  auto bad = canonical_golden("{\"a\":\n tru}", Kind::json);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("golden body:2:"), std::string::npos) << bad.error().message;
}

} // namespace
} // namespace konform::compare
