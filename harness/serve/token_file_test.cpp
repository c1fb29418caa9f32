#include "serve/token_file.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace konform::serve {
namespace {

TEST(TokenFile, ReadsTheTokenWithoutItsTrailingNewline) {
  test_support::ScratchDir dir;
  EXPECT_EQ(read_token_file(dir.write("lf", "s3cret\n")).value(), "s3cret");
  EXPECT_EQ(read_token_file(dir.write("crlf", "s3cret\r\n")).value(), "s3cret");
  EXPECT_EQ(read_token_file(dir.write("bare", "s3cret")).value(), "s3cret");
}

TEST(TokenFile, BadFilesAreClearErrorsThatNeverShowTheContent) {
  test_support::ScratchDir dir;
  auto error_of = [](const std::string& path) {
    auto r = read_token_file(path);
    EXPECT_FALSE(r.ok()) << path;
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_NE(error_of(dir.path("missing")).find("no such file"), std::string::npos);
  EXPECT_NE(error_of(dir.write("empty", "\n")).find("empty"), std::string::npos);
  auto two = error_of(dir.write("two", "s3cret\nmore\n"));
  EXPECT_NE(two.find("more than one line"), std::string::npos) << two;
  EXPECT_EQ(two.find("s3cret"), std::string::npos) << two;
  EXPECT_NE(error_of(dir.path()).find("not a regular file"), std::string::npos);
  EXPECT_NE(error_of("/dev/zero").find("not a regular file"), std::string::npos);
  auto fifo = dir.path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(error_of(fifo).find("not a regular file"), std::string::npos);
  EXPECT_NE(error_of(dir.write("big", std::string(100000, 'a'))).find("larger than"),
            std::string::npos);
}

} // namespace
} // namespace konform::serve
