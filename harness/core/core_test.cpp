#include "core/base64.h"
#include "core/file.h"
#include "core/gzip.h"
#include "core/ids.h"
#include "core/regex.h"
#include "core/text.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>

namespace konform {

TEST(Gzip, RoundTripsAndRecognisesMagic) {
  std::string data(100000, 'x');
  auto packed = gzip::compress(data);
  EXPECT_TRUE(gzip::looks_like_gzip(packed));
  EXPECT_LT(packed.size(), data.size() / 10);
  auto back = gzip::decompress(packed);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, data);
}

TEST(Gzip, RejectsBodiesThatAreNotGzip) {
  auto r = gzip::decompress("a,b,c\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not gzip"), std::string::npos);
}

TEST(Gzip, StopsAtTheDecompressedSizeLimit) {
  auto bomb = gzip::compress(std::string(1 << 20, '\0'));
  auto r = gzip::decompress(bomb, gzip::Format::gzip, 4096);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("exceeds the limit"), std::string::npos);
}

TEST(Gzip, DeflateAcceptsZlibAndRawStreams) {
  for (auto f : {gzip::Format::zlib_deflate, gzip::Format::raw_deflate}) {
    auto r = gzip::decompress(gzip::compress("hello", f), gzip::Format::zlib_deflate);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "hello");
  }
}

TEST(Gzip, TruncatedInputIsAnError) {
  auto packed = gzip::compress(std::string(5000, 'y'));
  EXPECT_FALSE(gzip::decompress(packed.substr(0, packed.size() / 2)).ok());
}

TEST(Gzip, ConcatenatedMembersAreOneBody) {
  auto r = gzip::decompress(gzip::compress("a,1\n") + gzip::compress("b,2\n"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "a,1\nb,2\n");
}

TEST(Gzip, TrailingBytesAfterTheLastMemberAreAnError) {
  auto packed = gzip::compress("a,1\n");
  for (std::string garbage : {std::string("x"), std::string(8, '\0'), std::string("\x1f")}) {
    auto r = gzip::decompress(packed + garbage);
    ASSERT_FALSE(r.ok()) << "garbage of " << garbage.size() << " bytes accepted";
    EXPECT_NE(r.error().message.find(std::to_string(garbage.size()) + " trailing bytes"),
              std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("at byte " + std::to_string(packed.size())), std::string::npos)
        << r.error().message;
  }
  // The same for deflate, both framings.
  for (auto f : {gzip::Format::zlib_deflate, gzip::Format::raw_deflate}) {
    auto r = gzip::decompress(gzip::compress("hello", f) + "junk", gzip::Format::zlib_deflate);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("4 trailing bytes"), std::string::npos) << r.error().message;
  }
}

TEST(Gzip, ABombStopsAtTheLimitWithoutGrowingPastIt) {
  // 256 MiB of zeros is ~250 KB compressed; with a 1 MiB limit only a little over 1 MiB is ever
  // inflated. The kind lets callers answer 413 instead of 400.
  std::string zeros(std::size_t(1) << 24, '\0');
  std::string member = gzip::compress(zeros, gzip::Format::gzip, 9);
  std::string bomb;
  for (int i = 0; i < 16; ++i)
    bomb += member;
  auto r = gzip::decompress(bomb, gzip::Format::gzip, std::size_t(1) << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::limit);
  EXPECT_NE(r.error().message.find("1048576 bytes"), std::string::npos);
  // Exactly at the limit is allowed.
  auto exact = gzip::decompress(gzip::compress(std::string(5000, 'z')), gzip::Format::gzip, 5000);
  ASSERT_TRUE(exact.ok()) << exact.error().message;
  EXPECT_EQ(exact->size(), 5000u);
}

TEST(Gzip, TruncatedMemberAfterAGoodOneIsAnError) {
  auto second = gzip::compress(std::string(5000, 'q'));
  auto r = gzip::decompress(gzip::compress("ok") + second.substr(0, second.size() / 2));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;
}

