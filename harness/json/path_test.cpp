#include "json/document.h"
#include "json/path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::json {
namespace {

using ::testing::HasSubstr;

std::string round_trip(std::string_view text) {
  auto p = Path::parse(text);
  if (!p) return "error: " + p.error().message;
  return p->str();
}

std::string error_of(std::string_view text) {
  auto p = Path::parse(text);
  return p ? "parsed" : p.error().message;
}

TEST(Path, RendersTheCanonicalText) {
  Path p;
  EXPECT_EQ(p.str(), "$");
  p.push_key("Tables");
  p.push_index(0);
  p.push_key("Rows");
  p.push_index(3);
  p.push_index(1);
  EXPECT_EQ(p.str(), "$.Tables[0].Rows[3][1]");
  p.pop();
  p.set_index(7);
  EXPECT_EQ(p.str(), "$.Tables[0].Rows[7]");
  EXPECT_EQ(p.depth(), 4u);
}

TEST(Path, QuotesNamesThatAreNotPlain) {
  Path p;
  for (std::string_view key :
       {"@type", "a-b", "$id", "_x9", "a b", "0abc", "", "é", "a.b", "a\"b", "tab\there", "[0]"})
    p.push_key(key);
  EXPECT_EQ(p.str(), R"($.@type.a-b.$id._x9["a b"]["0abc"][""]["é"]["a.b"]["a\"b"]["tab\there"])"
                     R"(["[0]"])");
}

TEST(Path, ParsesWhatItRenders) {
  for (std::string_view text :
       {"$", "$[0]", "$.a.b", "$.Tables[0].Rows[3][1]", R"($["a b"].c)", R"($["a\"b\\c"])",
        R"($["line\nbreak"])", R"($["\u0001"])", R"($[""])", "$[18446744073709551615]"})
    EXPECT_EQ(round_trip(text), text);
}

TEST(Path, RoundTripsOddKeysThroughItsText) {
  Path p;
  for (std::string_view key :
       {"a b", "a\"b", "back\\slash", "new\nline", "\x01", "é", "", "]", "'", "x.y[0]", "$"})
    p.push_key(key);
  p.push_index(42);
  auto back = Path::parse(p.str());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, p);
}

