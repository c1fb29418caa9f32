// The load generator against hostile loopback servers: one that answers garbage, one that answers
// garbage every other time, one that closes in the middle of every response and one that accepts
// and never answers. Each runs on both plain-TCP backends (io_uring falls back to epoll where the
// kernel refuses it: the test then runs epoll twice and still has to pass). Every run is bounded
// (about a second, loopback only).
#include "json/document.h"
#include "load/report.h"
#include "load/run_load.h"
#include "load/threshold.h"
#include "test_support/run_binary.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

namespace konform::load {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr std::string_view good_response =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
constexpr std::string_view garbage_answer = "SSH-2.0-OpenSSH_9.2 not HTTP at all\r\n\r\n";
// Promises 1000 bytes, sends 12, then the server closes the connection.
constexpr std::string_view truncated =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    "1000\r\n\r\n{\"partial\":1";

// One Asio thread serving every connection (these servers churn through thousands of them).
class HostileServer {
public:
  enum class Mode { garbage, half_garbage, close_mid_response, silent };

  explicit HostileServer(Mode mode) : mode_(mode) {
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { ctx_.run(); });
  }
  ~HostileServer() {
    ctx_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::uint64_t good() const { return good_; }
  std::uint64_t bad() const { return bad_; } // garbage or truncated answers written

private:
  struct Session {
    explicit Session(net::io_context& ctx) : sock(ctx) {}
    tcp::socket sock;
    net::streambuf in;
  };

  void accept() {
    auto s = std::make_shared<Session>(ctx_);
    acceptor_.async_accept(s->sock, [this, s](boost::system::error_code ec) {
      if (ec) return;
      boost::system::error_code ignored;
      s->sock.set_option(tcp::no_delay(true), ignored);
      read(s);
      accept();
    });
  }

  void read(const std::shared_ptr<Session>& s) {
    net::async_read_until(s->sock, s->in, "\r\n\r\n",
                          [this, s](boost::system::error_code ec, std::size_t n) {
                            if (ec) return; // the client closed: the session ends
                            s->in.consume(n);
                            answer(s);
                          });
  }

  void answer(const std::shared_ptr<Session>& s) {
    std::string_view reply;
    bool close_after = false;
    switch (mode_) {
    case Mode::silent:
      return read(s); // holds the request (and the connection) forever
    case Mode::garbage:
      reply = garbage_answer;
      break;
    case Mode::half_garbage:
      reply = answered_++ % 2 == 0 ? good_response : garbage_answer;
      break;
    case Mode::close_mid_response:
      reply = truncated;
      close_after = true;
      break;
    }
    (reply == good_response ? good_ : bad_)++;
    boost::system::error_code ec;
    net::write(s->sock, net::buffer(reply.data(), reply.size()), ec);
    if (ec) return;
    if (close_after) {
      s->sock.close(ec); // the FIN follows the partial response at once
      return;
    }
    read(s);
  }

  Mode mode_;
  net::io_context ctx_{1};
  tcp::acceptor acceptor_{ctx_};
  std::uint16_t port_ = 0;
  std::uint64_t answered_ = 0; // server thread only
  std::atomic<std::uint64_t> good_{0}, bad_{0};
  std::thread thread_;
};

// https: the same hostile answers over TLS (a throwaway self-signed certificate; the client runs
// with --insecure). The close comes without close_notify, as a crashing server's would.
class TlsHostileServer {
public:
  enum class Mode { close_mid_response, silent };

