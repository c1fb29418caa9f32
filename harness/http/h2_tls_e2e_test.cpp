// check's HTTP/2 over TLS: ALPN "h2" against nginx with an `ssl http2` listener (a throwaway
// self-signed certificate; the client runs insecure), and the clear error when the server's TLS
// listener does not offer h2. Skips when nginx (Debian nginx-light) is not installed.
#include "core/file.h"
#include "http/client.h"
#include "test_support/nginx_tls.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace konform::http {
namespace {

// nginx serving {"ok":true} as /small.json over TLS; `listen_options`: "ssl http2" or "ssl"
// (HTTP/1.1 only).
struct NginxTls : test_support::NginxTls {
  explicit NginxTls(const std::string& listen_options) : test_support::NginxTls(listen_options) {
    serve("small.json", "{\"ok\":true}");
  }
};

TEST(H2Tls, AlpnH2GivesAnHttp2Response) {
  NginxTls nginx("ssl http2");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  ClientOptions co;
  co.insecure = true;
  Client client(*parse_url(nginx.url()), co);
  Request req;
  req.target = "/small.json";
  SendOptions so;
  so.http2 = true;
  auto r = client.send(req, so);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->http_version, 20);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"ok\":true}");
}

TEST(H2Tls, AServerWithoutH2InAlpnIsAClearError) {
  NginxTls nginx("ssl");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  ClientOptions co;
  co.insecure = true;
  Client client(*parse_url(nginx.url()), co);
  Request req;
  req.target = "/small.json";
  SendOptions so;
  so.http2 = true;
  auto r = client.send(req, so);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::tls);
  EXPECT_NE(r.error().message.find("did not agree to HTTP/2"), std::string::npos)
      << r.error().message;
  auto h1 = client.send(req, SendOptions{}); // the same client over HTTP/1.1 works
  ASSERT_TRUE(h1.ok()) << h1.error().message;
  EXPECT_EQ(h1->body, "{\"ok\":true}");
}

// Both clients open connections with one function (http/connect.h): a certificate nobody vouches
// for is refused by each, with the way out named, and --ca-file trusting it lets both through.
TEST(H2Tls, BothClientsVerifyTheServerAndTrustTheCaFile) {
  NginxTls nginx("ssl http2");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  Request req;
  req.target = "/small.json";
  SendOptions h2;
  h2.http2 = true;
  for (const auto& so : {SendOptions{}, h2}) {
    Client strict(*parse_url(nginx.url()), ClientOptions{});
    auto refused = strict.send(req, so);
    ASSERT_FALSE(refused.ok()) << "HTTP/" << (so.http2 ? "2" : "1.1");
    EXPECT_EQ(refused.error().kind, ErrorKind::tls);
    EXPECT_NE(refused.error().message.find("use --ca-file"), std::string::npos)
        << refused.error().message;

    ClientOptions trusting;
    trusting.ca_file = nginx.cert_file();
    Client client(*parse_url(nginx.url()), trusting);
    auto r = client.send(req, so);
    ASSERT_TRUE(r.ok()) << "HTTP/" << (so.http2 ? "2" : "1.1") << ": " << r.error().message;
    EXPECT_EQ(r->http_version, so.http2 ? 20 : 11);
    EXPECT_EQ(r->body, "{\"ok\":true}");
  }
}

// A --ca-file that is not a PEM file was ignored: the run then failed with "certificate verify
// failed", naming the server instead of the file.
TEST(H2Tls, ACaFileThatCannotBeReadIsNamed) {
  NginxTls nginx("ssl http2");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  Request req;
  req.target = "/small.json";
  SendOptions h2;
  h2.http2 = true;
  for (const auto& so : {SendOptions{}, h2}) {
    ClientOptions options;
    options.ca_file = "/nonexistent/konform-ca.pem";
    Client client(*parse_url(nginx.url()), options);
    auto r = client.send(req, so);
    ASSERT_FALSE(r.ok()) << "HTTP/" << (so.http2 ? "2" : "1.1");
    EXPECT_EQ(r.error().kind, ErrorKind::tls);
    EXPECT_NE(r.error().message.find("--ca-file /nonexistent/konform-ca.pem"), std::string::npos)
        << r.error().message;
  }
}

} // namespace
} // namespace konform::http
