#include "serve/response_head.h"

#include <gtest/gtest.h>

namespace konform::serve {
namespace {

TEST(ResponseHead, StatusLineHeadersInOrderAndContentLength) {
  std::string head;
  write_response_head(head, 200,
                      {{"Content-Type", "application/json"}, {"x-ms-activity-id", "abc"}},
                      {true, false, 3798});
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-ms-activity-id: "
                  "abc\r\nContent-Length: 3798\r\n\r\n");
}

TEST(ResponseHead, ClosingConnectionSaysSo) {
  std::string head;
  write_response_head(head, 431, {}, {false, false, 0});
  EXPECT_EQ(head, "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
                  "Connection: close\r\n\r\n");
}

TEST(ResponseHead, ChunkedHasNoContentLength) {
  std::string head;
  write_response_head(head, 200, {{"Content-Type", "application/json"}}, {true, true, 0});
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n");
}

TEST(ResponseHead, HandlerFramingHeadersAreReplacedNotDuplicated) {
  std::string head = "left over from the previous response";
  write_response_head(head, 404,
                      {{"content-length", "99"},
                       {"Transfer-Encoding", "chunked"},
                       {"Connection", "keep-alive"},
                       {"X-Kept", "1"}},
                      {true, false, 12});
  EXPECT_EQ(head, "HTTP/1.1 404 Not Found\r\nX-Kept: 1\r\nContent-Length: 12\r\n\r\n");
}

TEST(ResponseHead, UnlistedStatusStillHasAReason) {
  EXPECT_EQ(reason_phrase(429), "Too Many Requests");
  EXPECT_EQ(reason_phrase(299), "Unknown");
}

} // namespace
} // namespace konform::serve
