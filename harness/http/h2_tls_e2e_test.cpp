// check's HTTP/2 over TLS: ALPN "h2" against nginx with an `ssl http2` listener (a throwaway
// self-signed certificate; the client runs insecure), and the clear error when the server's TLS
// listener does not offer h2. Skips when nginx (Debian nginx-light) is not installed.
#include "core/file.h"
#include "http/client.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace konform::http {
namespace {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// nginx serving {"ok":true} over TLS; `listen_options`: "ssl http2" or "ssl" (HTTP/1.1 only).
class NginxTls {
public:
  explicit NginxTls(const std::string& listen_options) : dir_("konform-nginx-tls") {
    if (std::system("command -v nginx >/dev/null 2>&1") != 0) return;
    write_certificate();
    dir_.write("small.json", "{\"ok\":true}");
    const auto d = dir_.path();
    for (int attempt = 0; attempt < 3 && !up_; ++attempt) {
      port_ = free_port();
      dir_.write("nginx.conf", "worker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
                                   "/error.log;\ndaemon on;\nevents {}\nhttp {\n  access_log off;\n"
                                   "  client_body_temp_path " +
                                   d + "; proxy_temp_path " + d + "; fastcgi_temp_path " + d +
                                   ";\n  uwsgi_temp_path " + d + "; scgi_temp_path " + d +
                                   ";\n  server {\n    listen 127.0.0.1:" + std::to_string(port_) +
                                   " " + listen_options + ";\n    ssl_certificate " + d +
                                   "/cert.pem;\n    ssl_certificate_key " + d +
                                   "/key.pem;\n    location / { root " + d +
                                   "; default_type application/json; }\n  }\n}\n");
      up_ = std::system(("nginx -c " + d + "/nginx.conf -p " + d + " 2>/dev/null").c_str()) == 0;
    }
    if (up_) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ~NginxTls() {
    if (!up_) return;
    auto pid = file::read(dir_.path("nginx.pid"));
    if (pid.ok()) ::kill(std::atoi(pid->c_str()), SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool up() const { return up_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string certificate() const { return dir_.path("cert.pem"); }

private:
  void write_certificate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    // The address as a subject alternative name: host name verification of an IP address
    // (--ca-file without --insecure) looks there, not at the CN.
    X509_set_version(cert, 2);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, const_cast<char*>("IP:127.0.0.1"));
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());
    FILE* c = std::fopen(dir_.path("cert.pem").c_str(), "w");
    PEM_write_X509(c, cert);
    std::fclose(c);
    FILE* k = std::fopen(dir_.path("key.pem").c_str(), "w");
    PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
    X509_free(cert);
    EVP_PKEY_free(key);
  }

  test_support::ScratchDir dir_;
  std::uint16_t port_ = 0;
  bool up_ = false;
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
    trusting.ca_file = nginx.certificate();
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
