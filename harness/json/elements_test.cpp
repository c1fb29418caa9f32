#include "json/elements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace konform::json {
namespace {

using Layout = ElementSplitter::Layout;
using Ending = ElementSplitter::Ending;
using ::testing::ElementsAre;

std::vector<std::string> texts(std::string_view text, const std::vector<ElementSpan>& spans) {
  std::vector<std::string> out;
  for (const auto& s : spans)
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

std::vector<std::string> elements_of(std::string_view text, Layout layout) {
  auto r = split_elements(text, layout);
  EXPECT_FALSE(r.error_at) << text << ": " << r.error;
  return texts(text, r.elements);
}

TEST(ElementSplitter, ClosedUnclosedAndTrailingCommaArrays) {
  auto closed = split_elements(R"([{"a":1}, [2,3] ,"x]", 4, null])", Layout::array);
  EXPECT_FALSE(closed.error_at);
  EXPECT_EQ(closed.ending, Ending::closed);
  EXPECT_THAT(texts(R"([{"a":1}, [2,3] ,"x]", 4, null])", closed.elements),
              ElementsAre(R"({"a":1})", "[2,3]", R"("x]")", "4", "null"));

  auto unclosed = split_elements("[{\"h\":1},\n{\"r\":2},\n", Layout::array);
  EXPECT_FALSE(unclosed.error_at);
  EXPECT_EQ(unclosed.ending, Ending::unclosed);
  EXPECT_EQ(unclosed.elements.size(), 2u);

  auto comma = split_elements("[{\"h\":1},\n{\"e\":2},\n]", Layout::array);
  EXPECT_FALSE(comma.error_at);
  EXPECT_EQ(comma.ending, Ending::trailing_comma);
  EXPECT_EQ(comma.elements.size(), 2u);

  // A number last in an unclosed array is complete: nothing could follow it but ',' or ']'.
  auto number_last = split_elements("[1, 23", Layout::array);
  EXPECT_FALSE(number_last.error_at);
  EXPECT_EQ(number_last.ending, Ending::unclosed);
  EXPECT_THAT(texts("[1, 23", number_last.elements), ElementsAre("1", "23"));
}

TEST(ElementSplitter, EmptyArraysAndWhitespace) {
  for (std::string_view empty : {"[]", " \r\n\t[ \n ] \n", "["}) {
    auto r = split_elements(empty, Layout::array);
    EXPECT_FALSE(r.error_at) << empty;
    EXPECT_TRUE(r.elements.empty()) << empty;
  }
  EXPECT_EQ(split_elements("[", Layout::array).ending, Ending::unclosed);
  EXPECT_TRUE(split_elements("", Layout::sequence).elements.empty());
  EXPECT_FALSE(split_elements("\n\n  \n", Layout::sequence).error_at);
  EXPECT_THAT(elements_of("\n{\"a\":1}\n\n\n[1,2]\n  true\n", Layout::sequence),
              ElementsAre("{\"a\":1}", "[1,2]", "true"));
  EXPECT_THAT(elements_of("{\"a\":1},\n{\"b\":2},\n", Layout::sequence),
              ElementsAre("{\"a\":1}", "{\"b\":2}"));
  EXPECT_THAT(elements_of("[ 1 ,\n\n 2 ]", Layout::array), ElementsAre("1", "2"));
}

TEST(ElementSplitter, StringsHideBracketsCommasAndEscapedQuotes) {
  std::string_view text = R"([{"s":"a]},{\"[","t":"\\"}, "\\\"]", "}"])";
  EXPECT_THAT(elements_of(text, Layout::array),
              ElementsAre(R"({"s":"a]},{\"[","t":"\\"})", R"("\\\"]")", R"("}")"));
}

