#include "serve/ksql/value.h"

#include <gtest/gtest.h>

namespace konform::serve::ksql {
namespace {

TEST(KsqlValue, DoublesPrintLikeJavaDoubleToString) {
  EXPECT_EQ(java_double(234.0), "234.0");
  EXPECT_EQ(java_double(1.23), "1.23");
  EXPECT_EQ(java_double(-0.5), "-0.5");
  EXPECT_EQ(java_double(0.001), "0.001");
  EXPECT_EQ(java_double(0.0001), "1.0E-4");
  EXPECT_EQ(java_double(1e7), "1.0E7");
  EXPECT_EQ(java_double(12345678.9), "1.23456789E7");
  EXPECT_EQ(java_double(9999999.0), "9999999.0");
  EXPECT_EQ(java_double(0.0), "0.0");
}

TEST(KsqlValue, CoercionFollowsInsertValuesRules) {
  SqlType dbl{BaseType::Double, 0, 0, {}, {}};
  auto d = coerce(Value::of_int(3), dbl);
  ASSERT_TRUE(d);
  std::string out;
  append_json(out, *d);
  EXPECT_EQ(out, "3.0");

  SqlType dec{BaseType::Decimal, 12, 2, {}, {}};
  auto scaled = coerce(Value::of_decimal("0.5"), dec);
  ASSERT_TRUE(scaled);
  EXPECT_EQ(scaled->text, "0.50");
  EXPECT_FALSE(coerce(Value::of_decimal("0.125"), dec)) << "digits would be lost";

  SqlType integer{BaseType::Integer, 0, 0, {}, {}};
  EXPECT_FALSE(coerce(Value::of_string("10"), integer));
  EXPECT_FALSE(coerce(Value::of_int(5000000000LL), integer));
  EXPECT_TRUE(coerce(Value::null(), integer)->is_null());
}

TEST(KsqlValue, StructsFollowTheDeclaredFieldOrder) {
  SqlType s{BaseType::Struct, 0, 0, {}, {}};
  s.field_names = {"FOO", "bar"};
  s.params = {SqlType{BaseType::Bigint, 0, 0, {}, {}}, SqlType{BaseType::String, 0, 0, {}, {}}};
  Value given;
  given.kind = Value::Kind::Struct;
  given.names = {"bar", "foo"};
  given.items = {Value::of_string("x"), Value::of_int(2)};
  auto c = coerce(given, s);
  ASSERT_TRUE(c);
  std::string out;
  append_json(out, *c);
  EXPECT_EQ(out, "{\"FOO\":2,\"bar\":\"x\"}");
}

} // namespace
} // namespace konform::serve::ksql
