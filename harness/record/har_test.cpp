#include "core/base64.h"
#include "core/gzip.h"
#include "record/har.h"

#include <gtest/gtest.h>

namespace konform::record {
namespace {

std::string har(const std::string& entries, const std::string& version = "1.2") {
  return R"({"log": {"version": ")" + version +
         R"(", "creator": {"name": "t", "version": "1"}, "entries": [)" + entries + "]}}";
}

TEST(Har, ReadsRequestsAndDecodedResponses) {
  std::string gz = base64::encode(gzip::compress("a,1\n"));
  auto exchanges = parse_har(
      har(R"({"request": {"method": "POST", "url": "http://127.0.0.1:8080/v1/rest/ingest/Db/T?streamFormat=csv",
              "headers": [{"name": "Content-Encoding", "value": "gzip"}],
              "postData": {"mimeType": "application/octet-stream", "text": ")" +
          gz + R"(", "encoding": "base64"}},
          "response": {"status": 200, "headers": [], "content": {"size": 2, "text": "{}"}}},
         {"request": {"method": "GET", "url": "http://h/x", "headers": []},
          "response": {"status": 0, "headers": [], "content": {}}})"),
      "t.har");
  ASSERT_TRUE(exchanges.ok()) << exchanges.error().message;
  ASSERT_EQ(exchanges->size(), 1u); // the aborted entry is skipped
  const auto& e = (*exchanges)[0];
  EXPECT_EQ(e.target, "/v1/rest/ingest/Db/T?streamFormat=csv");
  EXPECT_EQ(*gzip::decompress(e.request_body.bytes), "a,1\n");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.response_body.bytes, "{}");
  EXPECT_TRUE(e.response_decoded);
}

TEST(Har, NotJsonIsLocated) {
  auto r = parse_har("{\"log\": {\n  \"version\": \"1.2\",\n  \"entries\": [}\n}", "bad.har");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::format);
  EXPECT_EQ(r.error().message.rfind("bad.har:3:", 0), 0u) << r.error().message;
}

TEST(Har, WrongVersionIsLocatedAtTheVersion) {
  auto r = parse_har("{\"log\": {\n  \"version\": \"1.1\", \"entries\": []}}", "old.har");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("old.har:2:14: HAR version \"1.1\"", 0), 0u)
      << r.error().message;
}

TEST(Har, NotAnArchiveAndBadEntriesAreLocated) {
  auto top = parse_har("[1, 2]", "x.har");
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.error().message.find("x.har:1:1: not an HTTP Archive"), std::string::npos);
  auto url = parse_har(har(R"({"request": {"method": "GET", "url": "ftp://x/", "headers": []},
      "response": {"status": 200, "headers": [], "content": {}}})"),
                       "u.har");
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.error().message.find("u.har:1:"), std::string::npos) << url.error().message;
  auto status = parse_har(har(R"({"request": {"method": "GET", "url": "http://x/", "headers": []},
      "response": {"status": "200", "headers": [], "content": {}}})"),
                          "s.har");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("\"status\" must be"), std::string::npos);
}

} // namespace
} // namespace konform::record