TEST(Path, AcceptsTheOtherSpellingsOfAStep) {
  // Single quotes, a non-plain name after '.', \u escapes (with a surrogate pair): one path each.
  auto p = Path::parse(R"($['a b'].c d["\u00e9\ud83d\ude00"]['it\'s'])");
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->depth(), 4u);
  EXPECT_EQ(p->steps()[0].key, "a b");
  EXPECT_EQ(p->steps()[1].key, "c d");
  EXPECT_EQ(p->steps()[2].key, "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(p->steps()[3].key, "it's");
  EXPECT_EQ(p->str(), R"($["a b"]["c d"]["é😀"]["it's"])");
}

TEST(Path, BadTextIsAnErrorNamingTheCharacter) {
  EXPECT_THAT(error_of("a.b"), HasSubstr("at character 1: a path starts with '$'"));
  EXPECT_THAT(error_of(""), HasSubstr("a path starts with '$'"));
  EXPECT_THAT(error_of("$."), HasSubstr("at character 3: expected a member name after '.'"));
  EXPECT_THAT(error_of("$.a[x]"), HasSubstr("at character 5: an array index is a non-negative"));
  EXPECT_THAT(error_of("$.rows[1"), HasSubstr("at character 8"));
  EXPECT_THAT(error_of("$[-1]"), HasSubstr("at character 3"));
  EXPECT_THAT(error_of("$[99999999999999999999]"), HasSubstr("too large"));
  EXPECT_THAT(error_of("$['a"), HasSubstr("at character 3: unterminated quoted key"));
  EXPECT_THAT(error_of(R"($["a"x])"), HasSubstr("unterminated quoted key"));
  EXPECT_THAT(error_of(R"($["a\q"])"), HasSubstr("at character 5: invalid escape sequence \\q"));
  EXPECT_THAT(error_of(R"($["\u12"])"), HasSubstr("four hexadecimal digits"));
  EXPECT_THAT(error_of(R"($["\ud800"])"), HasSubstr("surrogate"));
  EXPECT_THAT(error_of("$x"), HasSubstr("at character 2: expected '.' or '['"));
  // The message quotes the path and shows what a valid one looks like.
  EXPECT_THAT(error_of("$x"), HasSubstr("invalid JSON path \"$x\""));
  EXPECT_THAT(error_of("$x"), HasSubstr("$[0].commandId"));
  EXPECT_EQ(Path::parse("$x").error().kind, ErrorKind::path);
}

TEST(Path, WildcardsAreForPatternsOnly) {
  EXPECT_THAT(error_of("$.a.*"), HasSubstr("at character 5: wildcards select many values"));
  EXPECT_THAT(error_of("$..a"), HasSubstr("at character 2: wildcards select many values"));
  EXPECT_THAT(error_of(R"($["*"][*])"), HasSubstr("at character 8: [*] selects every element"));
  EXPECT_TRUE(PathPattern::parse("$.a.*").ok());
  EXPECT_TRUE(PathPattern::parse("$..a").ok());
  EXPECT_TRUE(PathPattern::parse("$[*]").ok());
}

TEST(PathPattern, MatchesConcretePaths) {
  auto matches = [](std::string_view pattern, std::string_view path) {
    auto pat = PathPattern::parse(pattern);
    auto p = Path::parse(path);
    EXPECT_TRUE(pat.ok() && p.ok()) << pattern << " " << path;
    return pat && p && pat->matches(p->steps());
  };
  EXPECT_TRUE(matches("$..ActivityId", "$.a[2].ActivityId"));
  EXPECT_TRUE(matches("$..ActivityId", "$.ActivityId"));
  EXPECT_FALSE(matches("$..ActivityId", "$.ActivityId.x"));
  EXPECT_TRUE(matches("$[*].Rows[0][2]", "$[4].Rows[0][2]"));
  EXPECT_FALSE(matches("$[*].Rows", "$.x.Rows"));
  EXPECT_TRUE(matches("$.*", "$.anything"));
  EXPECT_FALSE(matches("$.*", "$[0]"));
  EXPECT_TRUE(matches(R"($["odd key"])", "$['odd key']"));
  EXPECT_TRUE(matches("$", "$"));
  EXPECT_FALSE(matches("$", "$.a"));
  // Patterns name the character of their errors too, with a wildcard example.
  auto bad = PathPattern::parse("$..");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("$..ActivityId"));
}

TEST(Path, TextPathsGrowOneStep) {
  EXPECT_EQ(child_path("", "a b"), R"($["a b"])");
  EXPECT_EQ(child_path("$.x", "y"), "$.x.y");
  EXPECT_EQ(index_path("$.x", 3), "$.x[3]");
  EXPECT_EQ(index_path("", 0), "$[0]");
}

TEST(Path, ValueAtFollowsTheSteps) {
  auto doc = Document::parse(R"({"a": [{"b c": 5}], "n": null})");
  ASSERT_TRUE(doc.ok());
  auto v = value_at(doc->root(), Path::parse(R"($.a[0]["b c"])")->steps());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(int64_t(*v), 5);
  EXPECT_FALSE(value_at(doc->root(), Path::parse("$.a[1]")->steps()).has_value());
  EXPECT_FALSE(value_at(doc->root(), Path::parse("$.n.x")->steps()).has_value());
  EXPECT_FALSE(value_at(doc->root(), Path::parse("$[0]")->steps()).has_value());
  EXPECT_TRUE(value_at(doc->root(), Path().steps()).has_value());
}

} // namespace
} // namespace konform::json
