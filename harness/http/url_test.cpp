#include "http/url.h"

#include <gtest/gtest.h>

namespace konform::http {

TEST(Url, ParsesSchemesPortsAndTargets) {
  auto u = parse_url("https://example.kusto.windows.net");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
  auto v = parse_url("http://[::1]:8080/prefix?x=1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 8080);
  EXPECT_EQ(v->origin(), "http://[::1]:8080");
  EXPECT_EQ(join_target(*v, "/v1/rest/ping"), "/prefix/v1/rest/ping");
}

TEST(Url, RejectsWhatCannotBeUsedWithAReason) {
  auto a = parse_url("ftp://x");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("http://"), std::string::npos);
  EXPECT_FALSE(parse_url("http://host:99999").ok());
  EXPECT_FALSE(parse_url("http://user:secret@host").ok());
}

} // namespace konform::http