  explicit TlsHostileServer(Mode mode) : mode_(mode) {
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
    X509_sign(cert, key, EVP_sha256());
    SSL_CTX_use_certificate(tls_.native_handle(), cert);
    SSL_CTX_use_PrivateKey(tls_.native_handle(), key);
    X509_free(cert);
    EVP_PKEY_free(key);

    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { ctx_.run(); });
  }
  ~TlsHostileServer() {
    ctx_.stop();
    thread_.join();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::uint64_t bad() const { return bad_; }

private:
  struct Session {
    Session(net::io_context& ctx, net::ssl::context& tls) : stream(ctx, tls) {}
    net::ssl::stream<tcp::socket> stream;
    net::streambuf in;
  };

  void accept() {
    auto s = std::make_shared<Session>(ctx_, tls_);
    acceptor_.async_accept(s->stream.next_layer(), [this, s](boost::system::error_code ec) {
      if (ec) return;
      s->stream.async_handshake(net::ssl::stream_base::server,
                                [this, s](boost::system::error_code hec) {
                                  if (!hec) read(s);
                                });
      accept();
    });
  }

  void read(const std::shared_ptr<Session>& s) {
    net::async_read_until(s->stream, s->in, "\r\n\r\n",
                          [this, s](boost::system::error_code ec, std::size_t n) {
                            if (ec) return;
                            s->in.consume(n);
                            if (mode_ == Mode::silent) return read(s);
                            net::async_write(s->stream, net::buffer(truncated),
                                             [this, s](boost::system::error_code wec, std::size_t) {
                                               if (wec) return;
                                               ++bad_;
                                               boost::system::error_code ignored;
                                               s->stream.next_layer().close(ignored);
                                             });
                          });
  }

  Mode mode_;
  net::io_context ctx_{1};
  net::ssl::context tls_{net::ssl::context::tls_server};
  tcp::acceptor acceptor_{ctx_};
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> bad_{0};
  std::thread thread_;
};

LoadOptions options_for(const std::string& url, bool io_uring) {
  LoadOptions o;
  o.origin = *http::parse_url(url);
  Step step;
  step.name = "root";
  step.request.target = o.origin.target;
  o.steps.push_back(step);
  o.threads = 1;
  o.connections = 4;
  o.duration = 1s;
  o.io_uring = io_uring;
  return o;
}

class Hostile : public testing::TestWithParam<bool> {}; // io_uring (where allowed) or epoll

std::string backend_name(const testing::TestParamInfo<bool>& info) {
  return info.param ? "io_uring" : "epoll";
}

INSTANTIATE_TEST_SUITE_P(Io, Hostile, testing::Bool(), backend_name);

double threshold_value(const LoadResult& r, const std::string& text) {
  auto th = parse_threshold(text);
  EXPECT_TRUE(th.ok()) << text;
  const auto outcomes = evaluate({*th}, r);
  return outcomes.empty() ? -1 : outcomes[0].actual;
}

// The JSON report, the error_rate threshold and the console line say the same.
void expect_rate_agrees(const LoadResult& r) {
  const auto json_text = to_json(r);
  auto doc = json::Document::parse(json_text, "report");
  ASSERT_TRUE(doc.ok());
  double json_rate = -1;
  ASSERT_EQ(doc->root()["error_rate"].get(json_rate), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(json_rate, r.error_rate());
  std::uint64_t attempted = 0, failed = 0;
  ASSERT_EQ(doc->root()["attempted"].get(attempted), simdjson::SUCCESS);
  ASSERT_EQ(doc->root()["failed"].get(failed), simdjson::SUCCESS);
  EXPECT_EQ(attempted, r.attempted());
  EXPECT_EQ(failed, r.failed());
  EXPECT_DOUBLE_EQ(threshold_value(r, "error_rate<1%"), r.error_rate());
  char expected[96];
  std::snprintf(expected, sizeof expected, "(error rate %.3f%%: %llu failed of %llu attempted)",
                100.0 * r.error_rate(), static_cast<unsigned long long>(r.failed()),
                static_cast<unsigned long long>(r.attempted()));
  EXPECT_NE(summary_text(r).find(expected), std::string::npos) << summary_text(r);
}

TEST_P(Hostile, GarbageAnswersAreEveryOneAFailedAttempt) {
  HostileServer server(HostileServer::Mode::garbage);
  auto r = run_load(options_for(server.url(), GetParam()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& e = r->counters.errors;
  EXPECT_EQ(r->counters.requests, 0u);
  EXPECT_GT(e.protocol, 100u);
  EXPECT_EQ(e.malformed, e.protocol);
  EXPECT_EQ(e.read + e.write + e.timeout + e.connect, 0u) << summary_text(*r);
  EXPECT_DOUBLE_EQ(r->error_rate(), 1.0); // was 0: malformed answers were not attempts
  expect_rate_agrees(*r);
  ASSERT_FALSE(r->malformed_examples.empty());
  EXPECT_EQ(r->malformed_examples[0], "root: the status line is not 'HTTP/1.x NNN reason'");
  // The diagnosis says what was wrong, not that nothing answered.
  const auto why = no_response_diagnosis(*r, "http://x");
  EXPECT_NE(why.find("no valid HTTP response from http://x"), std::string::npos) << why;
  EXPECT_NE(why.find("the status line is not"), std::string::npos) << why;
  EXPECT_EQ(why.find("is the target running"), std::string::npos) << why;
}

TEST_P(Hostile, HalfGarbageIsHalfTheAttempts) {
  HostileServer server(HostileServer::Mode::half_garbage);
  auto r = run_load(options_for(server.url(), GetParam()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& e = r->counters.errors;
  EXPECT_GT(r->counters.requests, 100u);
  EXPECT_EQ(e.malformed, e.protocol);
  // The server alternates: the counts differ by the answers in flight at the end.
  EXPECT_NEAR(static_cast<double>(e.malformed), static_cast<double>(r->counters.requests), 8.0);
  EXPECT_NEAR(r->error_rate(), 0.5, 0.02) << summary_text(*r); // was 99.9 %
  expect_rate_agrees(*r);
  EXPECT_TRUE(no_response_diagnosis(*r, "http://x").empty());
}

TEST_P(Hostile, ACloseInTheMiddleOfAResponseIsAReadErrorAndTheConnectionReopens) {
  HostileServer server(HostileServer::Mode::close_mid_response);
  auto o = options_for(server.url(), GetParam());
  o.timeout = 5s; // a close that goes unnoticed would wait this long, then count as a timeout
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& e = r->counters.errors;
  EXPECT_EQ(e.timeout, 0u) << summary_text(*r);
  EXPECT_EQ(e.protocol, 0u);
  EXPECT_EQ(r->counters.requests, 0u);
  // Every truncated answer but those in flight at the end was seen as such, on a new connection
  // each time (thousands in a second, where a missed close costs a connection --timeout).
  EXPECT_GT(server.bad(), 200u);
  EXPECT_GE(e.read + o.connections, server.bad()) << summary_text(*r);
  EXPECT_LE(r->unfinished, o.connections);
  EXPECT_DOUBLE_EQ(r->error_rate(), 1.0);
  expect_rate_agrees(*r);
  const auto why = no_response_diagnosis(*r, "http://x");
  EXPECT_NE(why.find("closed or reset before a whole response"), std::string::npos) << why;
  EXPECT_NE(why.find("the target closes connections before a whole response"), std::string::npos)
      << why;
}

TEST_P(Hostile, TheDurationIsADeadlineAgainstAServerThatNeverAnswers) {
  HostileServer server(HostileServer::Mode::silent);
  auto o = options_for(server.url(), GetParam());
  o.timeout = 15s;
  const auto began = std::chrono::steady_clock::now();
  auto r = run_load(o);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(r.ok()) << r.error().message;
  // 1 s of duration, 100 ms of grace, a tick; not the 15 s of --timeout.
  EXPECT_LT(wall, 1.6);
  EXPECT_GE(wall, 1.0);
  EXPECT_EQ(r->counters.requests, 0u);
  EXPECT_EQ(r->counters.errors.total(), 0u);
  EXPECT_EQ(r->unfinished, o.connections); // one request per connection, abandoned
  EXPECT_NE(summary_text(*r).find("Unfinished: 4 requests"), std::string::npos);
  const auto why = no_response_diagnosis(*r, "http://x");
  EXPECT_NE(why.find("4 requests unanswered when the duration ended"), std::string::npos) << why;
  EXPECT_NE(why.find("accepts connections but does not answer"), std::string::npos) << why;
}

// A peer that takes the connection and never answers the TLS handshake: with --http2 on https the
// run checks one handshake first, and that check ends at --timeout with one error naming the
// target, instead of waiting or starting a run of connections that cannot speak.
TEST(HostileTls, Http2AgainstAPeerThatNeverHandshakesIsOneTimeoutBeforeTheRun) {
  HostileServer server(HostileServer::Mode::silent);
  std::string url = server.url();
  url.replace(0, 4, "https");
  auto o = options_for(url, false);
  o.http2 = true;
  o.max_concurrent_streams = 4;
  o.insecure = true;
  o.timeout = 500ms;
  o.duration = 10s;
  const auto began = std::chrono::steady_clock::now();
  auto r = run_load(o);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().message;
  EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << r.error().message;
  EXPECT_LT(wall, 5.0); // the 10 s run never started
}

TEST(HostileTls, ACloseInTheMiddleOfAResponseIsAReadError) {
  TlsHostileServer server(TlsHostileServer::Mode::close_mid_response);
  auto o = options_for(server.url(), true);
  o.insecure = true;
  o.timeout = 5s;
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& e = r->counters.errors;
  EXPECT_EQ(e.timeout, 0u) << summary_text(*r);
  EXPECT_EQ(r->counters.requests, 0u);
  EXPECT_GT(server.bad(), 20u); // a handshake per connection: fewer than on plain TCP
  EXPECT_GE(e.read + o.connections, server.bad()) << summary_text(*r);
  EXPECT_DOUBLE_EQ(r->error_rate(), 1.0);
}

TEST(HostileTls, TheDurationIsADeadline) {
  TlsHostileServer server(TlsHostileServer::Mode::silent);
  auto o = options_for(server.url(), true);
  o.insecure = true;
  o.timeout = 15s;
  const auto began = std::chrono::steady_clock::now();
  auto r = run_load(o);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_LT(wall, 1.6);
  EXPECT_EQ(r->counters.requests, 0u);
  EXPECT_EQ(r->counters.errors.total(), 0u);
  EXPECT_EQ(r->unfinished, o.connections);
}

// The open model has the same deadline: its last sends are not waited for the whole --timeout.
TEST(HostileOpenModel, TheDurationIsADeadlineToo) {
  HostileServer server(HostileServer::Mode::silent);
  auto o = options_for(server.url(), false);
  o.rate = 20;
  o.timeout = 15s;
  const auto began = std::chrono::steady_clock::now();
  auto r = run_load(o);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_LT(wall, 1.6);
  EXPECT_EQ(r->counters.requests, 0u);
  // 20 sends were scheduled: 4 went out (one per connection) and the rest waited for one.
  EXPECT_EQ(r->unfinished, o.connections);
  EXPECT_EQ(r->unfinished + r->dropped, 20u);
}

// A stream read for longer than the run is a stream read until the run ended: counted as one (as
// when its --stream-for ends), not abandoned.
TEST(HostileStream, AStreamLongerThanTheRunEndsWithTheRun) {
  HostileServer server(HostileServer::Mode::silent);
  auto o = options_for(server.url(), true);
  o.steps[0].streaming = true;
  o.steps[0].stream_for = 10s;
  o.timeout = 15s;
  const auto began = std::chrono::steady_clock::now();
  auto r = run_load(o);
  const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_LT(wall, 1.6);
  EXPECT_EQ(r->unfinished, 0u);
  EXPECT_EQ(r->steps[0].stream.streams, o.connections);
  EXPECT_EQ(r->steps[0].stream.rows, 0u);
}

// -n has no deadline: every request gets its --timeout, and one that never came is a timeout.
TEST(HostileRequestCount, UnansweredRequestsTimeOut) {
  HostileServer server(HostileServer::Mode::silent);
  auto o = options_for(server.url(), false);
  o.requests = 2;
  o.connections = 2;
  o.timeout = 300ms;
  auto r = run_load(o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->unfinished, 0u);
  EXPECT_EQ(r->counters.errors.timeout, 2u);
}

// ---- the console of the konform binary ----

struct CliRun {
  int code = -1;
  std::string out;
  double seconds = 0;
};

CliRun run_konform(const std::string& args) {
  CliRun r;
  const auto began = std::chrono::steady_clock::now();
  auto run = test_support::run_binary(args);
  r.code = run.code;
  r.out = std::move(run.output);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return r;
}

TEST(HostileCli, GarbageIsReportedAsNotHttpWithTheRateTheThresholdSees) {
  HostileServer server(HostileServer::Mode::garbage);
  const auto run = run_konform("load --url " + server.url() +
                               " --io epoll -d 1s -t 1 -c 2 -q --threshold 'error_rate<50%'");
  EXPECT_EQ(run.code, 3) << run.out;
  EXPECT_NE(run.out.find("(error rate 100.000%: "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("threshold FAILED: error_rate<50%  (error_rate = 100.0000%)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("no valid HTTP response from"), std::string::npos) << run.out;
  // The first distinct problem, once, under the step's name (--url: its path).
  EXPECT_NE(run.out.find("\n    /: the status line is not 'HTTP/1.x NNN reason'\n  threshold"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("is the target running"), std::string::npos) << run.out;
}

TEST(HostileCli, DurationEndsTheRunAgainstAStalledServer) {
  HostileServer server(HostileServer::Mode::silent);
  const auto run = run_konform("load --url " + server.url() +
                               " -d 1s --timeout 15s -t 1 -c 2 -q --threshold 'error_rate<1%'");
  EXPECT_LT(run.seconds, 3.0) << run.out; // process start and exit included
  EXPECT_EQ(run.code, 3) << run.out;
  EXPECT_NE(run.out.find("Unfinished: 2 requests"), std::string::npos) << run.out;
  // 0 % of nothing is no pass.
  EXPECT_NE(run.out.find("threshold FAILED: error_rate<1%  (error_rate = 0.0000%, but no response "
                         "was measured)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("does not answer"), std::string::npos) << run.out;
}

} // namespace
} // namespace konform::load
