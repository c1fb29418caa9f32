#include "core/ids.h"
#include "json/document.h"
#include "scenario/json_path.h"
#include "scenario/variables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::scenario {
namespace {

using ::testing::HasSubstr;

TEST(Variables, ExpandsDefinedNames) {
  Variables vars{{"db", "Samples"}, {"target", "http://127.0.0.1:8080"}};
  auto r = expand("${target}/v1/rest/query?db=${db}&x=$1", vars);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "http://127.0.0.1:8080/v1/rest/query?db=Samples&x=$1");
}

TEST(Variables, UuidIsFreshAtEveryOccurrence) {
  auto r = expand("${uuid} ${uuid}", {});
  ASSERT_TRUE(r.ok());
  auto space = r->find(' ');
  std::string a = r->substr(0, space), b = r->substr(space + 1);
  EXPECT_TRUE(ids::is_guid(a));
  EXPECT_TRUE(ids::is_guid(b));
  EXPECT_NE(a, b);
}

TEST(Variables, UndefinedNameIsAnErrorThatSaysHowToDefineIt) {
  auto r = expand("/status/${cmd}", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "variable ${cmd} is not defined (a capture of an earlier step "
                               "failed, or pass --var cmd=VALUE)");
}

TEST(Variables, JsonEscapingKeepsInlineBodiesValid) {
  Variables vars{{"q", "say \"hi\"\n"}};
  auto r = expand(R"({"csl":"${q}"})", vars, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, R"({"csl":"say \"hi\"\n"})");
  EXPECT_TRUE(json::Document::parse(*r).ok());
}

TEST(Variables, AWholeStringOfAJsonValuedCaptureBecomesThatValue) {
  Variables vars{{"seq", "7"}, {"id", "stream/X/create"}};
  JsonValued json_valued{"seq"};
  auto r = expand(R"({"n":"${seq}","s":"seq ${seq}","id":"${id}","q":"a\"${seq}"})", vars, true,
                  &json_valued);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, R"({"n":7,"s":"seq 7","id":"stream/X/create","q":"a\"7"})");
  EXPECT_TRUE(json::Document::parse(*r).ok());
}

TEST(Variables, DoubleDollarWritesALiteral) {
  auto r = expand("$${notavar}", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "${notavar}");
}

TEST(Variables, ReferencedNamesAndSyntaxErrorsWithOffsets) {
  auto names = referenced_variables("a ${x} b ${y.z} $${w}");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"x", "y.z"}));
  VariableSyntaxError where;
  auto bad = referenced_variables("ab${1x}", &where);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(where.offset, 2u);
  EXPECT_THAT(bad.error().message, HasSubstr("invalid variable name \"1x\""));
}

TEST(JsonPath, EvaluatesKeysIndexesAndQuotedKeys) {
  auto doc = json::Document::parse(R"([{"commandId": "stream/X/create", "a b": {"n": [1, 2]}}])");
  ASSERT_TRUE(doc.ok());
  auto path = parse_json_path("$[0]['a b'].n[1]");
  ASSERT_TRUE(path.ok()) << path.error().message;
  auto v = evaluate(doc->root(), *path);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(int64_t(*v), 2);
  auto id = evaluate(doc->root(), *parse_json_path("$[0].commandId"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(std::string_view(*id), "stream/X/create");
  EXPECT_FALSE(evaluate(doc->root(), *parse_json_path("$[1].commandId")).has_value());
  EXPECT_FALSE(evaluate(doc->root(), *parse_json_path("$.x")).has_value());
}

TEST(JsonPath, RejectsWildcardsAndMalformedPaths) {
  EXPECT_THAT(parse_json_path("$[*]").error().message, HasSubstr("non-negative integer"));
  EXPECT_THAT(parse_json_path("$.a.*").error().message, HasSubstr("a capture needs one"));
  EXPECT_THAT(parse_json_path("x").error().message, HasSubstr("a path starts with '$'"));
  EXPECT_THAT(parse_json_path("$['a").error().message, HasSubstr("unterminated quoted key"));
}

// --var NAME=VALUE of check and load.
TEST(Variable, AssignmentsAreValidated) {
  auto ok = parse_variable("db=Samples=1");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "db");
  EXPECT_EQ(ok->second, "Samples=1");
  EXPECT_THAT(parse_variable("1db=x").error().message, HasSubstr("write NAME=VALUE"));
  EXPECT_FALSE(parse_variable("novalue").ok());
}

// Recorded keys become capture names the scenario parser accepts.
TEST(Variables, NamesMadeFromAnyKeyAreValid) {
  EXPECT_EQ(variable_name_from("commandId"), "commandId");
  EXPECT_EQ(variable_name_from("it's Id"), "it_s_Id");
  EXPECT_EQ(variable_name_from("1st"), "_1st");
  EXPECT_EQ(variable_name_from("uuid"), "_uuid");
  EXPECT_EQ(variable_name_from(""), "_");
  for (auto key : {"it's Id", "1st", "uuid", "", "-x", "a b\u00e9"})
    EXPECT_TRUE(referenced_variables("${" + variable_name_from(key) + "}").ok()) << key;
}

} // namespace
} // namespace konform::scenario
