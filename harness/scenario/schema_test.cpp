// scenarios/schema.json is what editors validate with; the parser is what konform enforces. These
// tests keep the two in step: every field, protocol and matcher the schema offers is one the parser
// knows, and the bundled scenarios parse.
#include "core/file.h"
#include "json/document.h"
#include "scenario/parser.h"
#include "vocabulary/kind.h"
#include "vocabulary/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::scenario {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Schema : public ::testing::Test {
protected:
  void SetUp() override {
    auto text = file::read(KONFORM_SOURCE_DIR "/scenarios/schema.json");
    ASSERT_TRUE(text.ok()) << text.error().message;
    auto doc = json::Document::parse(*text, "schema.json");
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    doc_ = std::make_unique<json::Document>(std::move(*doc));
  }
  simdjson::dom::element at(std::string_view pointer) { return doc_->root().at_pointer(pointer); }
  std::vector<std::string> keys(std::string_view pointer) {
    std::vector<std::string> out;
    for (auto member : at(pointer).get_object())
      out.emplace_back(member.key);
    return out;
  }
  std::vector<std::string> strings(std::string_view pointer) {
    std::vector<std::string> out;
    for (auto e : at(pointer).get_array())
      out.emplace_back(std::string_view(e));
    return out;
  }
  // Parses a scenario built around one fragment; returns the error text ("" when it parses).
  static std::string parse(const std::string& text) {
    auto r = parse_scenario(text, "s.json");
    return r ? std::string() : r.error().message;
  }
  std::unique_ptr<json::Document> doc_;
};

TEST_F(Schema, EveryScenarioStepExpectAndRuleFieldIsKnownToTheParser) {
  for (const auto& key : keys("/properties"))
    EXPECT_THAT(parse("{\"" + key + "\": 0, \"steps\": []}"), Not(HasSubstr("unknown field")))
        << key;
  for (const auto& key : keys("/$defs/step/properties"))
    EXPECT_THAT(parse(R"({"steps": [{")" + key + R"(": 0}]})"), Not(HasSubstr("unknown field")))
        << key;
  for (const auto& key : keys("/$defs/expect/properties"))
    EXPECT_THAT(parse(R"({"steps": [{"expect": {")" + key + R"(": 0}}]})"),
                Not(HasSubstr("unknown field")))
        << key;
  for (const auto& key : keys("/$defs/expect/properties/rules/properties"))
    EXPECT_THAT(parse(R"({"steps": [{"expect": {"rules": {")" + key + R"(": 0}}}]})"),
                Not(HasSubstr("unknown field")))
        << key;
}

TEST_F(Schema, EveryProtocolAndMatcherOfTheSchemaParses) {
  for (const auto& kind : strings("/$defs/expect/properties/protocol/enum"))
    EXPECT_EQ(parse(R"({"steps": [{"name": "a", "path": "/", "expect": {"protocol": ")" + kind +
                    R"("}}]})"),
              "")
        << kind;
  for (const auto& matcher :
       strings("/$defs/expect/properties/rules/properties/matchers/additionalProperties/enum"))
    EXPECT_EQ(
        parse(
            R"({"steps": [{"name": "a", "path": "/", "expect": {"rules": {"matchers": {"$.x": ")" +
            matcher + R"("}}}}]})"),
        "")
        << matcher;
}

// The schema's lists are the code's lists, in order: a kind or matcher added to
// vocabulary/ must be added to scenarios/schema.json too, and the schema offers nothing else.
TEST_F(Schema, ProtocolAndMatcherEnumsAreTheVocabularysLists) {
  std::vector<std::string> kinds, matchers;
  for (auto name : protocol::scenario_kind_names())
    kinds.emplace_back(name);
  for (auto name : compare::matcher_names())
    matchers.emplace_back(name);
  EXPECT_EQ(strings("/$defs/expect/properties/protocol/enum"), kinds);
  EXPECT_EQ(strings("/$defs/expect/properties/rules/properties/matchers/additionalProperties/enum"),
            matchers);
}

TEST(BundledScenarios, AllParse) {
  auto files = find_scenario_files({KONFORM_SOURCE_DIR "/scenarios"});
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_GE(files->size(), 8u);
  std::size_t steps = 0;
  // The goldens sit beside scenarios/: the source tree is the root (also without a .git, as in
  // a release tarball).
  ParseOptions options;
  options.roots = {KONFORM_SOURCE_DIR};
  for (const auto& f : *files) {
    auto s = load_scenario(f, options);
    EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
    if (s) steps += s->steps.size();
  }
  EXPECT_GE(steps, 30u);
}

} // namespace
} // namespace konform::scenario