TEST(Text, SizesWithUnits) {
  EXPECT_EQ(text::parse_size("1048576"), 1048576u);
  EXPECT_EQ(text::parse_size("64KiB"), 65536u);
  EXPECT_EQ(text::parse_size("256MiB"), std::uint64_t(256) << 20);
  EXPECT_EQ(text::parse_size("1g"), std::uint64_t(1) << 30);
  EXPECT_EQ(text::parse_size(" 2 MB "), std::uint64_t(2) << 20);
  EXPECT_FALSE(text::parse_size("").has_value());
  EXPECT_FALSE(text::parse_size("MiB").has_value());
  EXPECT_FALSE(text::parse_size("12 parsecs").has_value());
  EXPECT_FALSE(text::parse_size("-1").has_value());
  EXPECT_FALSE(text::parse_size("99999999999999999G").has_value()); // overflow
}

TEST(File, ReadRegularRefusesSpecialFilesAndStopsAtTheLimit) {
  auto zero = file::read_regular("/dev/zero", 1024);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("/dev/zero: is a character device"), std::string::npos);
  auto environ = file::read_regular("/proc/self/environ", 1 << 20);
  ASSERT_FALSE(environ.ok());
  EXPECT_NE(environ.error().message.find("/proc/self/environ: is a /proc or /sys file"),
            std::string::npos)
      << environ.error().message;
  test_support::ScratchDir dir;
  auto big = dir.write("big", std::string(17, 'x'));
  auto r = file::read_regular(big, 16);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::limit);
  EXPECT_NE(r.error().message.find(big + ": larger than the limit of 16 bytes"), std::string::npos);
  auto ok = file::read_regular(big, 17);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, std::string(17, 'x'));
}

TEST(Ids, Uuid4IsAGuidAndUnique) {
  auto a = ids::uuid4(), b = ids::uuid4();
  EXPECT_TRUE(ids::is_guid(a));
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_FALSE(ids::is_guid("not-a-guid"));
}

TEST(Base64, RoundTripsAllLengths) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    auto enc = base64::encode(s);
    auto dec = base64::decode(enc);
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(*dec, s);
    s += static_cast<char>(i * 37);
  }
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
  EXPECT_FALSE(base64::decode("Zm9v*").ok());
}

TEST(Text, GlobMatches) {
  EXPECT_TRUE(text::glob_match("kusto/*", "kusto/v2_query"));
  EXPECT_TRUE(text::glob_match("*ingest*", "kusto/streaming_ingest"));
  EXPECT_TRUE(text::glob_match("a?c", "abc"));
  EXPECT_FALSE(text::glob_match("ksql/*", "kusto/ping"));
}

TEST(Text, UrlDecodeAndIntegers) {
  EXPECT_EQ(text::url_decode("a%20b+c%2F"), "a b c/");
  EXPECT_EQ(text::url_decode("100%"), "100%");
  EXPECT_EQ(text::parse_int("-42"), -42);
  EXPECT_FALSE(text::parse_int("42x").has_value());
  EXPECT_TRUE(text::iequals("Content-Type", "content-type"));
}

} // namespace konform

namespace konform {
namespace {

// Found by the scenario fuzzer: libstdc++ multiplies such a count in a signed long (undefined
// behaviour) before it can refuse it. Counts up to the limit still compile and match.
TEST(CompileRegex, RepeatCountsAboveTheLimitAreRefusedBeforeStdRegex) {
  auto huge = compile_regex("^[0-9a-f]{4000000000000000000000}$");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message, "the repeat count 4000000000000000000000 is above 1000");
  EXPECT_FALSE(compile_regex("a{2,5000}").ok());
  auto fine = compile_regex("^[0-9a-f]{8}-x{2,1000}$");
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_TRUE(std::regex_match("0123abcd-xx", *fine));
  // Escaped or inside a class, a brace is a literal character, not a count.
  EXPECT_TRUE(compile_regex("\\{99999}").ok());
  EXPECT_TRUE(compile_regex("[{99999}]").ok());
  auto broken = compile_regex("(a");
  ASSERT_FALSE(broken.ok());
  EXPECT_FALSE(broken.error().message.empty());
}

} // namespace
} // namespace konform