TEST(ElementSplitter, ACutOffFinalElementIsAnErrorAtItsStart) {
  std::string_view text = "[{\"h\":1},\n{\"row\":{\"columns\":[1,";
  auto r = split_elements(text, Layout::array);
  ASSERT_TRUE(r.error_at);
  EXPECT_EQ(*r.error_at, 10u);
  EXPECT_THAT(r.error, ::testing::HasSubstr("cut off"));
  EXPECT_EQ(r.elements.size(), 1u); // the complete ones are kept
  auto in_string = split_elements("{\"a\":1}\n\"unterminated", Layout::sequence);
  ASSERT_TRUE(in_string.error_at);
  EXPECT_EQ(*in_string.error_at, 8u);
}

TEST(ElementSplitter, TextThatIsNoStreamOfElementsIsAnErrorThatSaysWhere) {
  auto after = split_elements("[1,2] x", Layout::array);
  ASSERT_TRUE(after.error_at);
  EXPECT_EQ(*after.error_at, 6u);
  EXPECT_EQ(after.error, "text after the closing ']'");
  auto doubled = split_elements("[1,,2]", Layout::array);
  ASSERT_TRUE(doubled.error_at);
  EXPECT_EQ(*doubled.error_at, 3u);
  EXPECT_EQ(doubled.error, "unexpected ',' between elements: expected an element or ']'");
  auto missing_comma = split_elements("[{} {}]", Layout::array);
  ASSERT_TRUE(missing_comma.error_at);
  EXPECT_EQ(*missing_comma.error_at, 4u);
  auto leading = split_elements("[,1]", Layout::array);
  EXPECT_TRUE(leading.error_at);
  auto not_array = split_elements("{}", Layout::array);
  EXPECT_TRUE(not_array.error_at);
  auto stray = split_elements("{}\n]", Layout::sequence);
  ASSERT_TRUE(stray.error_at);
  EXPECT_EQ(*stray.error_at, 3u);
  // After an error nothing more is read.
  ElementSplitter s(Layout::array);
  s.feed("[1,,2,3]");
  s.finish();
  EXPECT_EQ(s.elements().size(), 1u);
}

TEST(ElementSplitter, AnyChunkBoundariesGiveTheSameElements) {
  // Every way of cutting the text in two or three pieces (inside strings, escapes, numbers,
  // literals and between elements) gives what one piece gives.
  const std::string text =
      "[{\"header\":{\"schema\":\"`A` STRING\"}},\n{\"row\":{\"columns\":[\"a\\\"]\\\\\",12.5]}},"
      "\n true , null,-7,\n]";
  auto whole = split_elements(text, Layout::array);
  ASSERT_FALSE(whole.error_at) << whole.error;
  ASSERT_EQ(whole.elements.size(), 5u);
  ASSERT_EQ(whole.ending, Ending::trailing_comma);
  for (std::size_t a = 0; a <= text.size(); ++a)
    for (std::size_t b = a; b <= text.size(); b += 7) {
      ElementSplitter s(Layout::array);
      s.feed(std::string_view(text).substr(0, a));
      s.feed(std::string_view(text).substr(a, b - a));
      s.feed(std::string_view(text).substr(b));
      s.finish();
      ASSERT_FALSE(s.error_at()) << a << " " << b << ": " << s.error();
      ASSERT_EQ(s.elements(), whole.elements) << a << " " << b;
      ASSERT_EQ(s.ending(), whole.ending) << a << " " << b;
    }
  // One byte at a time, a sequence too.
  const std::string lines = "{\"a\":\"x\\\\\"}\n[1,2]\nfalse\n\"s\"";
  auto once = split_elements(lines, Layout::sequence);
  ElementSplitter bytes(Layout::sequence);
  for (char c : lines)
    bytes.feed(std::string_view(&c, 1));
  bytes.finish();
  EXPECT_EQ(bytes.elements(), once.elements);
  EXPECT_EQ(once.elements.size(), 4u);
}

TEST(ElementSplitter, JoinMakesOneArray) {
  std::string_view text = "[{\"a\":1},\n\n2,\n";
  auto r = split_elements(text, Layout::array);
  EXPECT_EQ(join_elements(text, r.elements), "[{\"a\":1},2]");
  EXPECT_EQ(join_elements("", {}), "[]");
}

} // namespace
} // namespace konform::json
