#include "serve/kusto/cluster/value.h"

#include <gtest/gtest.h>

#include <cmath>

namespace konform::serve::kusto::cluster {
namespace {

std::string json_of(Type t, std::string_view text) {
  auto v = parse_value(t, text);
  EXPECT_TRUE(v.ok()) << text << ": " << (v.ok() ? "" : v.error().message);
  std::string out;
  if (v.ok()) append_json(out, t, *v);
  return out;
}

TEST(KustoValue, EncodesEveryScalarTypeLikeTheService) {
  EXPECT_EQ(json_of(Type::boolean, "true"), "true");
  EXPECT_EQ(json_of(Type::boolean, "0"), "false");
  EXPECT_EQ(json_of(Type::int32, "2147483647"), "2147483647");
  EXPECT_EQ(json_of(Type::int64, "9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(json_of(Type::real, "0.01"), "0.01");
  EXPECT_EQ(json_of(Type::real, "21"), "21.0");
  EXPECT_EQ(json_of(Type::real, "NaN"), "\"NaN\"");
  EXPECT_EQ(json_of(Type::real, "-Infinity"), "\"-Infinity\"");
  EXPECT_EQ(json_of(Type::decimal, "2.00000000000001"), "\"2.00000000000001\"");
  EXPECT_EQ(json_of(Type::string, ""), "\"\"");
  EXPECT_EQ(json_of(Type::guid, "123E27DE-1E4E-49D9-B579-FE0B331D3642"),
            "\"123e27de-1e4e-49d9-b579-fe0b331d3642\"");
  EXPECT_EQ(json_of(Type::dynamic, R"({ "moshe" : "value" })"), R"({"moshe":"value"})");
  EXPECT_EQ(json_of(Type::dynamic, "not json"), "\"not json\"");
}

TEST(KustoValue, DatetimesKeepUpToSevenFractionDigitsAndTrimZeros) {
  EXPECT_EQ(json_of(Type::datetime, "2020-03-04T14:05:01.3109965Z"),
            "\"2020-03-04T14:05:01.3109965Z\"");
  EXPECT_EQ(json_of(Type::datetime, "2009-04-01T00:00:00.0000000Z"), "\"2009-04-01T00:00:00Z\"");
  EXPECT_EQ(json_of(Type::datetime, "2006-01-02 22:04:05.1"), "\"2006-01-02T22:04:05.1Z\"");
  EXPECT_EQ(json_of(Type::datetime, "0001-01-01"), "\"0001-01-01T00:00:00Z\"");
  EXPECT_EQ(json_of(Type::datetime, "9999-12-31T23:59:59Z"), "\"9999-12-31T23:59:59Z\"");
  EXPECT_FALSE(parse_value(Type::datetime, "2021-02-30").ok());
  EXPECT_FALSE(parse_value(Type::datetime, "yesterday").ok());
}

TEST(KustoValue, TimespansUseTheDotNetConstantFormat) {
  EXPECT_EQ(json_of(Type::timespan, "00:00:00"), "\"00:00:00\"");
  EXPECT_EQ(json_of(Type::timespan, "00:00:00.0000001"), "\"00:00:00.0000001\"");
  EXPECT_EQ(json_of(Type::timespan, "01:23:45.6789"), "\"01:23:45.6789000\"");
  EXPECT_EQ(json_of(Type::timespan, "1.00:00:01.0010001"), "\"1.00:00:01.0010001\"");
  EXPECT_EQ(json_of(Type::timespan, "-2.00:00:02.0020002"), "\"-2.00:00:02.0020002\"");
  EXPECT_EQ(json_of(Type::timespan, "50m"), "\"00:50:00\"");
  EXPECT_EQ(json_of(Type::timespan, "1d"), "\"1.00:00:00\"");
  EXPECT_EQ(json_of(Type::timespan, "100ms"), "\"00:00:00.1000000\"");
}

TEST(KustoValue, EmptyTextIsNullExceptForStrings) {
  for (Type t : {Type::boolean, Type::int32, Type::int64, Type::real, Type::decimal, Type::datetime,
                 Type::timespan, Type::guid, Type::dynamic})
    EXPECT_EQ(json_of(t, ""), "null") << type_name(t);
  EXPECT_EQ(json_of(Type::string, ""), "\"\"");
}

TEST(KustoValue, BadTextSaysWhatWasExpected) {
  auto v = parse_value(Type::int32, "3000000000");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("32-bit"), std::string::npos);
  EXPECT_FALSE(parse_value(Type::guid, "not-a-guid").ok());
  EXPECT_FALSE(parse_value(Type::boolean, "yes").ok());
  EXPECT_FALSE(parse_value(Type::decimal, "1.2.3").ok());
}

TEST(KustoValue, TypeNamesAndAliases) {
  EXPECT_EQ(parse_type("date"), Type::datetime);
  EXPECT_EQ(parse_type("uniqueid"), Type::guid);
  EXPECT_EQ(parse_type("Int64"), Type::int64);
  EXPECT_EQ(parse_type("double"), Type::real);
  EXPECT_FALSE(parse_type("varchar").has_value());
  EXPECT_EQ(dotnet_name(Type::boolean), "SByte");
  EXPECT_EQ(dotnet_name(Type::dynamic), "Object");
}

} // namespace
} // namespace konform::serve::kusto::cluster
