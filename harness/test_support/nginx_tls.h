#pragma once
// nginx serving the files of a scratch folder over TLS with a throwaway self-signed certificate
// for 127.0.0.1 (subject and IP subjectAltName, so a client that verifies it against cert_file()
// accepts it). Header-only, test programs only; up() is false when nginx (Debian nginx-light) is
// not installed, and the test skips.
#include "core/file.h"
#include "test_support/scratch_dir.h"

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
#include <string>
#include <thread>

namespace konform::test_support {

class NginxTls {
public:
  // `listen_options`: "ssl" (HTTP/1.1) or "ssl http2"; `files` are written to the served folder.
  explicit NginxTls(const std::string& listen_options = "ssl") : dir_("konform-nginx-tls") {
    if (std::system("command -v nginx >/dev/null 2>&1") != 0) return;
    write_certificate();
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
                                   "/www; default_type application/json; }\n  }\n}\n");
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
  NginxTls(const NginxTls&) = delete;
  NginxTls& operator=(const NginxTls&) = delete;

  bool up() const { return up_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string cert_file() const { return dir_.path("cert.pem"); }
  void serve(const std::string& name, const std::string& content) const {
    dir_.write("www/" + name, content);
  }

private:
  static std::uint16_t free_port() {
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

  void write_certificate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    if (X509_EXTENSION* san =
            X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1")) {
      X509_add_ext(cert, san, -1);
      X509_EXTENSION_free(san);
    }
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

  ScratchDir dir_;
  std::uint16_t port_ = 0;
  bool up_ = false;
};

} // namespace konform::test_support
