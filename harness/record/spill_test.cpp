// The spill file round trip without a proxy: what a thread appends reads back in order, bodies
// from the file; a file cut short is an error naming it, never a read of a length it cannot hold.
#include "record/spill.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace konform::record {
namespace {

Exchange exchange(const std::string& target, std::string body) {
  Exchange e;
  e.method = "POST";
  e.target = target;
  e.request_headers.emplace_back("Content-Type", "application/json");
  e.status = 200;
  e.response_body.bytes = std::move(body);
  return e;
}

TEST(Spill, ExchangesReadBackInOrderAndAFileCutShortIsNamed) {
  test_support::ScratchDir dir("konform-spill");
  auto sealer = Sealer::make();
  ASSERT_TRUE(sealer);
  std::string path;
  std::uint64_t nonce = 0;
  {
    SpillWriter writer(dir.path(), sealer, 0);
    ASSERT_TRUE(writer.append(exchange("/v1/rest/query", "{\"a\":1}"), 7).ok());
    ASSERT_TRUE(writer.append(exchange("/v2/rest/query", std::string(40000, 'x')), 9).ok());
    ASSERT_TRUE(writer.flush().ok());
    path = writer.path();
    nonce = writer.nonce();
  }
  auto read = read_spill(path, sealer, nonce, 2);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].order, 7u);
  EXPECT_EQ((*read)[0].exchange.target, "/v1/rest/query");
  EXPECT_EQ((*read)[1].exchange.target, "/v2/rest/query");
  auto body = load((*read)[1].exchange.response_body);
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, std::string(40000, 'x'));

  // Cut inside the second record: the first still reads, the second is named as not whole.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 20000);
  auto cut = read_spill(path, sealer, nonce, 2);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find(path + ": the spill file's record at byte "),
            std::string::npos)
      << cut.error().message;
  EXPECT_NE(cut.error().message.find("not a whole record"), std::string::npos)
      << cut.error().message;
}

} // namespace
} // namespace konform::record
