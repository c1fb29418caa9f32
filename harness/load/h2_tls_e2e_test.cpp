// load on an https:// URL (HTTP/1.1 and, mostly, --http2: HTTP/2 over TLS chosen by ALPN h2),
// against nginx's `ssl http2` listener with a throwaway certificate for 127.0.0.1
// (test_support/nginx_tls.h), run as a user runs it. The certificate is verified (--ca-file trusts
// it; without it the run is refused), and a TLS listener without HTTP/2 is one clear error. Skips
// when nginx (Debian nginx-light) is not installed.
#include "core/file.h"
#include "test_support/nginx_tls.h"
#include "test_support/run_binary.h"
#include "test_support/scratch_dir.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <string>

namespace konform::load {
namespace {

using test_support::run_binary;

// From a --json result: the requests answered, and how many with `status`.
struct Answered {
  std::uint64_t requests = 0, with_status = 0, errors = 0;
};
Answered answered(const std::string& json_path, const char* status) {
  Answered a;
  auto text = file::read(json_path);
  EXPECT_TRUE(text.ok()) << json_path;
  if (!text.ok()) return a;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(*text).get(root), simdjson::SUCCESS) << *text;
  // A member that is not there stays 0 (a run with no such status has no entry for it).
  if (root["requests"].get(a.requests) != simdjson::SUCCESS) a.requests = 0;
  if (root["status"][status].get(a.with_status) != simdjson::SUCCESS) a.with_status = 0;
  if (root["errors"]["total"].get(a.errors) != simdjson::SUCCESS) a.errors = 0;
  return a;
}

struct NginxTls : test_support::NginxTls {
  explicit NginxTls(const std::string& listen_options) : test_support::NginxTls(listen_options) {
    serve("small.json", "{\"ok\":true}");
  }
};

TEST(LoadHttp2Tls, EveryRequestIsAnsweredOverHttp2WithTheCaFileTrusted) {
  NginxTls nginx("ssl http2");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  const test_support::ScratchDir scratch("konform-load-h2-tls");
  const auto json = scratch.path("run.json");
  const auto run = run_binary("load --http2 --url " + nginx.url() + "/small.json --ca-file " +
                              nginx.cert_file() + " -t 2 -c 2 -m 8 -n 1000 -q --json " + json +
                              " --threshold 'error_rate<0.01%'");
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("http=2 max_concurrent_streams=8"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("target=" + nginx.url()), std::string::npos) << run.output;
  // Every one of the 1000 requests came back 200 (fewer than nginx's keepalive_requests, 1000, on
  // each connection: no GOAWAY, whose last streams nginx 1.22 may leave unanswered, h2_e2e_test).
  const auto a = answered(json, "200");
  EXPECT_EQ(a.requests, 1000u);
  EXPECT_EQ(a.with_status, 1000u);
  EXPECT_EQ(a.errors, 0u);
}

// The open model and --insecure (no verification) over the same transport.
TEST(LoadHttp2Tls, OpenModelKeepsTheRateWithInsecure) {
  NginxTls nginx("ssl http2");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  const test_support::ScratchDir scratch("konform-load-h2-tls-open");
  const auto json = scratch.path("run.json");
  const auto run = run_binary("load --http2 --insecure --url " + nginx.url() +
                              "/small.json -t 1 -c 2 -m 4 -R 400 -d 1s -q --json " + json);
  ASSERT_EQ(run.code, 0) << run.output;
  const auto a = answered(json, "200");
  EXPECT_EQ(a.requests, 400u);
  EXPECT_EQ(a.with_status, 400u);
  EXPECT_EQ(a.errors, 0u);
}

// A certificate nobody vouches for: refused before the run (exit 3, runtime), with the way out
// named, in well under the 5 s the run would take.
TEST(LoadHttp2Tls, AnUntrustedCertificateIsRefusedAtOnce) {
  NginxTls nginx("ssl http2");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  const auto started = std::chrono::steady_clock::now();
  const auto run = run_binary("load --http2 --url " + nginx.url() + "/small.json -c 2 -d 5s -q");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_NE(run.output.find("certificate verify failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("use --ca-file"), std::string::npos) << run.output;
}

// Over HTTP/1.1 too: an untrusted certificate is one clear error before the run, where the run
// used to count one connect error per attempt and then ask whether the target was running.
TEST(LoadHttp1Tls, AnUntrustedCertificateIsRefusedAtOnce) {
  NginxTls nginx("ssl");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  const auto started = std::chrono::steady_clock::now();
  const auto run = run_binary("load --url " + nginx.url() + "/small.json -c 2 -d 5s -q");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_NE(run.output.find("certificate verify failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("use --ca-file"), std::string::npos) << run.output;
  // Trusted, the same target answers every request.
  const test_support::ScratchDir scratch("konform-load-tls");
  const auto trusted =
      run_binary("load --url " + nginx.url() + "/small.json --ca-file " + nginx.cert_file() +
                 " -c 2 -n 50 -q --json " + scratch.path("r.json"));
  EXPECT_EQ(trusted.code, 0) << trusted.output;
  EXPECT_EQ(answered(scratch.path("r.json"), "200").with_status, 50u);
}

// A TLS listener without HTTP/2 (nginx `ssl` only: it refuses ALPN h2) is one clear error, not
// a hang or a run of failed connects.
TEST(LoadHttp2Tls, AServerWithoutH2IsOneClearError) {
  NginxTls nginx("ssl");
  if (!nginx.up()) GTEST_SKIP() << "nginx is not installed (Debian nginx-light): skipped";
  const auto started = std::chrono::steady_clock::now();
  const auto run = run_binary("load --http2 --url " + nginx.url() + "/small.json --ca-file " +
                              nginx.cert_file() + " -c 2 -d 5s -q");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_NE(run.output.find("did not agree to HTTP/2 in the TLS handshake (ALPN h2)"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("drop --http2"), std::string::npos) << run.output;
}

// An unreadable --ca-file is bad input (exit 2), named, before anything connects.
TEST(LoadHttp2Tls, AnUnreadableCaFileIsBadInput) {
  const test_support::ScratchDir scratch("konform-load-h2-tls-ca");
  scratch.write("not-a-cert.pem", "hello\n");
  const auto run = run_binary("load --http2 --url https://127.0.0.1:9/ --ca-file " +
                              scratch.path("not-a-cert.pem") + " -n 1 -q");
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_NE(run.output.find("--ca-file"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("not readable as PEM"), std::string::npos) << run.output;
}

} // namespace
} // namespace konform::load
