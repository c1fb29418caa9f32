#include "json/document.h"
#include "json/locate.h"
#include "json/writer.h"

#include <gtest/gtest.h>

namespace konform::json {

TEST(Locate, ReportsLineAndColumnOfSyntaxErrors) {
  auto loc = locate_error("{\n  \"a\": 1,\n  \"b\": [1, 2,]\n}");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->line, 3u);
  EXPECT_EQ(loc->column, 14u);
  EXPECT_NE(loc->what.find("trailing comma"), std::string::npos);
}

TEST(Locate, ValidDocumentHasNoError) {
  EXPECT_FALSE(locate_error(R"({"a":[1,2.5e3,-0,"x\u00e9"],"b":null})").has_value());
}

TEST(Locate, MissingCommaAndSingleQuotes) {
  auto loc = locate_error("{\"a\": 1 \"b\": 2}");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->column, 9u);
  auto q = locate_error("{'a': 1}");
  ASSERT_TRUE(q);
  EXPECT_NE(q->what.find("double quotes"), std::string::npos);
}

TEST(Locate, FindsTheValueAtAPath) {
  std::string text =
      "{\n \"steps\": [\n  {\"name\": \"a\"},\n  {\"expect\": {\"status\": \"x\"}}\n ]\n}";
  std::vector<PathStep> path{{"steps"}, {"", 1, true}, {"expect"}, {"status"}};
  auto loc = locate_path(text, path);
  EXPECT_EQ(loc.line, 4u);
  EXPECT_EQ(loc.column, 25u);
}

TEST(Locate, FindsValuesUnderKeysWrittenWithEscapes) {
  // The keys are "a\"b", "été" and "😀" (a surrogate pair); each is found at its own line,
  // not at its parent's.
  std::string text = "{\n \"a\\\"b\": 1,\n \"\\u00e9t\\u00E9\": 2,\n \"\\ud83d\\ude00\": 3\n}";
  std::vector<PathStep> quote{{"a\"b"}};
  EXPECT_EQ(locate_path(text, quote).line, 2u);
  std::vector<PathStep> accents{{"\xC3\xA9t\xC3\xA9"}};
  EXPECT_EQ(locate_path(text, accents).line, 3u);
  std::vector<PathStep> emoji{{"\xF0\x9F\x98\x80"}};
  auto loc = locate_path(text, emoji);
  EXPECT_EQ(loc.line, 4u);
  EXPECT_EQ(loc.column, 18u);
}

TEST(Document, ParseErrorNamesOriginLineAndColumn) {
  auto r = Document::parse("[1,\n 2\n", "golden/x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("golden/x.json:3:1: invalid JSON", 0), 0u) << r.error().message;
}

TEST(Writer, CompactAndPrettyOutput) {
  auto doc = Document::parse(R"({"b":[1,"two\n",true,null,{}],"a":-5,"c":1.5})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(compact(doc->root()), R"({"b":[1,"two\n",true,null,{}],"a":-5,"c":1.5})");
  EXPECT_EQ(pretty(doc->root()), "{\n  \"b\": [\n    1,\n    \"two\\n\",\n    true,\n    null,\n"
                                 "    {}\n  ],\n  \"a\": -5,\n  \"c\": 1.5\n}\n");
}

TEST(Writer, EscapesControlCharacters) {
  std::string out;
  append_quoted(out, std::string("a\x01\"\\", 4));
  EXPECT_EQ(out, "\"a\\u0001\\\"\\\\\"");
}

// Found by the exchange fuzzer: `validate --json` quoted a file's bytes (0x8E in a member name)
// in its report, which then was not JSON. Whatever a string holds, the output must parse.
TEST(Writer, WritesBytesThatAreNotUtf8AsReplacementCharacters) {
  std::string out;
  append_quoted(out, "ok \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 "); // é € 😀 stay as they are
  EXPECT_EQ(out, "\"ok \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \"");
  for (std::string bad : {"\x8E", "\xFF", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xE2\x82"}) {
    out.clear();
    append_quoted(out, "a" + bad + "b");
    EXPECT_EQ(out.substr(0, 2), "\"a") << out;
    EXPECT_EQ(out.substr(out.size() - 2), "b\"") << out;
    EXPECT_NE(out.find("\\ufffd"), std::string::npos) << out;
    EXPECT_TRUE(Document::parse(out).ok()) << out;
  }
}

} // namespace konform::json
